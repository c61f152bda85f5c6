// Comparisons between query and key positions. An index expression is kept as a linear
// form a·i + b·j + c (i: query position, j: key position, c: a number plus at most one
// symbolic term such as `window` or `past_len`); comparing two forms whose difference
// depends only on δ = j − i gives a half-line on δ (see mask-formula.ts).
import { Bound, Formula, and, atom, not } from './mask-formula';

export interface Linear {
  i: number;
  j: number;
  k: number;
  sym?: string;
}

export function negSym(s: string): string {
  return s.startsWith('-') ? s.slice(1) : `-${s}`;
}
export function stripSign(s: string): string {
  return s.startsWith('-') ? s.slice(1) : s;
}

/** a OP b over linear index forms → an atom on δ = j − i, if the form is δ-only. */
export function deltaAtom(a: Linear, b: Linear, op: string): Formula | undefined {
  // (a − b) OP 0 with a − b = ci·i + cj·j + c
  const ci = a.i - b.i;
  const cj = a.j - b.j;
  if (ci === 0 && cj === 0) return undefined;
  if (ci !== -cj || Math.abs(ci) !== 1) return undefined;
  let sym: string | undefined;
  let symSign: 1 | -1 = 1;
  if (a.sym && b.sym) return undefined;
  if (a.sym) {
    sym = stripSign(a.sym);
    symSign = a.sym.startsWith('-') ? -1 : 1;
  } else if (b.sym) {
    sym = stripSign(b.sym);
    symSign = b.sym.startsWith('-') ? 1 : -1;
  }
  const c = a.k - b.k;
  // ci·i − ci·j + c OP 0  ⇔  −ci·δ + c OP 0  (δ = j − i)
  // ci = 1:  −δ + c OP 0 ⇔ δ OP' c (flip)      ci = −1: δ + c OP 0 ⇔ δ OP −c
  let bound: Bound;
  let dir: string;
  if (ci === 1) {
    bound = { k: c, sym, symSign: sym ? symSign : undefined };
    dir = flip(op);
  } else {
    bound = { k: -c, sym, symSign: sym ? ((symSign === 1 ? -1 : 1) as 1 | -1) : undefined };
    dir = op;
  }
  // δ dir bound
  switch (dir) {
    case '<=':
      return atom({ kind: 'delta', op: 'le', bound });
    case '<':
      return atom({ kind: 'delta', op: 'le', bound: { ...bound, k: bound.k - 1 } });
    case '>=':
      return atom({ kind: 'delta', op: 'ge', bound });
    case '>':
      return atom({ kind: 'delta', op: 'ge', bound: { ...bound, k: bound.k + 1 } });
    case '==':
      return and(atom({ kind: 'delta', op: 'le', bound }), atom({ kind: 'delta', op: 'ge', bound }));
    case '!=':
      return not(and(atom({ kind: 'delta', op: 'le', bound }), atom({ kind: 'delta', op: 'ge', bound })));
    default:
      return undefined;
  }
}

function flip(op: string): string {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

