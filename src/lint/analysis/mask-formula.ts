// Mask meaning as a boolean formula over (query i, key j) pairs.
//
// A mask tensor is summarised by the set of pairs where it is True (boolean/0-1 masks) or
// where it holds a large negative value (additive masks). Causal, window and padding masks
// are built from three kinds of atoms:
//   delta: a half-line on δ = j − i (key index minus query index), e.g. tril → δ ≤ 0;
//   pad:   a per-token padding mask, True meaning "valid" or "pad", broadcast on one axis;
//   opaque: a mask whose construction we cannot see (a parameter, a helper's result).
// Consumers turn a mask into the set of *blocked* pairs (masked_fill fills where True;
// where(m, s, neg) keeps where True; SDPA reads True as attend; nn.MultiheadAttention
// reads True as blocked). Rules then ask questions about the *allowed* set.

/** A symbolic bound k + sign·sym, e.g. 0, -1, (Tk - Tq), -window. */
export interface Bound {
  k: number;
  sym?: string;
  symSign?: 1 | -1;
}

export type Atom =
  | { kind: 'delta'; op: 'le' | 'ge'; bound: Bound }
  | { kind: 'pad'; trueMeans: 'valid' | 'pad' | 'unknown'; axis: PadAxis; id: number }
  | { kind: 'opaque'; label: string };

/** Which score axis a per-token padding mask lies along once broadcast. */
export type PadAxis = 'key' | 'query' | 'unknown';

export type Formula =
  | { op: 'atom'; atom: Atom }
  | { op: 'not'; a: Formula }
  | { op: 'and' | 'or'; a: Formula; b: Formula }
  | { op: 'const'; value: boolean };

export const TRUE: Formula = { op: 'const', value: true };
export const FALSE: Formula = { op: 'const', value: false };

export function atom(a: Atom): Formula {
  return { op: 'atom', atom: a };
}
export function not(a: Formula): Formula {
  if (a.op === 'not') return a.a;
  if (a.op === 'const') return { op: 'const', value: !a.value };
  return { op: 'not', a };
}
export function and(a: Formula, b: Formula): Formula {
  return { op: 'and', a, b };
}
export function or(a: Formula, b: Formula): Formula {
  return { op: 'or', a, b };
}

export function boundAdd(b: Bound, d: number): Bound {
  return { ...b, k: b.k + d };
}
function boundNeg(b: Bound): Bound {
  return { k: -b.k, sym: b.sym, symSign: b.sym ? ((b.symSign ?? 1) === 1 ? -1 : 1) : undefined };
}
export function boundText(b: Bound): string {
  const sym = b.sym ? `${(b.symSign ?? 1) < 0 ? '-' : ''}(${b.sym})` : '';
  if (!sym) return String(b.k);
  return b.k === 0 ? sym : `${sym}${b.k > 0 ? '+' : ''}${b.k}`;
}

/** Swap the roles of queries and keys (a transpose of the last two axes). */
export function transposeFormula(f: Formula): Formula {
  switch (f.op) {
    case 'const':
      return f;
    case 'not':
      return not(transposeFormula(f.a));
    case 'and':
    case 'or':
      return { op: f.op, a: transposeFormula(f.a), b: transposeFormula(f.b) };
    case 'atom': {
      const a = f.atom;
      if (a.kind === 'delta') return atom({ kind: 'delta', op: a.op === 'le' ? 'ge' : 'le', bound: boundNeg(a.bound) });
      if (a.kind === 'pad') return atom({ ...a, axis: a.axis === 'key' ? 'query' : a.axis === 'query' ? 'key' : 'unknown' });
      return f;
    }
  }
}

export function mapPadAxis(f: Formula, axis: (a: PadAxis) => PadAxis): Formula {
  switch (f.op) {
    case 'const':
      return f;
    case 'not':
      return not(mapPadAxis(f.a, axis));
    case 'and':
    case 'or':
      return { op: f.op, a: mapPadAxis(f.a, axis), b: mapPadAxis(f.b, axis) };
    case 'atom':
      return f.atom.kind === 'pad' ? atom({ ...f.atom, axis: axis(f.atom.axis) }) : f;
  }
}

export function atoms(f: Formula, out: Atom[] = []): Atom[] {
  if (f.op === 'atom') out.push(f.atom);
  else if (f.op === 'not') atoms(f.a, out);
  else if (f.op === 'and' || f.op === 'or') {
    atoms(f.a, out);
    atoms(f.b, out);
  }
  return out;
}

