// Analysis of TypeScript/JavaScript functions (see ts-facts.ts for what is recorded).
import type { SyntaxNode } from '../../parser/syntax-node';
import { Linear, deltaAtom } from '../index-compare';
import { Formula, TRUE, and, atom, hasDelta, not, or } from '../mask-formula';
import type { TsFunctionFacts, TsMaskEvent } from './ts-facts';

const FUNCTION_TYPES = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration'];

/** Every function in an item, nested ones included (each analysed on its own). */
export function analyzeTsItem(item: SyntaxNode, leadingComments = ''): TsFunctionFacts[] {
  const out: TsFunctionFacts[] = [];
  item.walk((n) => {
    if (FUNCTION_TYPES.includes(n.type)) {
      const facts = new TsAnalyzer(n).run();
      // JSDoc above a top-level function is a separate top-level node: pass it in.
      if (leadingComments && (n === item || n.parent === item || n.parent?.parent === item)) facts.docText = `${facts.docText}\n${leadingComments.toLowerCase()}`;
      out.push(facts);
    }
    return true;
  });
  return out;
}

interface Loop {
  name: string;
  node: SyntaxNode;
  unitStep: boolean;
}

/** Values tracked for tfjs expressions. */
interface TfVal {
  scores?: TsFunctionFacts['matmuls'][number];
  scaled?: boolean;
  /** bandPart-style mask: where it is 1. */
  mask?: Formula;
  triuNoDiagonal?: SyntaxNode;
  additive?: Formula;
  exp?: { node: SyntaxNode; argNode: SyntaxNode; stable: boolean };
  expSum?: boolean;
  maxLike?: boolean;
}

class TsAnalyzer {
  private readonly facts: TsFunctionFacts;
  private readonly loops: Loop[] = [];
  private readonly env = new Map<string, TfVal>();
  /** Names holding exp values / sums of exp values. */
  private readonly expVars = new Map<string, TsFunctionFacts['exps'][number][]>();
  private readonly sumVars = new Map<string, TsFunctionFacts['exps'][number][]>();
  private readonly maxVars = new Set<string>();