export function hasOpaque(f: Formula): boolean {
  return atoms(f).some((a) => a.kind === 'opaque');
}
export function hasDelta(f: Formula): boolean {
  return atoms(f).some((a) => a.kind === 'delta');
}
export function hasPad(f: Formula): boolean {
  return atoms(f).some((a) => a.kind === 'pad');
}

/** Evaluate with a valuation for atoms; undefined leaves the formula undecided. */
export function evaluate(f: Formula, value: (a: Atom) => boolean | undefined): boolean | undefined {
  switch (f.op) {
    case 'const':
      return f.value;
    case 'atom':
      return value(f.atom);
    case 'not': {
      const v = evaluate(f.a, value);
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      const a = evaluate(f.a, value);
      const b = evaluate(f.b, value);
      if (a === false || b === false) return false;
      return a === undefined || b === undefined ? undefined : true;
    }
    case 'or': {
      const a = evaluate(f.a, value);
      const b = evaluate(f.b, value);
      if (a === true || b === true) return true;
      return a === undefined || b === undefined ? undefined : false;
    }
  }
}

// ---------------------------------------------------------------------------------------
// The causal question: with no padding anywhere, which offsets δ = j − i are allowed?

/** Negation-normal form restricted to delta atoms (padding assumed absent). */
type DeltaNnf =
  | { op: 'half'; dir: 'le' | 'ge'; bound: Bound }
  | { op: 'and' | 'or'; parts: DeltaNnf[] }
  | { op: 'const'; value: boolean }
  | { op: 'unknown' };

function nnf(f: Formula, negate: boolean): DeltaNnf {
  switch (f.op) {
    case 'const':
      return { op: 'const', value: negate ? !f.value : f.value };
    case 'not':
      return nnf(f.a, !negate);
    case 'and':
    case 'or': {
      const op = (f.op === 'and') !== negate ? 'and' : 'or';
      return { op, parts: [nnf(f.a, negate), nnf(f.b, negate)] };
    }
    case 'atom': {
      const a = f.atom;
      if (a.kind === 'pad') {
        // No padding: a "valid" mask is all True, a "pad" mask all False.
        if (a.trueMeans === 'unknown') return { op: 'unknown' };
        const v = a.trueMeans === 'valid';
        return { op: 'const', value: negate ? !v : v };
      }
      if (a.kind === 'opaque') return { op: 'unknown' };
      if (!negate) return { op: 'half', dir: a.op, bound: a.bound };
      // ¬(δ ≤ c) ⇔ δ ≥ c + 1 ; ¬(δ ≥ c) ⇔ δ ≤ c − 1 (integers).
      return a.op === 'le' ? { op: 'half', dir: 'ge', bound: boundAdd(a.bound, 1) } : { op: 'half', dir: 'le', bound: boundAdd(a.bound, -1) };
    }
  }
}

/**
 * The allowed offsets as an interval lo ≤ δ ≤ hi (either side may be open), or a union
 * that covers every δ ("all"), or "unknown" when the mask is not decidable.
 */
export type DeltaSet =
  | { kind: 'interval'; lo: Bound[]; hi: Bound[] }
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'unknown' };

function intersect(a: DeltaSet, b: DeltaSet): DeltaSet {
  if (a.kind === 'unknown' || b.kind === 'unknown') return { kind: 'unknown' };
  if (a.kind === 'none' || b.kind === 'none') return { kind: 'none' };
  if (a.kind === 'all') return b;
  if (b.kind === 'all') return a;
  return { kind: 'interval', lo: [...a.lo, ...b.lo], hi: [...a.hi, ...b.hi] };
}

function union(a: DeltaSet, b: DeltaSet): DeltaSet {
  if (a.kind === 'unknown' || b.kind === 'unknown') return { kind: 'unknown' };
  if (a.kind === 'all' || b.kind === 'all') return { kind: 'all' };
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  // (δ ≤ x) ∪ (δ ≥ y) covers everything when y ≤ x + 1 — and is certainly not a causal
  // band, so report it as "all" when the halves face each other with numeric/same-symbol bounds.
  const halfA = a.lo.length === 0 && a.hi.length === 1 ? a.hi[0] : undefined;
  const halfB = b.hi.length === 0 && b.lo.length === 1 ? b.lo[0] : undefined;
  const halfA2 = b.lo.length === 0 && b.hi.length === 1 ? b.hi[0] : undefined;
  const halfB2 = a.hi.length === 0 && a.lo.length === 1 ? a.lo[0] : undefined;
  const hi = halfA ?? halfA2;
  const lo = halfB ?? halfB2;
  if (hi && lo) {
    const covers = lo.k <= hi.k + 1 || (lo.sym !== undefined && (lo.symSign ?? 1) === -1 && !hi.sym);
    if (covers) return { kind: 'all' };
  }
  return { kind: 'unknown' };
}