  constructor(private readonly fn: SyntaxNode) {
    const name = fn.child('name')?.text ?? fn.parent?.child('name')?.text ?? '<anonymous>';
    const text = fn.text;
    this.facts = {
      node: fn,
      name,
      masks: [],
      maskGroups: [],
      exps: [],
      dotLoops: [],
      matmuls: [],
      softmaxes: [],
      hasScale: /Math\.sqrt|\*\*\s*-?0?\.5|Math\.pow\([^)]*,\s*-?0?\.5\)|rsqrt|\bscale\b|\bscaling\b|\btemperature\b|invSqrt|inv_sqrt|sqrtD|sqrtDk/.test(text),
      hasSoftmax: /Math\.exp|softmax|\.exp\(\)|tf\.exp/.test(text),
      docText: commentsOf(fn).toLowerCase(),
    };
  }

  run(): TsFunctionFacts {
    const body = this.fn.child('body');
    if (body) this.visit(body);
    // Position loops only mask attention when the function computes dot-product scores.
    if (this.facts.dotLoops.length === 0) this.facts.masks = this.facts.masks.filter((m) => !m.loop);
    const groups = new Map<SyntaxNode | undefined, TsMaskEvent[]>();
    for (const m of this.facts.masks) {
      const key = m.loop;
      if (!key) {
        this.facts.maskGroups.push([m]);
        continue;
      }
      const g = groups.get(key) ?? [];
      g.push(m);
      groups.set(key, g);
    }
    this.facts.maskGroups.push(...groups.values());
    return this.facts;
  }

  private visit(n: SyntaxNode): void {
    switch (n.type) {
      case 'for_statement':
        return this.forLoop(n);
      case 'if_statement':
        return this.ifStatement(n);
      case 'function_declaration':
      case 'function_expression':
      case 'arrow_function':
      case 'method_definition':
        if (n !== this.fn) return; // analysed separately
        break;
      case 'variable_declarator': {
        const name = n.child('name');
        const value = n.child('value');
        if (value) {
          const v = this.expr(value);
          if (name?.type === 'identifier') this.bind(name.text, v, value);
        }
        return;
      }
      case 'assignment_expression': {
        const left = n.child('left');
        const right = n.child('right');
        if (right) {
          const v = this.expr(right);
          if (left?.type === 'identifier') this.bind(left.text, v, right);
          if (left?.type === 'subscript_expression' && v.exp) {
            // out[j] = Math.exp(x): the array holds exp values (summed and divided later).
            const base = baseName(left);
            this.expVars.set(base, [...(this.expVars.get(base) ?? []), this.recordExp(v.exp)]);
          }
        }
        return;
      }
      case 'augmented_assignment_expression':
        return this.augmented(n);
      case 'ternary_expression':
      case 'call_expression':
      case 'binary_expression':
        this.expr(n);
        return;
      default:
        for (const c of n.children) this.visit(c);
    }
  }

  private innermost(): SyntaxNode | undefined {
    return this.loops[this.loops.length - 1]?.node;
  }

  private bind(name: string, v: TfVal, valueNode: SyntaxNode): void {
    this.env.set(name, v);
    if (v.exp) this.expVars.set(name, [this.recordExp(v.exp)]);
    if (/Math\.max|\.max\(|reduce\(.*Math\.max|-Infinity/.test(valueNode.text) || /max/i.test(name)) this.maxVars.add(name);
    // const sum = exps.reduce((a, b) => a + b, 0)
    if (/\.reduce\(/.test(valueNode.text) && !/max/i.test(valueNode.text)) {
      const obj = valueNode.type === 'call_expression' ? valueNode.child('function')?.child('object') : undefined;
      const src = obj ? this.expVars.get(obj.text) : undefined;
      if (src) this.sumVars.set(name, src);
    }
  }

  private recordExp(e: { node: SyntaxNode; argNode: SyntaxNode; stable: boolean }): TsFunctionFacts['exps'][number] {
    const existing = this.facts.exps.find((x) => x.node === e.node);
    if (existing) return existing;
    const ev = { ...e, normalised: false };
    this.facts.exps.push(ev);
    return ev;
  }

  private augmented(n: SyntaxNode): void {
    const left = n.child('left');
    const right = n.child('right');
    const op = n.child('operator')?.text;
    if (!left || !right) return;
    const v = this.expr(right);
    if (op === '+=' && left.type === 'identifier') {
      // sum += Math.exp(...) / sum += e
      const exps: TsFunctionFacts['exps'][number][] = [];
      if (v.exp) exps.push(this.recordExp(v.exp));
      right.walk((c) => {
        if (c.type === 'identifier' && this.expVars.has(c.text)) exps.push(...(this.expVars.get(c.text) ?? []));
        if (c.type === 'subscript_expression') {
          const obj = c.child('object');
          if (obj && this.expVars.has(obj.text)) exps.push(...(this.expVars.get(obj.text) ?? []));
        }
      });
      if (exps.length) this.sumVars.set(left.text, [...(this.sumVars.get(left.text) ?? []), ...exps]);
      // acc += q[..] * k[..]: a dot product.
      const prod = unparen(right);
      if (prod.type === 'binary_expression' && prod.child('operator')?.text === '*') {
        const a = prod.child('left');
        const b = prod.child('right');
        if (a && b && isIndexed(a) && isIndexed(b) && this.loops.length >= 1) {
          const an = baseName(a);
          const bn = baseName(b);
          const qk = (/^(q|Q|query|queries)$/.test(an) && /^(k|K|key|keys)$/.test(bn)) || (/^(k|K|key|keys)$/.test(an) && /^(q|Q|query|queries)$/.test(bn));
          this.facts.dotLoops.push({ node: n, qkNamed: qk });
        }
      }
    }
    if (op === '/=' && right.type === 'identifier') this.markNormalised(right.text, left);
    if ((op === '/=' || op === '*=') && left.type === 'identifier') {
      const cur = this.env.get(left.text);
      if (cur?.scores) this.env.set(left.text, { ...cur, scaled: true });
    }
    if (left.type === 'subscript_expression' && op === '/=') {
      const obj = left.child('object');
      if (obj && right.type === 'identifier') this.markNormalised(right.text, obj);
    }
  }

  private markNormalised(sumName: string, target: SyntaxNode): void {
    const exps = this.sumVars.get(sumName);
    if (exps) for (const e of exps) e.normalised = true;
    void target;
  }

  private forLoop(n: SyntaxNode): void {
    const init = n.child('initializer');
    const decl = init?.descendants('variable_declarator')[0];
    const name = decl?.child('name')?.text ?? (init?.type === 'assignment_expression' ? init.child('left')?.text : undefined);
    if (!name) {
      for (const c of n.children) this.visit(c);
      return;
    }
    // Only unit-step loops walk positions; `start += rowLength` walks rows of a flat buffer.
    const inc = n.child('increment');
    const unitStep = !inc || /^(\+\+\w+|\w+\+\+|\w+\s*\+=\s*1)$/.test(inc.text.trim());
    const loop: Loop = { name, node: n, unitStep };
    this.loops.push(loop);
    // Bounds of an inner loop that depend on an outer loop variable restrict the keys.
    if (this.loops.length >= 2 && this.facts.hasSoftmax) {
      let allowed: Formula = TRUE;
      const start = decl?.child('value') ?? init?.child('right');
      if (start) {
        const f = this.compareNodes(loop.name, '>=', start);
        if (f) allowed = and(allowed, f);
      }
      const cond = n.child('condition');
      if (cond && cond.type === 'binary_expression') {
        const l = cond.child('left');
        const r = cond.child('right');
        const op = cond.child('operator')?.text ?? '';
        if (l?.text === loop.name && r) {
          const f = this.compareNodes(loop.name, op, r);
          if (f) allowed = and(allowed, f);
        }
      }
      if (allowed !== TRUE) this.facts.masks.push({ node: n, blocked: not(allowed), how: 'loop-bound', loop: n });
    }
    const body = n.child('body');
    if (body) this.visit(body);
    this.loops.pop();
  }

  /** `j OP expr` with j a loop variable → δ atom, when expr involves the outer variable. */
  private compareNodes(varName: string, op: string, other: SyntaxNode): Formula | undefined {
    const names = new Set<string>([varName]);
    other.walk((c) => {
      if (c.type === 'identifier' && this.loops.some((l) => l.name === c.text)) names.add(c.text);
    });
    if (names.size !== 2) return undefined;
    const roles = this.rolesFor([...names]);
    if (!roles) return undefined;
    const a = this.linear(varName, roles);
    const b = this.linearExpr(other, roles);
    if (!a || !b) return undefined;
    return deltaAtom(a, b, op);
  }

  /** Outer loop variable = query (i), inner = key (j). */
  private rolesFor(names: string[]): Map<string, 'i' | 'j'> | undefined {
    const idx = names.map((nm) => this.loops.findIndex((l) => l.name === nm));
    if (idx.some((x) => x < 0) || names.length !== 2) return undefined;
    if (idx.some((x) => !this.loops[x].unitStep)) return undefined;
    const [a, b] = idx;
    const m = new Map<string, 'i' | 'j'>();
    m.set(names[0], a < b ? 'i' : 'j');
    m.set(names[1], a < b ? 'j' : 'i');
    return m;
  }

  private linear(name: string, roles: Map<string, 'i' | 'j'>): Linear | undefined {
    const r = roles.get(name);
    return r ? { i: r === 'i' ? 1 : 0, j: r === 'j' ? 1 : 0, k: 0 } : undefined;
  }

  private linearExpr(n: SyntaxNode, roles: Map<string, 'i' | 'j'>): Linear | undefined {
    const e = unparen(n);
    if (e.type === 'identifier') {
      const r = roles.get(e.text);
      if (r) return this.linear(e.text, roles);
      return { i: 0, j: 0, k: 0, sym: e.text };
    }
    if (e.type === 'number') return { i: 0, j: 0, k: Number(e.text) };
    if (e.type === 'member_expression') return { i: 0, j: 0, k: 0, sym: e.text };
    if (e.type === 'binary_expression') {
      const op = e.child('operator')?.text;
      const l = e.child('left');
      const r = e.child('right');
      if (!l || !r || (op !== '+' && op !== '-')) return undefined;
      const a = this.linearExpr(l, roles);
      const b = this.linearExpr(r, roles);
      if (!a || !b) return undefined;
      const s = op === '+' ? 1 : -1;
      if (a.sym && b.sym) return undefined;
      const sym = a.sym ?? (b.sym ? (s < 0 ? `-${b.sym}` : b.sym) : undefined);
      return { i: a.i + s * b.i, j: a.j + s * b.j, k: a.k + s * b.k, sym };
    }
    return undefined;
  }

  /** A condition → δ formula (comparisons of loop variables joined by && / || / !). */
  private condition(n: SyntaxNode): Formula | undefined {
    const e = unparen(n);
    if (e.type === 'binary_expression') {
      const op = e.child('operator')?.text ?? '';
      const l = e.child('left');
      const r = e.child('right');
      if (!l || !r) return undefined;
      if (op === '&&' || op === '||') {
        const a = this.condition(l);
        const b = this.condition(r);
        if (!a && !b) return undefined;
        if (!a || !b) return op === '||' ? undefined : (a ?? b);
        return op === '&&' ? and(a, b) : or(a, b);
      }
      if (['<', '<=', '>', '>=', '===', '==', '!==', '!='].includes(op)) {
        const names = new Set<string>();
        e.walk((c) => {
          if (c.type === 'identifier' && this.loops.some((x) => x.name === c.text)) names.add(c.text);
        });
        if (names.size !== 2) return undefined;
        const roles = this.rolesFor([...names]);
        if (!roles) return undefined;
        const a = this.linearExpr(l, roles);
        const b = this.linearExpr(r, roles);
        if (!a || !b) return undefined;
        return deltaAtom(a, b, op.replace('===', '==').replace('!==', '!='));
      }
    }
    if (e.type === 'unary_expression' && e.child('operator')?.text === '!') {
      const a = this.condition(e.child('argument') ?? e);
      return a ? not(a) : undefined;
    }
    return undefined;
  }

  private ifStatement(n: SyntaxNode): void {
    const condNode = n.child('condition');
    const cond = condNode ? this.condition(condNode) : undefined;
    const cons = n.child('consequence');
    const alt = n.child('alternative');
    if (cond && hasDelta(cond) && this.facts.hasSoftmax) {
      if (cons && (skips(cons) || fills(cons))) this.facts.masks.push({ node: n, blocked: cond, how: skips(cons) ? 'continue' : 'fill', loop: this.innermost() });
      if (alt && (skips(alt) || fills(alt))) this.facts.masks.push({ node: n, blocked: not(cond), how: skips(alt) ? 'continue' : 'fill', loop: this.innermost() });
    }
    if (condNode) this.expr(condNode);
    if (cons) this.visit(cons);
    if (alt) this.visit(alt);
  }

  /** Expressions: tfjs calls, Math.exp, ternary fills. */
  private expr(n: SyntaxNode): TfVal {
    const e = unparen(n);
    switch (e.type) {
      case 'ternary_expression': {
        const c = e.child('condition');
        const a = e.child('consequence');
        const b = e.child('alternative');
        const cond = c ? this.condition(c) : undefined;
        if (cond && hasDelta(cond) && this.facts.hasSoftmax) {
          if (a && isNegFill(a)) this.facts.masks.push({ node: e, blocked: cond, how: 'ternary', loop: this.innermost() });
          else if (b && isNegFill(b)) this.facts.masks.push({ node: e, blocked: not(cond), how: 'ternary', loop: this.innermost() });
        }
        const va = a ? this.expr(a) : {};
        const vb = b ? this.expr(b) : {};
        return va.exp ? va : vb.exp ? vb : va.scores ? va : vb;
      }
      case 'call_expression':
        return this.call(e);
      case 'identifier': {
        const v = this.env.get(e.text);
        return v ?? {};
      }
      case 'binary_expression': {
        const op = e.child('operator')?.text;
        const l = e.child('left');
        const r = e.child('right');
        const lv = l ? this.expr(l) : {};
        const rv = r ? this.expr(r) : {};
        if (op === '/' && r) {
          const sumName = unparen(r).type === 'identifier' ? unparen(r).text : undefined;
          if (sumName) this.markNormalised(sumName, e);
          if (lv.exp && rv.expSum) this.recordExp(lv.exp).normalised = true;
        }
        if (op === '-' && (rv.maxLike || (r && this.isMaxName(r)))) return { ...lv, maxLike: false, exp: undefined, scaled: lv.scaled };
        return lv.scores ? lv : rv.scores ? rv : {};
      }
      case 'member_expression': {
        const obj = e.child('object');
        return obj ? this.expr(obj) : {};
      }
      default:
        for (const c of e.namedChildren) this.expr(c);
        return {};
    }
  }

  private isMaxName(n: SyntaxNode): boolean {
    const t = unparen(n);
    if (t.type === 'identifier') return this.maxVars.has(t.text) || /max|^m$|^mx$|^m_i$|rowMax|lse|logsumexp/i.test(t.text);
    if (t.type === 'subscript_expression' || t.type === 'member_expression') return /max|lse/i.test(t.text);
    if (t.type === 'call_expression') return /max|logSumExp|logsumexp/i.test(t.child('function')?.text ?? '');
    return false;
  }

  private call(e: SyntaxNode): TfVal {
    const fnNode = e.child('function');
    const args = e.child('arguments')?.namedChildren ?? [];
    const fname = fnNode?.text ?? '';
    const argVals = args.map((a) => this.expr(a));
    // tf.op(x, …) versus x.op(…): a method call unless the receiver is the tf namespace itself.
    const receiver = fnNode?.type === 'member_expression' ? fnNode.child('object') : undefined;
    const isTfNamespace = !!receiver && /^tf(\.\w+)*$/.test(receiver.text);
    if (fname === 'Math.exp' || fname === 'tf.exp') {
      const arg = args[0];
      if (!arg) return {};
      const stable = this.isStableArg(arg);
      return { exp: { node: e, argNode: arg, stable } };
    }
    if (fname === 'Math.max' || /\.max$/.test(fname)) return { maxLike: true };
    if (/^tf\.matMul$|^tf\.linalg\.matmul$/.test(fname) && args.length >= 2) {
      const transposeB = args[3]?.text === 'true';
      const ln = baseName(args[0]);
      const rn = baseName(args[1]);
      const ev: TsFunctionFacts['matmuls'][number] = {
        node: e,
        left: args[0],
        right: args[1],
        transposeB,
        qkNamed: /^(q|Q|query|queries|qh|qHeads)$/.test(ln) && /^(k|K|key|keys|kh|kHeads)$/.test(rn),
        softmaxed: false,
        scaled: false,
        argsNode: e.child('arguments') as SyntaxNode,
      };
      this.facts.matmuls.push(ev);
      return { scores: ev };
    }
    if (/^tf\.(softmax|nn\.softmax)$/.test(fname) || /\.softmax$/.test(fname)) {
      const isMethod = !isTfNamespace;
      const input = isMethod ? this.expr(fnNode?.child('object') ?? e) : argVals[0] ?? {};
      const dimNode = isMethod ? args[0] : args[1];
      const dim = dimNode && /^-?\d+$/.test(dimNode.text) ? Number(dimNode.text) : undefined;
      if (input.scores) {
        input.scores.softmaxed = true;
        input.scores.scaled = input.scores.scaled || !!input.scaled;
      }
      this.facts.softmaxes.push({ node: e, dimNode, dim, fromScores: !!input.scores });
      return {};
    }
    if (/^tf\.(div|mul)$/.test(fname) || /\.(div|mul)$/.test(fname)) {
      const isMethod = !isTfNamespace;
      const base = isMethod ? this.expr(fnNode?.child('object') ?? e) : argVals[0] ?? {};
      const other = isMethod ? args[0] : args[1];
      const otherVal = isMethod ? argVals[0] : argVals[1];
      if (base.scores) return { ...base, scaled: true };
      if (base.mask && other && isNegFill(other)) return { additive: base.mask, triuNoDiagonal: base.triuNoDiagonal };
      if (otherVal?.mask && isNegFill(args[0] ?? e)) return { additive: otherVal.mask, triuNoDiagonal: otherVal.triuNoDiagonal };
      if (base.exp && otherVal?.expSum) this.recordExp(base.exp).normalised = true;
      return base;
    }
    if (/^tf\.sub$/.test(fname) && args[0]?.text === '1' && argVals[1]?.mask) {
      return { mask: not(argVals[1].mask), triuNoDiagonal: argVals[1].triuNoDiagonal };
    }
    if (/\.sum$/.test(fname) || fname === 'tf.sum') {
      const isMethod = !isTfNamespace;
      const base = isMethod ? this.expr(fnNode?.child('object') ?? e) : argVals[0] ?? {};
      if (base.exp) return { expSum: true, exp: undefined };
      return {};
    }
    if (/^tf\.add$/.test(fname) || /\.add$/.test(fname)) {
      const isMethod = !isTfNamespace;
      const base = isMethod ? this.expr(fnNode?.child('object') ?? e) : argVals[0] ?? {};
      const other = isMethod ? argVals[0] : argVals[1];
      if (base.scores && other?.additive) {
        this.facts.masks.push({ node: e, blocked: other.additive, how: 'tf-add', triuNoDiagonal: other.triuNoDiagonal });
      }
      return base;
    }
    if (/bandPart$|band_part$/.test(fname) && args.length >= 3) {
      const lo = Number(args[1].text);
      const hi = Number(args[2].text);
      let set: Formula = TRUE;
      if (Number.isFinite(hi) && hi >= 0) set = and(set, atom({ kind: 'delta', op: 'le', bound: { k: hi } }));
      if (Number.isFinite(lo) && lo >= 0) set = and(set, atom({ kind: 'delta', op: 'ge', bound: { k: -lo } }));
      return { mask: set, triuNoDiagonal: lo === 0 && hi < 0 ? e : undefined };
    }
    if (fname === 'tf.where' && args.length === 3) {
      const [c, a, b] = argVals;
      if (c.mask && a.scores && isNegFill(args[2])) this.facts.masks.push({ node: e, blocked: not(c.mask), how: 'tf-where', triuNoDiagonal: c.triuNoDiagonal });
      if (c.mask && b.scores && isNegFill(args[1])) this.facts.masks.push({ node: e, blocked: c.mask, how: 'tf-where', triuNoDiagonal: c.triuNoDiagonal });
      return a.scores ? a : b;
    }
    if (/\.(cast|toBool|asType)$/.test(fname)) return this.expr(fnNode?.child('object') ?? e);
    // Array methods: xs.map(x => Math.exp(x - max)) keep exp-ness for reduce sums.
    if (/\.map$/.test(fname) && args[0]) {
      const exps = args[0].descendants('call_expression').filter((c) => c.child('function')?.text === 'Math.exp');
      if (exps.length) {
        const ex = exps[0];
        const arg = ex.child('arguments')?.namedChildren[0];
        if (arg) return { exp: { node: ex, argNode: arg, stable: this.isStableArg(arg) } };
      }
    }
    return argVals.find((v) => v.scores) ?? {};
  }

  private isStableArg(arg: SyntaxNode): boolean {
    const a = unparen(arg);
    if (a.type === 'binary_expression' && a.child('operator')?.text === '-') {
      const r = a.child('right');
      if (r && this.isMaxName(r)) return true;
    }
    if (a.type === 'unary_expression' && a.child('operator')?.text === '-') return false;
    return /max|lse|logSumExp/i.test(a.text) && /-/.test(a.text);
  }
}

function unparen(n: SyntaxNode): SyntaxNode {
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChildren[0]) e = e.namedChildren[0];
  return e;
}

function isIndexed(n: SyntaxNode): boolean {
  return unparen(n).type === 'subscript_expression';
}

function baseName(n: SyntaxNode): string {
  let e = unparen(n);
  while (e.type === 'subscript_expression' || e.type === 'member_expression') e = e.child('object') ?? e;
  return e.text;
}

function isNegFill(n: SyntaxNode): boolean {
  const t = unparen(n).text.replace(/\s+/g, '');
  return /^-Infinity$|^Number\.NEGATIVE_INFINITY$|^-1e\d+$|^-1\.0e\d+$|^-3\.4e38$|^-3\.40282\d*e\+?38$|^-FLT_MAX$|^-?NEG_INF$|^-?MASK_VALUE$|^-10000(\.0)?$|^-1e4$/i.test(t);
}

/** Does a statement (block) only skip the iteration? */
function skips(n: SyntaxNode): boolean {
  if (n.type === 'continue_statement') return true;
  if (n.type === 'statement_block') {
    const stmts = n.namedChildren.filter((c) => c.type !== 'comment');
    return stmts.length >= 1 && stmts[stmts.length - 1].type === 'continue_statement';
  }
  if (n.type === 'else_clause') return n.namedChildren.some(skips);
  return false;
}

/** Does a statement (block) assign a large negative fill? */
function fills(n: SyntaxNode): boolean {
  let found = false;
  n.walk((c) => {
    if (c.type === 'assignment_expression') {
      const r = c.child('right');
      if (r && isNegFill(r)) found = true;
    }
    return !found;
  });
  return found;
}

function commentsOf(n: SyntaxNode): string {
  const parts: string[] = [];
  n.walk((c) => {
    if (c.type === 'comment') parts.push(c.text);
  });
  // Leading comments (JSDoc) just before the statement that holds the function.
  let stmt: SyntaxNode = n;
  while (stmt.parent && ['export_statement', 'variable_declarator', 'lexical_declaration', 'variable_declaration', 'pair', 'assignment_expression', 'expression_statement'].includes(stmt.parent.type)) stmt = stmt.parent;
  const siblings = stmt.parent?.children ?? [];
  for (let i = siblings.indexOf(stmt) - 1; i >= 0 && siblings[i].type === 'comment'; i--) parts.push(siblings[i].text);
  return parts.join('\n');
}