function solve(n: DeltaNnf): DeltaSet {
  switch (n.op) {
    case 'const':
      return n.value ? { kind: 'all' } : { kind: 'none' };
    case 'unknown':
      return { kind: 'unknown' };
    case 'half':
      return n.dir === 'le' ? { kind: 'interval', lo: [], hi: [n.bound] } : { kind: 'interval', lo: [n.bound], hi: [] };
    case 'and':
      return n.parts.map(solve).reduce(intersect);
    case 'or':
      return n.parts.map(solve).reduce(union);
  }
}

/** Offsets a query may attend to, given the formula for the *allowed* pairs. */
export function allowedDeltas(allowed: Formula): DeltaSet {
  return solve(nnf(allowed, false));
}

/** The tightest numeric upper bound (or the symbolic one if it is the only kind). */
export function upperBound(s: DeltaSet): Bound | undefined {
  if (s.kind !== 'interval' || s.hi.length === 0) return undefined;
  const numeric = s.hi.filter((b) => !b.sym);
  if (numeric.length === s.hi.length) return { k: Math.min(...numeric.map((b) => b.k)) };
  // A symbolic bound: keep the first (mixing kinds is rare).
  return s.hi.find((b) => b.sym) ?? s.hi[0];
}

export function lowerBound(s: DeltaSet): Bound | undefined {
  if (s.kind !== 'interval' || s.lo.length === 0) return undefined;
  const numeric = s.lo.filter((b) => !b.sym);
  if (numeric.length === s.lo.length) return { k: Math.max(...numeric.map((b) => b.k)) };
  return s.lo.find((b) => b.sym) ?? s.lo[0];
}

// ---------------------------------------------------------------------------------------
// The padding question: with no causal structure in the way (evaluate on the diagonal,
// δ = 0, which every correct causal mask allows), is a pad key blocked and a valid key kept?

export interface PaddingVerdict {
  /** true: keys that are padding stay visible while valid keys are blocked. */
  inverted: boolean;
  /** Axes the padding atoms lie on. */
  axes: PadAxis[];
}

export function paddingVerdict(allowed: Formula): PaddingVerdict | undefined {
  const pads = atoms(allowed).filter((a): a is Extract<Atom, { kind: 'pad' }> => a.kind === 'pad');
  if (pads.length === 0 || atoms(allowed).some((a) => a.kind === 'opaque')) return undefined;
  const onDiagonal = (a: Atom, tokenIsPad: boolean): boolean | undefined => {
    // Symbolic bounds (cache offsets, windows) admit the diagonal in every sensible mask.
    if (a.kind === 'delta') return a.bound.sym ? true : a.op === 'le' ? 0 <= a.bound.k : 0 >= a.bound.k;
    if (a.kind === 'pad') return a.trueMeans === 'unknown' ? undefined : a.trueMeans === 'pad' ? tokenIsPad : !tokenIsPad;
    return undefined;
  };
  const whenValid = evaluate(allowed, (a) => onDiagonal(a, false));
  const whenPad = evaluate(allowed, (a) => onDiagonal(a, true));
  if (whenValid === undefined || whenPad === undefined) return undefined;
  return { inverted: whenValid === false && whenPad === true, axes: [...new Set(pads.map((p) => p.axis))] };
}

/** Replaces a sub-formula (by identity) — used to ask "what if these masks were combined with the other operator?". */
export function replaceSub(f: Formula, target: Formula, replacement: Formula): Formula {
  if (f === target) return replacement;
  switch (f.op) {
    case 'not':
      return { op: 'not', a: replaceSub(f.a, target, replacement) };
    case 'and':
    case 'or':
      return { op: f.op, a: replaceSub(f.a, target, replacement), b: replaceSub(f.b, target, replacement) };
    default:
      return f;
  }
}

export function containsSub(f: Formula, target: Formula): boolean {
  if (f === target) return true;
  if (f.op === 'not') return containsSub(f.a, target);
  if (f.op === 'and' || f.op === 'or') return containsSub(f.a, target) || containsSub(f.b, target);
  return false;
}
