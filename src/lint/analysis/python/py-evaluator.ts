// Abstract evaluation of one Python function, statement by statement, in source order.
// Each expression gets a Val (values.ts) describing its attention role; operations that
// matter to the rules (softmax, masking, score products, SDPA/MHA calls, dropout, RoPE,
// K/V repeats, projections) are recorded as events in FunctionFacts. Control flow is
// followed linearly (both branches of an if, loop bodies once) — enough for the straight-line
// code attention functions are made of.
import type { SyntaxNode } from '../../parser/syntax-node';
import {
  AxisLabel,
  Shape,
  axisAt,
  broadcastShapes,
  classifyDimName,
  fromEnd,
  isHeadWidthName,
  isModelWidthName,
  parseEinopsSide,
  parseEinsum,
  parseShapeTuple,
  rankOf,
  shape,
} from '../axes';
import { FunctionFacts, CallEvent, MaskUseEvent, emptyFacts } from '../facts';
import {
  Formula,
  FALSE,
  TRUE,
  and,
  atom,
  hasDelta,
  mapPadAxis,
  not,
  or,
  transposeFormula,
  Bound,
} from '../mask-formula';
import {
  CallableInfo,
  FillInfo,
  MaskInfo,
  ScaleExpr,
  ScaleTerm,
  Val,
  emptyScale,
  scaleMul,
  scalePow,
  val,
} from '../values';
import { Linear, deltaAtom, negSym, stripSign } from '../index-compare';
import { PyClassContext, PyFileContext, PyFamily, familyOf } from './py-context';
import {
  isCacheLikeText,
  isCacheName,
  isInverseRopeCallee,
  isPadIdName,
  isRopeCallee,
  isTokenIdsName,
  paddingFromName,
  projectionKind,
  roleFromName,
} from './names';

interface Args {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  keywordNames: Map<string, SyntaxNode>;
  node?: SyntaxNode;
}

let padAtomIds = 0;

const MAX_DEPTH = 2;

export interface EvaluatorOptions {
  depth?: number;
  /** Values for the parameters (helper summaries called with arguments). */
  bindings?: Map<string, Val>;
  /** Shared stack of helpers being evaluated (recursion guard). */
  stack?: Set<SyntaxNode>;
}

export class PyEvaluator {
  readonly facts: FunctionFacts;
  private env = new Map<string, Val>();
  private seq = 0;
  private guards: string[] = [];
  private conds: Val[] = [];
  private loopDepth = 0;
  private readonly depth: number;
  private readonly stack: Set<SyntaxNode>;
  private readonly multihead: boolean;
  private readonly identifiers: Set<string>;
  /** Names whose value has been normalised by softmax: name → seq. */
  private softmaxed = new Map<string, number>();
  private readonly docShapes: Map<string, AxisLabel[]>;
  private readonly memo = new Map<SyntaxNode, Val>();

  constructor(
    private readonly ctx: PyFileContext,
    private readonly fn: SyntaxNode,
    private readonly cls: PyClassContext | undefined,
    options: EvaluatorOptions = {},
  ) {
    const name = fn.child('name')?.text ?? '<module>';
    const params = fn.type === 'function_definition' ? paramNames(fn) : [];
    this.facts = emptyFacts(fn, name, params);
    this.facts.className = cls?.name;
    this.facts.inModule = !!cls?.isModule;
    this.depth = options.depth ?? 0;
    this.stack = options.stack ?? new Set();
    const info = functionInfo(fn);
    const ids = cls ? cls.identifiers : info.identifiers;
    this.multihead = cls ? classIsMultihead(cls) : info.multihead;
    this.identifiers = ids;
    this.facts.docText = cls ? `${info.docText}\n${cls.docText}` : info.docText;
    this.docShapes = info.docShapes;
    if (cls) for (const [k, v] of cls.attrs) this.env.set(k, v);
    this.bindParams(options.bindings);
  }

  /** Evaluates the body (or the module-level statements for the <module> pseudo-function). */
  run(statements?: SyntaxNode[]): FunctionFacts {
    const body = statements ?? this.fn.child('body')?.children ?? [];
    this.block(body);
    this.facts.env = this.env;
    this.facts.lineages = lineagesOf(this.facts);
    // Writes to scores after their softmax matter only if no later softmax re-reads them.
    this.facts.scoreWrites = this.facts.scoreWrites.filter(
      (w) => !this.facts.softmaxes.some((s) => s.seq > w.seq && s.input.name === w.name),
    );
    return this.facts;
  }

  // ---------------------------------------------------------------------------------------
  // Parameters

  private bindParams(bindings?: Map<string, Val>): void {
    const params = this.fn.child('parameters');
    if (!params) return;
    for (const p of params.namedChildren) {
      const nameNode =
        p.type === 'identifier' ? p : p.child('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
      if (!nameNode || nameNode.type !== 'identifier') continue;
      const name = nameNode.text;
      if (name === 'self' || name === 'cls') continue;
      const bound = bindings?.get(name);
      if (bound) {
        this.env.set(name, { ...bound, name });
        continue;
      }
      const v = this.freshNamed(nameNode, name);
      const dflt = p.child('value');
      if (dflt && dflt.type !== 'none') {
        const d = this.ev(dflt);
        if (d.num !== undefined || d.bool !== undefined || d.fill) Object.assign(v, { num: d.num, bool: d.bool, fill: d.fill });
      }
      if (isCacheName(name)) this.facts.kvCache ??= nameNode;
      this.env.set(name, v);
    }
  }

  /** A value known only by its name: role, padding polarity, documented shape. */
  private freshNamed(node: SyntaxNode, name: string): Val {
    const v: Val = val(node, { name, role: roleFromName(name) });
    const doc = this.docShapes.get(name);
    if (doc) v.shape = shape(doc);
    const pad = paddingFromName(name);
    if (pad) {
      v.mask = {
        set: atom({ kind: 'pad', trueMeans: pad, axis: 'key', id: ++padAtomIds }),
        form: 'unknown',
        builders: [],
      };
      v.shape ??= shape(['b', 't']);
      v.mask.leftPadding = /left/.test(this.facts.docText);
    }
    if (isTokenIdsName(name)) v.tokenIds = true;
    if (/^(mask|attn_mask|attention_bias|bias|causal_mask|src_mask|tgt_mask|trg_mask|look_ahead_mask|seq_mask|subsequent_mask|combined_mask|full_mask|block_mask|mask_bias|alibi|position_bias)$/.test(name.replace(/^self\./, '')) && !pad) {
      // A generic mask documented as (B, T) is a per-token mask of unknown polarity.
      const perToken = doc && doc.length === 2 && doc[0] === 'b' && doc[1] === 't';
      v.mask = perToken
        ? { set: atom({ kind: 'pad', trueMeans: 'unknown', axis: 'key', id: ++padAtomIds }), form: 'unknown', builders: [] }
        : { set: atom({ kind: 'opaque', label: name }), form: 'unknown', builders: [] };
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------
  // Statements

  private block(stmts: SyntaxNode[]): void {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      const next = stmts[i + 1];
      // A trailing "# (B, H, T, D)" comment on the same line documents the assigned value.
      const trailing = next && next.type === 'comment' && this.sameLine(s.end, next.start) ? next : undefined;
      this.statement(s, trailing);
    }
  }

  private sameLine(a: number, b: number): boolean {
    return !this.ctx.source.slice(a, b).includes('\n');
  }

  private statement(s: SyntaxNode, trailing?: SyntaxNode): void {
    switch (s.type) {
      case 'expression_statement':
        for (const c of s.namedChildren) {
          if (c.type === 'assignment') this.assignment(c, trailing);
          else if (c.type === 'augmented_assignment') this.augmented(c);
          else this.ev(c);
        }
        return;
      case 'return_statement': {
        const e = s.namedChildren[0];
        if (e) this.facts.returns.push(this.ev(e));
        return;
      }
      case 'if_statement': {
        const cond = s.child('condition');
        const c = cond ? this.ev(cond) : undefined;
        const guard = cond?.text ?? '';
        this.withGuard(guard, c, () => this.block(s.child('consequence')?.children ?? []));
        for (const alt of s.childrenOf('alternative')) {
          if (alt.type === 'elif_clause') {
            const ec = alt.child('condition');
            const cv = ec ? this.ev(ec) : undefined;
            this.withGuard(`not (${guard}) and ${ec?.text ?? ''}`, cv, () => this.block(alt.child('consequence')?.children ?? []));
          } else {
            this.withGuard(`not (${guard})`, c ? this.negateCond(c) : undefined, () => this.block(alt.child('body')?.children ?? []));
          }
        }
        return;
      }
      case 'for_statement': {
        const left = s.child('left');
        const right = s.child('right');
        if (right) this.ev(right);
        if (left && left.type === 'identifier') {
          // Nested index loops: the outer loop walks queries (i), the inner one keys (j).
          const isRange = right?.type === 'call' && right.child('function')?.text === 'range';
          const axis = this.loopDepth === 0 ? 'i' : 'j';
          this.env.set(left.text, val(left, { name: left.text, index: isRange ? { axis, k: 0 } : undefined }));
        } else if (left) this.bindTarget(left, val(left));
        this.loopDepth++;
        this.block(s.child('body')?.children ?? []);
        this.loopDepth--;
        return;
      }
      case 'while_statement':
        this.loopDepth++;
        this.block(s.child('body')?.children ?? []);
        this.loopDepth--;
        return;
      case 'with_statement':
        for (const item of s.descendants('with_item')) this.ev(item.child('value') ?? item);
        this.block(s.child('body')?.children ?? []);
        return;
      case 'try_statement':
        this.block(s.child('body')?.children ?? []);
        for (const c of s.children) if (c.type === 'except_clause' || c.type === 'finally_clause' || c.type === 'else_clause') this.block(c.children.find((x) => x.type === 'block')?.children ?? []);
        return;
      case 'block':
        this.block(s.children);
        return;
      case 'continue_statement': {
        // `if j > i: continue` inside nested index loops skips (blocks) those keys.
        const cond = this.conds[this.conds.length - 1];
        if (cond?.mask && hasDelta(cond.mask.set)) this.recordLoopSkip(s, cond);
        return;
      }
      case 'function_definition':
      case 'decorated_definition':
      case 'class_definition':
        // Nested definitions are analysed on their own (see analyzePythonItem).
        return;
      default:
        return;
    }
  }

  private withGuard(text: string, cond: Val | undefined, body: () => void): void {
    this.guards.push(text);
    this.conds.push(cond ?? val(this.fn));
    try {
      body();
    } finally {
      this.guards.pop();
      this.conds.pop();
    }
  }

  private negateCond(c: Val): Val {
    if (c.mask) return { ...c, mask: { ...c.mask, set: not(c.mask.set) } };
    return val(c.node);
  }

  private assignment(a: SyntaxNode, trailing?: SyntaxNode): void {
    const left = a.child('left');
    const right = a.child('right');
    if (!left || !right) return;
    let v: Val;
    if (right.type === 'assignment') {
      this.assignment(right);
      v = this.ev(right.child('left') ?? right);
    } else v = this.ev(right);
    if (trailing) {
      const labels = parseShapeTuple(firstTuple(trailing.text) ?? '');
      if (labels) v = this.withDocumentedShape(v, labels);
    }
    this.bindTarget(left, v, right);
  }

  private withDocumentedShape(v: Val, labels: AxisLabel[]): Val {
    if (v.scores || v.probs) {
      // Keep the inferred key axis; the comment gives the rank.
      const r = labels.length;
      const s = v.shape && v.shape.axes.length <= r ? v.shape.axes : [];
      const axes = [...Array(r - s.length).fill('?'), ...s] as AxisLabel[];
      return { ...v, shape: shape(axes) };
    }
    return { ...v, shape: shape(labels) };
  }

  private bindTarget(left: SyntaxNode, v: Val, rightNode?: SyntaxNode): void {
    switch (left.type) {
      case 'identifier':
      case 'attribute': {
        const name = left.text;
        if (left.type === 'attribute' && !name.startsWith('self.')) return;
        this.env.set(name, this.named(v, name, left));
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'tuple':
      case 'list_pattern':
      case 'list': {
        const targets = left.namedChildren;
        const parts = v.tuple;
        targets.forEach((t, i) => {
          let part: Val;
          if (parts && parts.length === targets.length) part = parts[i];
          else if (v.sizes && v.sizes.length === targets.length) part = this.sizeOf(v, i, targets.length, t);
          else if (v.splitCopies) part = { ...v, tuple: undefined, name: undefined, role: undefined, splitCopies: undefined };
          else {
            // Unpacking iterates over the first axis.
            const sh = v.shape?.full ? shape(v.shape.axes.slice(1)) : v.shape;
            part = { ...v, tuple: undefined, name: undefined, role: undefined, mask: v.mask, shape: sh };
          }
          if (t.type === 'identifier' || t.type === 'attribute') this.env.set(t.text, this.named(part, t.text, t));
          else if (t.type === 'list_splat_pattern') return;
          else this.bindTarget(t, part);
        });
        return;
      }
      case 'subscript': {
        const base = left.child('value');
        if (!base) return;
        const target = this.ev(base);
        const indices = left.childrenOf('subscript');
        const idx = indices.length === 1 ? this.ev(indices[0]) : this.indexTuple(indices);
        this.indexAssign(left, target, idx, indices, v, rightNode ?? left);
        return;
      }
      default:
        return;
    }
  }

  /** `B, T, C = x.size()`: each name becomes a dimension size. */
  private sizeOf(v: Val, i: number, n: number, t: SyntaxNode): Val {
    const src = v.tuple?.[i];
    const name = t.text;
    const label = v.shape?.axes[i] ?? classifyDimName(name);
    const last = i === n - 1;
    // The last size of an unsplit input is the model width.
    const cls: ScaleTerm['cls'] =
      isHeadWidthName(name) ? 'head' : isModelWidthName(name) || (last && !!v.role && (v.role === 'x' || v.role === 'ctx')) ? 'model' : 'dim';
    return val(t, {
      name,
      scale: label === 'd' || last || cls !== 'dim' ? { terms: [{ cls, exp: 1, node: t, name }], opaque: false } : { terms: [], opaque: true },
      ...(src ?? {}),
    });
  }

  private named(v: Val, name: string, node: SyntaxNode): Val {
    const out: Val = { ...v, name };
    const short = name.replace(/^self\./, '');
    if (!out.role && !out.scores && !out.probs && !out.mask && !out.scale && out.num === undefined) {
      const r = roleFromName(short);
      if (r) out.role = r;
    }
    if (!out.shape) {
      const doc = this.docShapes.get(short);
      if (doc) out.shape = shape(doc);
    }
    if (!out.mask && out.tokenIds === undefined && isTokenIdsName(short) && !out.scores) out.tokenIds = true;
    if (out.mask && /left/.test(short)) out.mask = { ...out.mask, leftPadding: true };
    void node;
    return out;
  }

  private augmented(a: SyntaxNode): void {
    const left = a.child('left');
    const right = a.child('right');
    const op = a.child('operator')?.text.replace('=', '') ?? '';
    if (!left || !right) return;
    const l = this.ev(left);
    const r = this.ev(right);
    const result = this.binary(a, op, l, r, left, right);
    if (left.type === 'identifier' || left.type === 'attribute') {
      if ((result.scores || l.scores) && this.softmaxed.has(left.text) && (r.mask || r.fill)) this.scoreWrite(a, left.text);
      this.env.set(left.text, { ...result, name: left.text });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Expressions

  /** Each expression node is evaluated once (in program order); later requests reuse the value. */
  ev(n: SyntaxNode): Val {
    const memo = this.memo.get(n);
    if (memo) return memo;
    const v = this.evaluate(n);
    this.memo.set(n, v);
    return v;
  }

  private evaluate(n: SyntaxNode): Val {
    switch (n.type) {
      case 'identifier':
        return this.lookup(n.text, n);
      case 'attribute':
        return this.attribute(n);
      case 'call':
        return this.call(n);
      case 'subscript':
        return this.subscript(n);
      case 'binary_operator': {
        const l = n.child('left');
        const r = n.child('right');
        const op = n.child('operator')?.text ?? '';
        if (!l || !r) return val(n);
        return this.binary(n, op, this.ev(l), this.ev(r), l, r);
      }
      case 'unary_operator':
        return this.unary(n);
      case 'not_operator': {
        const a = this.ev(n.child('argument') ?? n);
        return a.mask ? { ...a, node: n, mask: { ...a.mask, set: not(a.mask.set) } } : val(n, { bool: a.bool === undefined ? undefined : !a.bool });
      }
      case 'comparison_operator':
        return this.comparison(n);
      case 'boolean_operator': {
        const l = this.ev(n.child('left') ?? n);
        const r = this.ev(n.child('right') ?? n);
        if (l.mask && r.mask) {
          const op = n.child('operator')?.text === 'or' ? or : and;
          return val(n, { mask: { set: op(l.mask.set, r.mask.set), form: 'bool', builders: [...l.mask.builders, ...r.mask.builders] } });
        }
        return val(n);
      }
      case 'conditional_expression': {
        const parts = n.namedChildren;
        const thenV = parts[0] ? this.ev(parts[0]) : val(n);
        if (parts[1]) this.ev(parts[1]);
        const elseV = parts[2] ? this.ev(parts[2]) : val(n);
        // `x if cond else y`: keep what both branches agree on, prefer the tensor branch.
        const pick = thenV.scores || thenV.probs || thenV.mask || thenV.role ? thenV : elseV;
        return { ...pick, node: n };
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren[0];
        return inner ? { ...this.ev(inner), node: n } : val(n);
      }
      case 'integer':
        return val(n, { num: parseIntLiteral(n.text) });
      case 'float': {
        const x = Number(n.text.replace(/_/g, '').replace(/[jJ]$/, ''));
        return val(n, { num: x, fill: fillFromNumber(x, n) });
      }
      case 'true':
        return val(n, { bool: true, num: 1 });
      case 'false':
        return val(n, { bool: false, num: 0 });
      case 'none':
        return val(n);
      case 'string':
        return val(n, { str: stringContent(n) });
      case 'concatenated_string':
        return val(n, { str: n.namedChildren.map(stringContent).join('') });
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const items = n.namedChildren.map((c) => this.ev(c));
        return val(n, { tuple: items, sizes: n.namedChildren.map((c) => c.text) });
      }
      case 'keyword_argument':
        return this.ev(n.child('value') ?? n);
      case 'list_splat':
      case 'dictionary_splat':
        return val(n);
      case 'lambda':
      case 'list_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
      case 'set_comprehension':
      case 'dictionary':
        return val(n);
      case 'named_expression':
        return this.ev(n.child('value') ?? n);
      case 'as_pattern':
        return this.ev(n.namedChildren[0] ?? n);
      default:
        for (const c of n.namedChildren) this.ev(c);
        return val(n);
    }
  }

  private lookup(name: string, node: SyntaxNode): Val {
    const v = this.env.get(name);
    if (v) return { ...v, node };
    if (this.cls && this.cls.fields.has(name) === false && name.startsWith('self.')) return this.freshNamed(node, name);
    const cnode = this.ctx.constants.get(name);
    if (cnode && this.depth <= MAX_DEPTH) {
      const c = new PyEvaluator(this.ctx, cnode, undefined, { depth: MAX_DEPTH + 1, stack: this.stack }).ev(cnode);
      return { ...c, node, name };
    }
    if (this.ctx.functions.has(name)) return val(node, { name, callable: { kind: 'function', name, node } });
    return this.freshNamed(node, name);
  }

  /** Dotted path of a name/attribute chain resolved through imports, if it names a module. */
  private modulePath(n: SyntaxNode): string | undefined {
    if (n.type === 'identifier') {
      if (this.env.has(n.text)) return undefined;
      return this.ctx.aliases.get(n.text);
    }
    if (n.type === 'attribute') {
      const obj = n.child('object');
      const attr = n.child('attribute');
      if (!obj || !attr) return undefined;
      const base = this.modulePath(obj);
      return base ? `${base}.${attr.text}` : undefined;
    }
    return undefined;
  }

  private attribute(n: SyntaxNode): Val {
    const obj = n.child('object');
    const attr = n.child('attribute')?.text ?? '';
    if (!obj) return val(n);
    if (obj.type === 'identifier' && obj.text === 'self') {
      const key = `self.${attr}`;
      const v = this.env.get(key);
      if (v) return { ...v, node: n };
      if (key === 'self.training') return val(n, { name: key });
      return this.freshNamed(n, key);
    }
    const path = this.modulePath(n);
    if (path) return this.moduleAttribute(n, path);
    const o = this.ev(obj);
    switch (attr) {
      case 'T':
        return this.transposeAll(n, o);
      case 'mT':
        return this.swapAxes(n, o, -2, -1);
      case 'shape':
        return val(n, { tuple: (o.shape?.full ? o.shape.axes : []).map((a) => val(n, { str: a })), sizes: o.shape?.full ? o.shape.axes : undefined, name: `${o.name ?? obj.text}.shape`, role: undefined, str: undefined, shape: undefined, scale: undefined, shapeOf: o });
      case 'dtype':
        return val(n, { dtype: o.dtype, name: `${obj.text}.dtype` });
      case 'min':
      case 'max':
        if ((o as FinfoVal).finfo) return val(n, { fill: finfoFill(n, (o as FinfoVal).finfo as string, attr) });
        return val(n);
      case 'inf':
        return val(n, { fill: { kind: 'pos-inf', node: n }, num: Infinity });
      default:
        if (o.tuple && /^(past_key_value|layer_past)/.test(obj.text)) return { ...o, node: n };
        return val(n, { name: n.text, role: roleFromName(attr), cached: o.cached });
    }
  }

  private moduleAttribute(n: SyntaxNode, path: string): Val {
    const last = path.split('.').pop() ?? '';
    if (/^(inf|Inf|infty|PINF)$/.test(last)) return val(n, { fill: { kind: 'pos-inf', node: n }, num: Infinity });
    if (last === 'NINF') return val(n, { fill: { kind: 'neg-inf', node: n }, num: -Infinity });
    if (last === 'pi') return val(n, { num: Math.PI });
    if (/^(float16|half)$/.test(last)) return val(n, { dtype: 'float16', str: 'float16' });
    if (last === 'bfloat16') return val(n, { dtype: 'bfloat16', str: 'bfloat16' });
    if (/^(float32|float|float64|double)$/.test(last)) return val(n, { dtype: 'float32', str: 'float32' });
    if (last === 'bool' || last === 'bool_') return val(n, { dtype: 'bool', str: 'bool' });
    return val(n, { name: path });
  }

  // ---------------------------------------------------------------------------------------
  // Calls

  private args(call: SyntaxNode): Args {
    const list = call.child('arguments');
    const out: Args = { positional: [], keywords: new Map(), keywordNames: new Map(), node: list };
    if (!list) return out;
    for (const c of list.namedChildren) {
      if (c.type === 'keyword_argument') {
        const name = c.child('name')?.text;
        const value = c.child('value');
        if (name && value) {
          out.keywords.set(name, value);
          out.keywordNames.set(name, c);
        }
      } else out.positional.push(c);
    }
    return out;
  }

  private call(n: SyntaxNode): Val {
    const fnNode = n.child('function');
    if (!fnNode) return val(n);
    const a = this.args(n);
    if (fnNode.type === 'identifier') {
      const name = fnNode.text;
      const local = this.env.get(name);
      if (local?.callable) return this.callCallable(n, local.callable, a, name);
      const path = this.env.has(name) ? undefined : this.ctx.aliases.get(name);
      if (path && path !== name) return this.libraryCall(n, path, a);
      return this.plainCall(n, name, a);
    }
    if (fnNode.type === 'attribute') {
      const obj = fnNode.child('object');
      const method = fnNode.child('attribute')?.text ?? '';
      if (!obj) return val(n);
      const path = this.modulePath(obj);
      if (path) return this.libraryCall(n, `${path}.${method}`, a);
      if (obj.type === 'identifier' && obj.text === 'self') {
        if (method === 'register_buffer' && a.positional[0]?.type === 'string' && a.positional[1]) {
          // register_buffer("mask", torch.tril(...)) stores a tensor attribute.
          const attr = `self.${stringContent(a.positional[0])}`;
          const v = this.ev(a.positional[1]);
          this.env.set(attr, { ...v, name: attr });
          return val(n);
        }
        const attrVal = this.env.get(`self.${method}`);
        if (attrVal?.callable) return this.callCallable(n, attrVal.callable, a, `self.${method}`);
        const m = this.cls?.methods.get(method);
        if (m) return this.helperCall(n, m, a, true);
        return this.moduleCall(n, `self.${method}`, a);
      }
      if (obj.type === 'call' && obj.child('function')?.text === 'super') return val(n);
      const recv = this.ev(obj);
      if (recv.callable && method === '__call__') return this.callCallable(n, recv.callable, a, obj.text);
      return this.method(n, recv, method, a, obj);
    }
    if (fnNode.type === 'call') {
      // Flax style: nn.Dropout(rate)(x, deterministic=…), nn.Softmax(dim)(x).
      const made = this.ev(fnNode);
      if (made.callable) return this.callCallable(n, made.callable, a, fnNode.text);
      return this.passThrough(n, a);
    }
    if (fnNode.type === 'subscript') return this.passThrough(n, a);
    return this.passThrough(n, a);
  }

  /** Unknown callee: evaluate arguments; keep the first argument's attention role. */
  private passThrough(n: SyntaxNode, a: Args): Val {
    const vals = a.positional.map((p) => this.ev(p));
    for (const v of a.keywords.values()) this.ev(v);
    const first = vals[0];
    if (!first) return val(n);
    return { ...first, node: n, name: undefined, num: undefined, scale: undefined, fill: undefined, callable: undefined };
  }

  private plainCall(n: SyntaxNode, name: string, a: Args): Val {
    if (name === 'float' && a.positional[0]) {
      const s = this.ev(a.positional[0]).str?.toLowerCase().trim();
      if (s === '-inf' || s === '-infinity') return val(n, { fill: { kind: 'neg-inf', node: n }, num: -Infinity });
      if (s === 'inf' || s === '+inf' || s === 'infinity') return val(n, { fill: { kind: 'pos-inf', node: n }, num: Infinity });
      const inner = this.ev(a.positional[0]);
      return { ...inner, node: n };
    }
    if (name === 'int' || name === 'abs') return a.positional[0] ? { ...this.ev(a.positional[0]), node: n } : val(n);
    if (name === 'pow' && a.positional.length === 2) return this.power(n, this.ev(a.positional[0]), this.ev(a.positional[1]));
    if (name === 'len') return val(n, { scale: { terms: [], opaque: true } });
    if (name === 'range') {
      for (const p of a.positional) this.ev(p);
      return val(n);
    }
    if (name === 'rotate_half' || name === 'rotate_every_two') {
      const x = a.positional[0] ? this.ev(a.positional[0]) : val(n);
      const arg = { val: x, node: a.positional[0] ?? n };
      this.facts.ropes.push({ seq: ++this.seq, node: n, args: [arg], all: [arg], inverse: false, inner: true });
      return { ...x, node: n };
    }
    if (isRopeCallee(name)) return this.ropeCall(n, name, a);
    const helper = this.ctx.functions.get(name);
    if (helper) return this.helperCall(n, helper, a, false);
    if (projectionKind(name) && a.positional.length === 1) return this.moduleCall(n, name, a);
    if (/^(max_neg_value|neg_inf|mask_value|min_value|large_negative_number|get_mask_value)$/.test(name)) {
      return val(n, { fill: { kind: 'finfo-dtype', node: n } });
    }
    return this.passThrough(n, a);
  }

  /** Evaluate a module-level helper (or a method) with the call's arguments bound. */
  private helperCall(n: SyntaxNode, fn: SyntaxNode, a: Args, isMethod: boolean): Val {
    const argVals = a.positional.map((p) => this.ev(p));
    for (const v of a.keywords.values()) this.ev(v);
    const fname = fn.child('name')?.text ?? '';
    if (isRopeCallee(fname)) return this.ropeCall(n, fname, a, argVals);
    if (this.depth >= MAX_DEPTH || this.stack.has(fn)) return argVals[0] ? { ...argVals[0], node: n, name: undefined } : val(n);
    const params = paramNames(fn).filter((p) => p !== 'self' && p !== 'cls');
    const bindings = new Map<string, Val>();
    params.forEach((p, i) => {
      if (argVals[i]) bindings.set(p, argVals[i]);
    });
    for (const [k, v] of a.keywords) if (params.includes(k)) bindings.set(k, this.ev(v));
    this.stack.add(fn);
    try {
      const sub = new PyEvaluator(this.ctx, fn, isMethod ? this.cls : undefined, { depth: this.depth + 1, bindings, stack: this.stack });
      const facts = sub.run();
      const ret = facts.returns[facts.returns.length - 1];
      if (!ret) return val(n);
      return { ...ret, node: n, name: undefined };
    } finally {
      this.stack.delete(fn);
    }
  }

  /** self.<module>(…) whose type we do not know: projections, norms, attention submodules. */
  private moduleCall(n: SyntaxNode, callee: string, a: Args): Val {
    const argVals = a.positional.map((p) => this.ev(p));
    for (const v of a.keywords.values()) this.ev(v);
    const kind = projectionKind(callee);
    const arg = argVals[0];
    if (kind && arg) {
      this.facts.projections.push({ seq: ++this.seq, node: n, which: kind, arg, argNode: a.positional[0] });
      const out: Val = val(n, {
        role: kind === 'q' || kind === 'k' || kind === 'v' ? kind : undefined,
        shape: arg.shape ? shape([...arg.shape.axes.slice(0, -1), 'd'], arg.shape.full) : shape(['t', 'd'], false),
        projection: { kind, node: n, arg },
        dtype: arg.dtype,
      });
      if (kind === 'qkv' || kind === 'kv') out.role = undefined;
      return out;
    }
    if (isRopeCallee(callee)) return this.ropeCall(n, callee, a, argVals);
    if (/attn|attention|mha/i.test(callee) && argVals.length >= 3) {
      this.facts.mha.push({ ...this.callEvent(n, callee, a, argVals), module: 'mha' });
    }
    // Norms and other shape-preserving submodules keep the input's role and layout.
    if (arg) return { ...arg, node: n, name: undefined, projection: undefined };
    return val(n);
  }

  private callEvent(n: SyntaxNode, callee: string, a: Args, argVals?: Val[]): CallEvent {
    const keywords = new Map<string, { val: Val; node: SyntaxNode; nameNode: SyntaxNode }>();
    for (const [k, v] of a.keywords) keywords.set(k, { val: this.ev(v), node: v, nameNode: a.keywordNames.get(k) ?? v });
    return {
      seq: ++this.seq,
      node: n,
      callee,
      positional: argVals ?? a.positional.map((p) => this.ev(p)),
      positionalNodes: a.positional,
      keywords,
      guards: [...this.guards],
    };
  }

  private callCallable(n: SyntaxNode, c: CallableInfo, a: Args, callee: string): Val {
    switch (c.kind) {
      case 'softmax': {
        const x = a.positional[0] ? this.ev(a.positional[0]) : val(n);
        return this.softmax(n, x, c.hasDim ? c.dim : undefined, c.hasDim ? 'last' : 'implicit', 'module', undefined, c);
      }
      case 'dropout': {
        const x = a.positional[0] ? this.ev(a.positional[0]) : val(n);
        const det = a.keywords.get('deterministic');
        if (det || c.node.text.includes('deterministic')) {
          // Flax: nn.Dropout(rate, deterministic=…)(x) or (x, deterministic=…).
          this.facts.dropouts.push({ seq: ++this.seq, node: n, kind: 'flax', control: det ?? c.node, input: x });
        } else if (/^nn\.Dropout|flax/.test(c.node.text) && this.isFlaxContext()) {
          this.facts.dropouts.push({ seq: ++this.seq, node: n, kind: 'flax', control: undefined, input: x });
        }
        return { ...x, node: n };
      }
      case 'mha':
      case 'transformer': {
        const argVals = a.positional.map((p) => this.ev(p));
        this.facts.mha.push({ ...this.callEvent(n, callee, a, argVals), module: c.kind });
        const q = argVals[0];
        const out = q ? { ...q, node: n, name: undefined } : val(n);
        return val(n, { tuple: [out, val(n)], role: q?.role, shape: q?.shape });
      }
      case 'linear':
      case 'projection':
      case 'module':
        return this.moduleCall(n, callee, a);
      case 'function': {
        const fn = this.ctx.functions.get(c.name);
        return fn ? this.helperCall(n, fn, a, false) : this.passThrough(n, a);
      }
    }
  }

  private isFlaxContext(): boolean {
    return !!this.cls?.isFlax || [...this.ctx.aliases.values()].some((p) => p.startsWith('flax'));
  }

  /** Calls into torch / numpy / jax / einops / math / scipy / tf / flax by dotted path. */
  private libraryCall(n: SyntaxNode, path: string, a: Args): Val {
    const fam = familyOf(path);
    const fname = path.split('.').pop() ?? '';
    const P = (i: number): Val | undefined => (a.positional[i] ? this.ev(a.positional[i]) : undefined);
    const K = (k: string): SyntaxNode | undefined => a.keywords.get(k);
    const dimArg = (pos: number, ...names: string[]): SyntaxNode | undefined => {
      for (const nm of names) if (K(nm)) return K(nm);
      return a.positional[pos];
    };

    if (fam === 'math' || (fam === 'numpy' && /^(sqrt|power|float_power)$/.test(fname)) || (fam === 'jax' && /^(sqrt|power)$/.test(fname)) || (fam === 'torch' && /^(sqrt|rsqrt|pow)$/.test(fname))) {
      const x = P(0) ?? val(n);
      if (fname === 'sqrt') return this.power(n, x, val(n, { num: 0.5 }));
      if (fname === 'rsqrt') return this.power(n, x, val(n, { num: -0.5 }));
      if ((fname === 'pow' || fname === 'power' || fname === 'float_power') && a.positional[1]) return this.power(n, x, P(1) as Val);
      if (fname === 'log' || fname === 'exp') return val(n, { scale: { terms: [], opaque: true } });
      if (fname === 'inf') return val(n, { fill: { kind: 'pos-inf', node: n } });
    }
    if (fam === 'torch' && fname === 'tensor' && a.positional[0]) {
      const x = P(0) as Val;
      return { ...x, node: n };
    }

    switch (fname) {
      case 'softmax':
      case 'log_softmax': {
        const x = P(0) ?? val(n);
        const d = dimArg(1, 'dim', 'axis');
        const dim = d ? this.intOf(d) : undefined;
        let defaultDim: 'last' | 'implicit' | 'all' = 'last';
        if (fam === 'torch' && !d) defaultDim = 'implicit';
        if (fam === 'scipy' && !d) defaultDim = 'all';
        const api = fam === 'torch' ? 'torch' : fam === 'scipy' ? 'scipy' : fam === 'tf' ? 'tf' : fam === 'numpy' ? 'numpy' : 'jax';
        if (d && dim === undefined) return this.softmax(n, x, NaN, 'last', api, d);
        return this.softmax(n, x, dim, defaultDim, api, d ?? a.node);
      }
      case 'Softmax':
        if (fam === 'torch') {
          const d = dimArg(0, 'dim');
          return val(n, { callable: { kind: 'softmax', dim: d ? this.intOf(d) : undefined, node: n, dimNode: d ?? a.node, hasDim: !!d } });
        }
        break;
      case 'Dropout':
        return val(n, { callable: { kind: 'dropout', node: n } });
      case 'MultiheadAttention':
        return val(n, { callable: { kind: 'mha', node: n, batchFirst: K('batch_first')?.text === 'True' } });
      case 'Transformer':
      case 'TransformerEncoder':
      case 'TransformerDecoder':
      case 'TransformerEncoderLayer':
      case 'TransformerDecoderLayer':
        if (fam === 'torch') return val(n, { callable: { kind: 'transformer', node: n } });
        break;
      case 'Linear':
      case 'Dense':
      case 'DenseGeneral':
        return val(n, { callable: { kind: 'linear', node: n } });
      case 'linear':
        if (fam === 'torch' && a.positional[1]) {
          // F.linear(x, w_q): a projection named by its weight.
          const x = P(0) ?? val(n);
          const kind = projectionKind(a.positional[1].text);
          if (kind) {
            this.facts.projections.push({ seq: ++this.seq, node: n, which: kind, arg: x, argNode: a.positional[0] });
            return val(n, { role: kind === 'q' || kind === 'k' || kind === 'v' ? kind : undefined, projection: { kind, node: n, arg: x }, shape: x.shape });
          }
        }
        break;
      case 'matmul':
      case 'bmm':
      case 'dot':
      case 'mm': {
        const l = P(0) ?? val(n);
        const r = P(1) ?? val(n);
        return this.matmul(n, l, r, a.positional[1] ?? n, apiOf(fam));
      }
      case 'baddbmm': {
        const l = P(1) ?? val(n);
        const r = P(2) ?? val(n);
        const res = this.matmul(n, l, r, a.positional[2] ?? n, 'torch');
        const alpha = K('alpha');
        if (alpha && res.scores) {
          const s = this.ev(alpha);
          res.scores = { ...res.scores, factors: [...res.scores.factors, { expr: s.scale ?? numScale(s), node: alpha, side: 'scores' }] };
        }
        return res;
      }
      case 'einsum':
        return this.einsum(n, a, fam);
      case 'exp': {
        const x = P(0) ?? val(n);
        return this.expOf(n, x, a.positional[0] ?? n, fam);
      }
      case 'sum':
        if (a.positional[0]) return this.sumOf(n, P(0) as Val, dimArg(1, 'dim', 'axis'));
        break;
      case 'max':
      case 'amax':
      case 'logsumexp':
        if (a.positional[0]) {
          const x = P(0) as Val;
          return val(n, { maxOf: x, shape: x.shape } as Val);
        }
        break;
      case 'where':
        return this.where(n, a, fam);
      case 'tril':
      case 'triu':
        return this.triangle(n, fname, P(0) ?? val(n), dimArg(1, 'diagonal', 'k'), fam === 'numpy' ? 'numpy' : fam === 'jax' ? 'jax' : 'torch');
      case 'tri': {
        // np.tri(N, M=None, k=0): ones at and below the k-th diagonal.
        const kNode = dimArg(2, 'k');
        const sizes = a.positional.slice(0, 2).map((p) => p.text);
        const v = this.triangle(n, 'tril', val(n, { sizes: sizes.length === 1 ? [sizes[0], sizes[0]] : sizes }), kNode, 'numpy');
        return v;
      }
      case 'triu_indices':
      case 'tril_indices': {
        const off = dimArg(2, 'offset', 'k');
        const d = off ? this.intOf(off) : 0;
        const side = fname === 'triu_indices' ? 'ge' : 'le';
        const bound: Bound = { k: d ?? 0 };
        const builders: MaskInfo['builders'] = [];
        if (fname === 'triu_indices' && (d ?? 0) <= 0) builders.push({ kind: 'triu', node: n, diagonal: d ?? 0, api: 'triu_indices', diagNode: off });
        return val(n, { mask: { set: atom({ kind: 'delta', op: side, bound }), form: 'bool', builders } });
      }
      case 'ones':
      case 'ones_like':
      case 'zeros':
      case 'zeros_like':
      case 'empty':
      case 'empty_like':
      case 'full':
      case 'full_like':
      case 'new_ones':
      case 'new_zeros':
      case 'new_full':
        return this.tensorConstructor(n, fname, a);
      case 'arange': {
        const args = a.positional.map((p) => this.ev(p));
        const lenText = a.positional.length === 1 ? a.positional[0].text : a.positional.map((p) => p.text).join(',');
        const start = a.positional.length >= 2 ? args[0] : undefined;
        const offsetSym = start && start.num === undefined ? a.positional[0].text : undefined;
        return val(n, { index: { axis: 'vec', k: start?.num ?? 0, sym: offsetSym }, shape: shape(['t']), sizes: [lenText], positionsNoOffset: offsetSym || (start?.num ?? 0) !== 0 ? undefined : n });
      }
      case 'cat':
      case 'concatenate':
      case 'concat':
      case 'hstack':
      case 'stack': {
        const first = a.positional[0];
        const items = first && (first.type === 'list' || first.type === 'tuple') ? first.namedChildren : a.positional.slice(0, 1);
        const vals = items.map((c) => this.ev(c));
        for (const v of a.keywords.values()) this.ev(v);
        const cached = items.some((c) => isCacheLikeText(c.text)) || vals.some((v) => v.cached);
        const tensor = vals.find((v) => v.role) ?? vals[vals.length - 1] ?? val(n);
        if (cached) {
          this.facts.kvCache ??= n;
          this.facts.kvCacheKeys ??= n;
        }
        const out: Val = { ...tensor, node: n, name: undefined, cached: cached || tensor.cached };
        // hstack/cat of a (T, past) zeros block with a (T, T) mask is no longer square.
        if (out.mask && vals.length > 1) out.mask = { ...out.mask, square: undefined };
        if (out.mask?.rect === undefined && fname !== 'stack' && vals.length > 1 && vals.some((v) => v.mask)) out.mask = { ...(out.mask as MaskInfo), square: undefined };
        return out;
      }
      case 'transpose':
      case 'swapaxes':
      case 'swapdims': {
        const x = P(0) ?? val(n);
        if (a.positional.length >= 3) {
          const d0 = this.intOf(a.positional[1]);
          const d1 = this.intOf(a.positional[2]);
          if (d0 !== undefined && d1 !== undefined) return this.swapAxes(n, x, d0, d1);
        }
        if ((fam === 'numpy' || fam === 'jax') && a.positional.length === 2) {
          const perm = this.intList(a.positional[1]);
          if (perm) return this.permute(n, x, perm);
        }
        if ((fam === 'numpy' || fam === 'jax') && a.positional.length === 1 && !K('axes')) return this.transposeAll(n, x);
        return { ...x, node: n, shape: undefined };
      }
      case 'permute':
        return this.permute(n, P(0) ?? val(n), this.intList(a.positional[1]) ?? []);
      case 'reshape':
        return this.reshape(n, P(0) ?? val(n), a.positional.slice(1));
      case 'expand_dims':
      case 'unsqueeze': {
        const x = P(0) ?? val(n);
        const d = this.intOf(dimArg(1, 'dim', 'axis') ?? n);
        return d === undefined ? { ...x, node: n, shape: undefined } : this.unsqueeze(n, x, d);
      }
      case 'logical_not':
      case 'bitwise_not':
      case 'invert': {
        const x = P(0) ?? val(n);
        return x.mask ? { ...x, node: n, mask: { ...x.mask, set: not(x.mask.set), form: 'bool' } } : { ...x, node: n };
      }
      case 'logical_and':
      case 'logical_or':
      case 'bitwise_and':
      case 'bitwise_or': {
        const l = P(0) ?? val(n);
        const r = P(1) ?? val(n);
        return this.combineMasks(n, fname.endsWith('and') ? '&' : '|', l, r);
      }
      case 'masked_fill': {
        const x = P(0) ?? val(n);
        return this.maskedFill(n, x, a.positional[1], a.positional[2], false, undefined);
      }
      case 'dropout':
        if (fam === 'torch') {
          const x = P(0) ?? val(n);
          const control = K('training') ?? K('train') ?? a.positional[2];
          this.facts.dropouts.push({ seq: ++this.seq, node: n, kind: 'functional', control, argsNode: a.node, input: x });
          for (const v of a.keywords.values()) this.ev(v);
          return { ...x, node: n };
        }
        break;
      case 'scaled_dot_product_attention':
      case 'dot_product_attention':
      case 'flash_attn_func':
      case 'flash_attn_varlen_func':
      case 'flash_attn_with_kvcache':
      case 'memory_efficient_attention':
        return this.sdpaCall(n, path, a);
      case 'repeat_interleave':
      case 'repeat':
      case 'tile': {
        if (fam === 'einops' && fname === 'repeat') return this.einopsRepeat(n, a);
        const x = P(0) ?? val(n);
        const d = dimArg(2, 'dim', 'axis');
        const kind = fname === 'tile' ? 'tile' : fname === 'repeat' && fam === 'torch' ? 'repeat' : 'repeat_interleave';
        const res: Val = { ...x, node: n, name: undefined };
        this.facts.repeats.push({ seq: ++this.seq, node: n, kind, input: x, args: a.positional.slice(1), dim: d ? this.intOf(d) : undefined, result: res });
        return res;
      }
      case 'rearrange':
        if (fam === 'einops') return this.rearrange(n, a);
        break;
      case 'finfo':
      case 'iinfo': {
        const t = a.positional[0];
        const tv = t ? this.ev(t) : undefined;
        const kind = tv?.dtype === 'float16' ? 'f16' : tv?.dtype === 'bfloat16' ? 'bf16' : tv?.dtype === 'float32' ? 'f32' : 'dtype';
        return val(n, { finfo: kind } as Val);
      }
      case 'isnan':
      case 'isinf':
      case 'isfinite':
      case 'nan_to_num':
      case 'isneginf': {
        this.facts.nanGuard ??= n;
        const x = P(0) ?? val(n);
        return { ...x, node: n, nanGuard: true, mask: fname === 'nan_to_num' ? x.mask : undefined, probs: fname === 'nan_to_num' ? x.probs : undefined };
      }
      case 'make_causal_mask':
        return val(n, { mask: { set: atom({ kind: 'delta', op: 'le', bound: { k: 0 } }), form: 'bool', builders: [] } });
      case 'make_attention_mask': {
        const qv = P(0);
        const kv = P(1);
        const qa = qv?.mask ? mapPadAxis(qv.mask.set, () => 'query') : TRUE;
        const ka = kv?.mask ? mapPadAxis(kv.mask.set, () => 'key') : TRUE;
        return val(n, { mask: { set: and(qa, ka), form: 'bool', builders: [] } });
      }
      case 'band_part':
      case 'matrix_band_part': {
        const lower = a.positional[1] ? this.intOf(a.positional[1]) : undefined;
        const upper = a.positional[2] ? this.intOf(a.positional[2]) : undefined;
        return this.bandPart(n, lower, upper, a.positional[1], a.positional[2]);
      }
      case 'generate_square_subsequent_mask':
        return val(n, { mask: { set: atom({ kind: 'delta', op: 'ge', bound: { k: 1 } }), form: 'additive', builders: [], fill: { kind: 'neg-inf', node: n } } });
      case 'float16':
      case 'half':
      case 'float32':
      case 'float64':
      case 'bfloat16':
      case 'asarray':
      case 'array': {
        // np.float16(x), jnp.asarray(x): a cast keeps the value's meaning.
        const x = P(0);
        const dt = fname === 'float16' || fname === 'half' ? 'float16' : fname === 'bfloat16' ? 'bfloat16' : fname.startsWith('float') ? 'float32' : x?.dtype;
        return x ? { ...x, node: n, dtype: dt } : val(n, { dtype: dt });
      }
      default:
        break;
    }
    if (isRopeCallee(fname)) return this.ropeCall(n, fname, a);
    return this.passThrough(n, a);
  }

  // ---------------------------------------------------------------------------------------
  // Tensor methods

  private method(n: SyntaxNode, recv: Val, m: string, a: Args, obj: SyntaxNode): Val {
    const P = (i: number): Val | undefined => (a.positional[i] ? this.ev(a.positional[i]) : undefined);
    const K = (k: string): SyntaxNode | undefined => a.keywords.get(k);
    const keep = (extra: Partial<Val> = {}): Val => ({ ...recv, node: n, name: undefined, ...extra });
    switch (m) {
      case 'view':
      case 'reshape':
      case 'view_as':
        return this.reshape(n, recv, a.positional);
      case 'transpose':
      case 'swapaxes':
      case 'swapdims': {
        const d0 = a.positional[0] ? this.intOf(a.positional[0]) : undefined;
        const d1 = a.positional[1] ? this.intOf(a.positional[1]) : undefined;
        if (d0 === undefined || d1 === undefined) {
          if (a.positional.length === 0) return this.transposeAll(n, recv);
          return keep({ shape: undefined });
        }
        return this.swapAxes(n, recv, d0, d1);
      }
      case 'permute': {
        const dims = a.positional.length === 1 ? this.intList(a.positional[0]) : a.positional.map((p) => this.intOf(p));
        if (!dims || dims.some((d) => d === undefined)) return keep({ shape: undefined });
        return this.permute(n, recv, dims as number[]);
      }
      case 'contiguous':
      case 'clone':
      case 'detach':
      case 'cuda':
      case 'cpu':
      case 'requires_grad_':
      case 'flatten':
      case 'squeeze':
      case 'expand':
      case 'expand_as':
      case 'sqrt_':
      case 'clamp':
      case 'clip':
        for (const p of a.positional) this.ev(p);
        // Dropping axes of scores: the key axis can no longer be located reliably.
        if (m === 'squeeze' || m === 'flatten') return keep({ shape: undefined, scores: recv.scores ? { ...recv.scores, keyAxis: undefined, queryAxis: undefined, rank: undefined } : undefined });
        if (m === 'expand' && a.positional.length >= 2) return this.expand(n, recv, a.positional);
        return keep();
      case 'float':
        return keep({ dtype: 'float32', mask: recv.mask ? { ...recv.mask, form: recv.mask.form === 'bool' ? 'float01' : recv.mask.form } : undefined });
      case 'double':
        return keep({ dtype: 'float32' });
      case 'half':
        return keep({ dtype: 'float16' });
      case 'bfloat16':
        return keep({ dtype: 'bfloat16' });
      case 'bool':
        return keep({ mask: recv.mask ? { ...recv.mask, form: recv.mask.form === 'additive' ? 'additive' : 'bool' } : undefined });
      case 'byte':
      case 'long':
      case 'int':
        return keep({ mask: recv.mask ? { ...recv.mask, form: recv.mask.form === 'additive' ? 'additive' : 'float01' } : undefined });
      case 'to':
      case 'type':
      case 'astype': {
        const arg = P(0) ?? (K('dtype') ? this.ev(K('dtype') as SyntaxNode) : undefined);
        const dt = arg?.dtype ?? (arg?.str === 'float16' ? 'float16' : undefined);
        if (dt === 'bool' && recv.mask) return keep({ mask: { ...recv.mask, form: 'bool' } });
        return keep(dt ? { dtype: dt } : {});
      }
      case 'type_as':
        return keep({ dtype: P(0)?.dtype, mask: recv.mask && recv.mask.form === 'bool' ? { ...recv.mask, form: 'float01' } : recv.mask });
      case 'unsqueeze': {
        const d = a.positional[0] ? this.intOf(a.positional[0]) : undefined;
        return d === undefined ? keep({ shape: undefined }) : this.unsqueeze(n, recv, d);
      }
      case 'masked_fill':
      case 'masked_fill_': {
        const res = this.maskedFill(n, recv, a.positional[0], a.positional[1], m === 'masked_fill_', obj);
        if (m === 'masked_fill_' && (obj.type === 'identifier' || obj.type === 'attribute')) {
          if (recv.scores && this.softmaxed.has(obj.text)) this.scoreWrite(n, obj.text);
          this.env.set(obj.text, { ...res, name: obj.text });
        }
        return res;
      }
      case 'softmax':
      case 'log_softmax': {
        const d = K('dim') ?? K('axis') ?? a.positional[0];
        return this.softmax(n, recv, d ? this.intOf(d) ?? NaN : undefined, d ? 'last' : 'implicit', 'torch', d ?? a.node);
      }
      case 'exp':
        return this.expOf(n, recv, obj, 'torch');
      case 'sum':
        return this.sumOf(n, recv, K('dim') ?? K('axis') ?? a.positional[0]);
      case 'max':
      case 'amax':
      case 'logsumexp':
        return val(n, { maxOf: recv, shape: recv.shape } as Val);
      case 'matmul':
      case 'mm':
      case 'bmm':
      case 'dot':
        return this.matmul(n, recv, P(0) ?? val(n), a.positional[0] ?? n, 'torch');
      case 'tril':
      case 'triu':
      case 'tril_':
      case 'triu_':
        return this.triangle(n, m.replace('_', '') as 'tril' | 'triu', recv, K('diagonal') ?? a.positional[0], 'method');
      case 'eq':
      case 'ne':
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge': {
        const op = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[m];
        return this.compare(n, recv, op, P(0) ?? val(n), obj, a.positional[0] ?? n);
      }
      case 'logical_not':
      case 'bitwise_not':
        return recv.mask ? keep({ mask: { ...recv.mask, set: not(recv.mask.set), form: 'bool' } }) : keep();
      case 'logical_and':
      case 'logical_or':
        return this.combineMasks(n, m === 'logical_and' ? '&' : '|', recv, P(0) ?? val(n));
      case 'size':
      case 'dim': {
        if (m === 'dim') return val(n, { num: rankOf(recv.shape) });
        if (a.positional.length === 0) return val(n, { sizes: recv.shape?.full ? recv.shape.axes : undefined, shape: recv.shape, role: recv.role, tuple: undefined });
        const d = this.intOf(a.positional[0]);
        return this.dimSize(n, recv, d, obj.text);
      }
      case 'repeat':
      case 'repeat_interleave':
      case 'tile': {
        for (const p of a.positional) this.ev(p);
        const d = K('dim') ?? (m === 'repeat_interleave' ? a.positional[1] : undefined);
        const res = keep();
        this.facts.repeats.push({ seq: ++this.seq, node: n, kind: m === 'repeat' ? 'repeat' : m === 'tile' ? 'tile' : 'repeat_interleave', input: recv, args: a.positional, dim: d ? this.intOf(d) : undefined, result: res });
        return res;
      }
      case 'chunk':
      case 'split':
      case 'unbind': {
        for (const p of a.positional) this.ev(p);
        const parts = recv.projection?.kind === 'qkv' ? ['q', 'k', 'v'] : recv.projection?.kind === 'kv' ? ['k', 'v'] : [];
        const shp = recv.shape;
        let shp2 = shp;
        if (m === 'unbind') {
          const d = a.positional[0] ? this.intOf(a.positional[0]) ?? 0 : 0;
          shp2 = shp?.full ? shape(shp.axes.filter((_, i) => i !== (d < 0 ? shp.axes.length + d : d))) : undefined;
        }
        const tuple = parts.length ? parts.map((r) => ({ ...recv, node: n, role: r as Val['role'], projection: recv.projection ? { ...recv.projection, kind: r as 'q' | 'k' | 'v' } : undefined, shape: shp2 })) : undefined;
        return keep({ tuple, splitCopies: true, shape: shp2 });
      }
      case 'update': {
        // HF Cache.update(key, value, layer_idx) returns keys/values that include the cache.
        const vals = a.positional.map((p) => this.ev(p));
        this.facts.kvCache ??= n;
        this.facts.kvCacheKeys ??= n;
        return val(n, { tuple: vals.slice(0, 2).map((v) => ({ ...v, node: n, cached: true })) });
      }
      case 'any':
      case 'all':
        this.facts.nanGuard ??= n;
        return val(n, { nanGuard: true });
      case 'nan_to_num':
      case 'nan_to_num_':
        this.facts.nanGuard ??= n;
        return keep({ nanGuard: true });
      case 'new_ones':
      case 'new_zeros':
      case 'new_full':
      case 'new_empty':
        return this.tensorConstructor(n, m, a);
      case 'fill_':
      case 'zero_':
        return keep();
      case 'apply':
        return this.passThrough(n, a);
      default:
        if (isRopeCallee(m)) return this.ropeCall(n, m, a);
        for (const p of a.positional) this.ev(p);
        for (const p of a.keywords.values()) this.ev(p);
        if (/^(norm|layer_norm|rms_norm)$/.test(m)) return keep();
        return val(n, { role: recv.role && /^(float|to|type)$/.test(m) ? recv.role : undefined });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Shapes

  private reshape(n: SyntaxNode, x: Val, argNodes: SyntaxNode[]): Val {
    let dims = argNodes;
    if (argNodes.length === 1 && (argNodes[0].type === 'tuple' || argNodes[0].type === 'list')) dims = argNodes[0].namedChildren;
    for (const d of dims) this.ev(d);
    const labels = dims.map((d) => {
      const v = this.env.get(d.text);
      if (v?.str && /^[bhrtdij1?]$/.test(v.str)) return v.str as AxisLabel;
      return classifyDimName(d.text);
    });
    const out: Val = { ...x, node: n, name: undefined };
    if (x.scores || x.probs) {
      out.shape = shape(labels.map((l, i) => (i === labels.length - 1 ? 'j' : i === labels.length - 2 ? 'i' : l)));
    } else if (dims.length === 1 && dims[0].type !== 'identifier' && labels[0] === '?') {
      out.shape = undefined;
    } else out.shape = shape(labels);
    if (x.mask) {
      out.mask = { ...x.mask };
      if (hasPadOnly(x.mask)) out.mask.set = mapPadAxis(x.mask.set, () => padAxisOf(out.shape));
    }
    if (x.index && dims.length === 2) {
      // arange(T).view(-1, 1) → a column (query) index; view(1, -1) → a row (key) index.
      const first = dims[0].text.trim();
      out.index = { ...x.index, axis: first === '1' ? 'j' : 'i' };
    }
    return out;
  }

  private swapAxes(n: SyntaxNode, x: Val, d0: number, d1: number): Val {
    const out: Val = { ...x, node: n, name: undefined };
    const s = x.shape;
    const r = rankOf(s);
    (out as Val & { swapInfo?: unknown }).swapInfo = { node: n, d0, d1, rank: r };
    const lastTwo = (a: number, b: number): boolean => {
      const na = a < 0 ? a : r !== undefined ? a - r : undefined;
      const nb = b < 0 ? b : r !== undefined ? b - r : undefined;
      return (na === -1 && nb === -2) || (na === -2 && nb === -1);
    };
    if (s) {
      const axes = [...s.axes];
      const ia = d0 < 0 ? axes.length + d0 : s.full ? d0 : -1;
      const ib = d1 < 0 ? axes.length + d1 : s.full ? d1 : -1;
      if (ia >= 0 && ib >= 0 && ia < axes.length && ib < axes.length) {
        [axes[ia], axes[ib]] = [axes[ib], axes[ia]];
        out.shape = { axes, full: s.full };
      } else out.shape = undefined;
    }
    const swapsLastTwo = lastTwo(d0, d1) || (r === 2 && ((d0 === 0 && d1 === 1) || (d0 === 1 && d1 === 0))) || (r === undefined && !s && x.mask && ((d0 === 0 && d1 === 1) || (d0 === 1 && d1 === 0)));
    if (x.mask && swapsLastTwo) out.mask = { ...x.mask, set: transposeFormula(x.mask.set) };
    if (x.scores && x.scores.keyAxis !== undefined && swapsLastTwo) {
      out.scores = { ...x.scores, keyAxis: x.scores.keyAxis === -1 ? -2 : -1, queryAxis: x.scores.queryAxis === -2 ? -1 : -2 };
    }
    return out;
  }

  private transposeAll(n: SyntaxNode, x: Val): Val {
    const out: Val = { ...x, node: n, name: undefined, transposedAll: n, rankBefore: rankOf(x.shape) } as Val;
    if (x.shape?.full) out.shape = shape([...x.shape.axes].reverse());
    else if (x.shape && x.shape.axes.length >= 2 && !x.shape.full) out.shape = undefined;
    if (x.mask && (!x.shape || rankOf(x.shape) === 2)) out.mask = { ...x.mask, set: transposeFormula(x.mask.set) };
    if (x.scores && rankOf(x.shape) === 2) out.scores = { ...x.scores, keyAxis: -2, queryAxis: -1 };
    return out;
  }

  private permute(n: SyntaxNode, x: Val, dims: number[]): Val {
    const identity = dims.length > 0 && dims.every((d, i) => d === i);
    this.facts.permutes.push({ node: n, identity, feedsMatmul: false });
    const out: Val = { ...x, node: n, name: undefined, permuteNode: n, permuteIdentity: identity } as Val;
    if (x.shape && (x.shape.full || x.shape.axes.length === dims.length)) {
      const axes = dims.map((d) => x.shape?.axes[d < 0 ? dims.length + d : d] ?? '?');
      out.shape = shape(axes as AxisLabel[]);
    } else if (dims.length) {
      out.shape = undefined;
    }
    if (x.mask && dims.length >= 2) {
      const k = dims.length;
      if (dims[k - 1] === k - 2 && dims[k - 2] === k - 1) out.mask = { ...x.mask, set: transposeFormula(x.mask.set) };
    }
    if (x.scores && dims.length >= 2) {
      const k = dims.length;
      const key = x.scores.keyAxis !== undefined ? k + x.scores.keyAxis : undefined;
      const newKey = key !== undefined ? dims.indexOf(key) : -1;
      out.scores = { ...x.scores, keyAxis: newKey >= 0 ? newKey - k : undefined };
    }
    return out;
  }

  private unsqueeze(n: SyntaxNode, x: Val, d: number): Val {
    const out: Val = { ...x, node: n, name: undefined };
    if (x.shape) {
      const axes = [...x.shape.axes];
      if (d < 0) {
        const pos = axes.length + d + 1;
        if (pos >= 0) axes.splice(pos, 0, '1');
        out.shape = { axes, full: x.shape.full };
      } else if (x.shape.full) {
        axes.splice(d, 0, '1');
        out.shape = { axes, full: true };
      } else out.shape = undefined;
    }
    if (x.index && x.index.axis === 'vec') out.index = { ...x.index, axis: d === 0 ? 'j' : 'i' };
    if (x.mask && hasPadOnly(x.mask)) out.mask = { ...x.mask, set: mapPadAxis(x.mask.set, () => padAxisOf(out.shape)) };
    return out;
  }

  private expand(n: SyntaxNode, x: Val, dims: SyntaxNode[]): Val {
    for (const d of dims) this.ev(d);
    const res: Val = { ...x, node: n, name: undefined };
    if (dims.length >= 3) {
      this.facts.repeats.push({ seq: ++this.seq, node: n, kind: 'expand', input: x, args: dims, result: res });
    }
    return res;
  }

  /** Size of axis d of a tensor as a scale term: head width once heads are split. */
  private dimSize(n: SyntaxNode, x: Val, d: number | undefined, objText: string): Val {
    const label = d !== undefined ? axisAt(x.shape, d) : undefined;
    if (label === 'd' || (d === -1 && (x.role === 'q' || x.role === 'k' || x.role === 'v'))) {
      const split = x.shape?.axes.includes('h') || /head|_h$/.test(objText);
      const cls: ScaleTerm['cls'] = split || x.role === 'q' || x.role === 'k' ? 'head' : x.role === 'x' || x.role === 'ctx' ? (this.multihead ? 'model' : 'dim') : 'dim';
      return val(n, { scale: { terms: [{ cls, exp: 1, node: n, name: n.text }], opaque: false } });
    }
    return val(n, { scale: { terms: [], opaque: true }, str: label });
  }

  // ---------------------------------------------------------------------------------------
  // Subscripts

  private indexTuple(indices: SyntaxNode[]): Val {
    return val(indices[0], { tuple: indices.map((i) => this.ev(i)) });
  }

  private subscript(n: SyntaxNode): Val {
    const base = n.child('value');
    if (!base) return val(n);
    const b = this.ev(base);
    const idx = n.childrenOf('subscript');
    // x.shape[-1] / x.size()[-1]
    const shapeOf = (b as Val & { shapeOf?: Val }).shapeOf;
    if (shapeOf && idx.length === 1) return this.dimSize(n, shapeOf, this.intOf(idx[0]), base.text.replace(/\.shape$/, ''));
    if (idx.length === 1 && idx[0].type === 'string') {
      const key = stringContent(idx[0]);
      const v = this.freshNamed(n, key);
      if (key === 'attention_mask' && v.mask) return v;
      return v;
    }
    for (const i of idx) if (i.type !== 'slice' && i.type !== 'none' && i.type !== 'ellipsis') this.ev(i);
    const out: Val = { ...b, node: n, name: undefined };
    if (b.tuple && idx.length === 1 && idx[0].type === 'integer') {
      const k = parseIntLiteral(idx[0].text);
      const part = b.tuple[k];
      if (part) return { ...part, node: n, cached: part.cached || isCacheLikeText(base.text) };
    }
    if (isCacheLikeText(base.text) && (b.role === 'k' || b.role === 'v' || /cache|past/.test(base.text))) {
      out.cached = true;
      this.facts.kvCache ??= n;
      this.facts.kvCacheKeys ??= n;
      if (/_k|key|\[0\]/.test(base.text + n.text)) out.role = out.role ?? 'k';
    }
    // Rope tables sliced from position 0 (table[:T]) ignore a cache offset.
    if (/freq|cos|sin|rope|rotary|theta|pos_emb/i.test(base.text) && idx[0]?.type === 'slice') {
      const sl = idx[0];
      const startNode = sl.namedChildren.length > 0 && sl.children[0]?.type !== ':' ? sl.namedChildren[0] : undefined;
      if (!startNode || startNode.text === '0') out.positionsNoOffset = n;
      else out.positionsNoOffset = undefined;
    }
    // Layout after indexing.
    if (b.shape || b.index || b.mask) {
      const axes = b.shape ? [...b.shape.axes] : undefined;
      const full = b.shape?.full ?? false;
      const outAxes: AxisLabel[] = [];
      let k = 0;
      let ok = !!axes && full;
      let newAxisPositions: number[] = [];
      for (const i of idx) {
        if (i.type === 'none') {
          newAxisPositions.push(outAxes.length);
          outAxes.push('1');
        } else if (i.type === 'ellipsis') {
          if (!axes) {
            ok = false;
            break;
          }
          const rest = idx.filter((x) => x.type !== 'none' && x.type !== 'ellipsis').length;
          const take = axes.length - k - rest;
          for (let t = 0; t < take; t++) outAxes.push(axes[k++]);
        } else if (i.type === 'slice') {
          if (axes) outAxes.push(axes[k] ?? '?');
          k++;
        } else {
          k++; // integer/tensor index removes the axis
        }
      }
      if (axes && ok) {
        while (k < axes.length) outAxes.push(axes[k++]);
        out.shape = shape(outAxes);
      } else if (!axes && b.index && idx.length === 2) {
        // arange(T)[:, None] → column (query) index, [None, :] → row (key) index.
        newAxisPositions = idx.map((i, p) => (i.type === 'none' ? p : -1)).filter((p) => p >= 0);
      } else if (!ok) out.shape = idx.some((i) => i.type === 'none') ? undefined : b.shape;
      if (b.index && b.index.axis === 'vec' && idx.length === 2) {
        const noneAt = idx.findIndex((i) => i.type === 'none');
        if (noneAt === 1) out.index = { ...b.index, axis: 'i' };
        else if (noneAt === 0) out.index = { ...b.index, axis: 'j' };
      }
      if (b.mask && hasPadOnly(b.mask) && out.shape) out.mask = { ...b.mask, set: mapPadAxis(b.mask.set, () => padAxisOf(out.shape)) };
      void newAxisPositions;
    }
    return out;
  }

  private indexAssign(left: SyntaxNode, target: Val, idx: Val, indices: SyntaxNode[], v: Val, rightNode: SyntaxNode): void {
    const base = left.child('value');
    const name = base && (base.type === 'identifier' || base.type === 'attribute') ? base.text : undefined;
    // scores[mask] = -inf  /  scores[i, j] = -inf inside `if j > i:` loops.
    let mask: Val | undefined = idx.mask ? idx : undefined;
    // dot[:, rows, cols] = -inf with (rows, cols) = triu_indices(…): the index pairs are the mask.
    if (!mask && idx.tuple) mask = idx.tuple.find((t) => t.mask?.builders.some((b) => b.kind === 'triu' && b.api === 'triu_indices'));
    if (!mask && indices.length >= 2) {
      const cond = this.conds[this.conds.length - 1];
      if (cond?.mask && hasDelta(cond.mask.set)) mask = cond;
    }
    if (target.scores && (v.fill || v.num !== undefined)) {
      if (mask) {
        const updated = this.recordMaskUse(left, target, mask, mask.node, 'index-assign', v.fill ?? fillFromNumber(v.num ?? 0, rightNode));
        if (name) this.env.set(name, { ...updated, name });
      }
      if (name && this.softmaxed.has(name)) this.scoreWrite(left, name);
      return;
    }
    // x[:, rows, cols] = -inf with triu_indices: clearly a score mask even when x is a parameter.
    if (!target.scores && mask?.mask?.builders.some((b) => b.kind === 'triu' && b.api === 'triu_indices') && v.fill && isNegFill(v.fill)) {
      this.recordMaskUse(left, target, mask, mask.node, 'index-assign', v.fill);
      return;
    }
    if (target.probs && (v.fill || v.num !== undefined)) {
      this.facts.probsMasks.push({ seq: ++this.seq, node: left, probs: target, mask, fill: v.fill, renormalised: false, guard: !!mask?.nanGuard });
      return;
    }
    // Building a mask element by element: m[i, j] = 1 / -inf under a loop condition.
    if (name && (target as BaseVal).base && mask?.mask) {
      const filled = v.fill ? 'additive' : 'bool';
      const set = mask.mask.set;
      const prev = target.mask?.set;
      const combined = prev ? or(prev, set) : set;
      this.env.set(name, { ...target, name, mask: { set: combined, form: filled, builders: mask.mask.builders, fill: v.fill } });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Operators

  private unary(n: SyntaxNode): Val {
    const op = n.child('operator')?.text ?? n.children[0]?.text;
    const a = this.ev(n.child('argument') ?? n.namedChildren[0] ?? n);
    if (op === '-') {
      const out: Val = val(n, { num: a.num !== undefined ? -a.num : undefined });
      if (a.fill) out.fill = negateFill(a.fill, n);
      else if (a.num !== undefined) out.fill = fillFromNumber(-a.num, n);
      if (a.scale) out.scale = a.scale;
      if (a.index) out.index = { ...a.index, k: -a.index.k };
      return out;
    }
    if (op === '~') {
      if (a.mask) return { ...a, node: n, name: undefined, mask: { ...a.mask, set: not(a.mask.set), form: 'bool' } };
      return { ...a, node: n };
    }
    return { ...a, node: n };
  }

  private power(n: SyntaxNode, base: Val, p: Val): Val {
    if (p.num === undefined) return val(n, { scale: { terms: [], opaque: true } });
    if (base.scale) return val(n, { scale: scalePow(base.scale, p.num), num: base.num !== undefined ? Math.pow(base.num, p.num) : undefined });
    if (base.num !== undefined) return val(n, { num: Math.pow(base.num, p.num), scale: { terms: [], opaque: false, constant: Math.pow(base.num, p.num) } });
    const term = this.dimTerm(base);
    if (term) return val(n, { scale: scalePow({ terms: [term], opaque: false }, p.num) });
    return val(n, { scale: { terms: [], opaque: true } });
  }

  /** A dimension-like value (d_k, self.head_dim, C // n_head) as a scale term. */
  private dimTerm(v: Val): ScaleTerm | undefined {
    if (v.scale && v.scale.terms.length === 1 && v.scale.terms[0].exp === 1 && !v.scale.opaque) return v.scale.terms[0];
    const text = v.node.text;
    const name = v.name ?? text;
    if (v.tuple || v.mask || v.scores || v.probs) return undefined;
    if (isHeadWidthName(name) || isHeadWidthName(text)) return { cls: 'head', exp: 1, node: v.node, name: text };
    if (isModelWidthName(name)) return { cls: this.multihead ? 'model' : 'dim', exp: 1, node: v.node, name: text };
    if (/^(self\.)?(dim|d|D)$/.test(name)) {
      // `dim` is the model width when the same class also names a per-head width.
      const hasHeadDim = hasHeadWidthName(this.identifiers);
      return { cls: hasHeadDim && this.multihead && /dim/.test(name) ? 'model' : 'dim', exp: 1, node: v.node, name: text };
    }
    if (/^(self\.)?(C|c|n_embd|channels)$/.test(name)) return { cls: this.multihead ? 'model' : 'dim', exp: 1, node: v.node, name: text };
    if (/^(self\.)?(temperature|temp|tau|scale|scaling|softmax_scale|sm_scale|norm_fact|norm_factor|inv_scale|alpha|logit_scale|qk_scale)$/.test(name)) return undefined;
    if (classifyDimName(name) === 'd') return { cls: 'dim', exp: 1, node: v.node, name: text };
    return undefined;
  }

  private binary(n: SyntaxNode, op: string, l: Val, r: Val, ln: SyntaxNode, rn: SyntaxNode): Val {
    switch (op) {
      case '@':
        return this.matmul(n, l, r, rn, 'unknown');
      case '*':
        return this.multiply(n, l, r, ln, rn);
      case '/':
        return this.divide(n, l, r, rn);
      case '//': {
        const text = n.text;
        if (/head|\bh\b|nh|n_head/i.test(rn.text)) return val(n, { scale: { terms: [{ cls: 'head', exp: 1, node: n, name: text }], opaque: false } });
        return val(n, { scale: { terms: [], opaque: true } });
      }
      case '**':
        return this.power(n, l, r);
      case '+':
      case '-':
        return this.addSub(n, op, l, r, ln, rn);
      case '&':
      case '|':
        return this.combineMasks(n, op, l, r);
      case '%':
        return val(n);
      default:
        return val(n);
    }
  }

  private isScaleLike(v: Val): boolean {
    return !!v.scale || v.num !== undefined || (!v.role && !v.scores && !v.probs && !v.mask && !v.tuple && !!this.dimTerm(v)) || /^(self\.)?(scale|scaling|softmax_scale|sm_scale|temperature|temp|tau|norm_fact|norm_factor|inv_scale|qk_scale|logit_scale)$/.test(v.name ?? '');
  }

  private scaleOf(v: Val): ScaleExpr {
    if (v.scale) return v.scale;
    const t = this.dimTerm(v);
    if (t) return { terms: [t], opaque: false };
    if (v.num !== undefined) return { terms: [], opaque: false, constant: v.num };
    return { terms: [], opaque: true };
  }

  private multiply(n: SyntaxNode, l: Val, r: Val, ln: SyntaxNode, rn: SyntaxNode): Val {
    // A fill constant times a mask → additive mask.
    const maskSide = l.mask ? l : r.mask ? r : undefined;
    const other = maskSide === l ? r : l;
    if (maskSide && !other.scores && !other.probs && (other.fill || other.num !== undefined) && !other.mask) {
      const fill = other.fill ?? fillFromNumber(other.num ?? 0, other.node);
      if (fill.kind === 'neg-inf' || fill.kind === 'neg-large' || fill.kind === 'neg-finite' || fill.kind === 'finfo-dtype' || fill.kind === 'finfo-f32') {
        return val(n, { mask: { ...(maskSide.mask as MaskInfo), form: 'additive', fill }, shape: maskSide.shape });
      }
    }
    if (l.mask && r.mask && !l.scores && !r.scores && !l.probs && !r.probs) return this.combineMasks(n, '&', l, r);
    // Probabilities multiplied by a mask after softmax.
    const probs = l.probs ? l : r.probs ? r : undefined;
    if (probs) {
      const m = probs === l ? r : l;
      if (m.mask || (m.name && /mask/i.test(m.name))) {
        const res: Val = { ...probs, node: n, name: undefined };
        this.facts.probsMasks.push({ seq: ++this.seq, node: n, probs, mask: m, renormalised: false, guard: !!m.nanGuard });
        (res as MaskedProbs).maskedEvent = this.facts.probsMasks[this.facts.probsMasks.length - 1];
        return res;
      }
      if (this.isScaleLike(m)) return { ...probs, node: n };
      return val(n, { role: undefined });
    }
    // Scaling of scores or of q/k before the product.
    const tensor = l.scores || l.role || l.shape ? l : r.scores || r.role || r.shape ? r : undefined;
    if (tensor) {
      const s = tensor === l ? r : l;
      const sn = tensor === l ? rn : ln;
      if (this.isScaleLike(s) && !s.mask) {
        const expr = this.scaleOf(s);
        if (tensor.scores) {
          return { ...tensor, node: n, name: undefined, scores: { ...tensor.scores, factors: [...tensor.scores.factors, { expr, node: sn, side: 'scores' }] } };
        }
        if (tensor.role === 'q' || tensor.role === 'k' || tensor.projection) {
          const pre = [...((tensor as PreScaled).prescale ?? []), { expr, node: sn }];
          return { ...tensor, node: n, name: undefined, prescale: pre } as Val;
        }
        return { ...tensor, node: n, name: undefined };
      }
      if (tensor.scores) {
        // Multiplicative masking of logits, or an unknown factor: keep the scores (opaque scale).
        if (s.mask) return { ...tensor, node: n, name: undefined };
        return { ...tensor, node: n, name: undefined, scores: { ...tensor.scores, factors: [...tensor.scores.factors, { expr: { terms: [], opaque: true }, node: sn, side: 'scores' }] } };
      }
      if (tensor.exp) return { ...tensor, node: n };
    }
    if (this.isScaleLike(l) && this.isScaleLike(r)) {
      const s = scaleMul(this.scaleOf(l), this.scaleOf(r));
      return val(n, { scale: s, num: l.num !== undefined && r.num !== undefined ? l.num * r.num : undefined, fill: l.fill && r.num !== undefined ? scaleFill(l.fill, r.num, n) : r.fill && l.num !== undefined ? scaleFill(r.fill, l.num, n) : undefined });
    }
    return val(n, { role: l.role ?? r.role, shape: l.shape ?? r.shape });
  }

  private divide(n: SyntaxNode, l: Val, r: Val, rn: SyntaxNode): Val {
    // Hand-written softmax: exp(x) / exp(x).sum(axis).
    if (l.exp && r.expSum) {
      const stable = l.exp.stable || (r.expSum.exp.exp?.stable ?? false);
      const sumVal = r;
      const axisText = (r as SumVal).axisText;
      const api = l.exp.api as 'torch' | 'numpy' | 'jax' | 'math' | 'tf';
      this.facts.handSoftmax.push({ seq: ++this.seq, node: n, exp: l, sum: sumVal, axisText, api, stable });
      const scoresSrc = (l as ExpVal).expOf;
      const dim = (r as SumVal).axis;
      if (scoresSrc?.scores) {
        return this.softmax(n, scoresSrc, dim, dim === undefined ? 'all' : 'last', 'hand', undefined, undefined, true);
      }
      return val(n, { probs: { node: n, scores: scoresSrc ?? l, dim }, shape: l.shape });
    }
    // Renormalising masked probabilities: p / p.sum(-1, keepdim=True).
    const masked = (l as MaskedProbs).maskedEvent;
    if (masked && (r.expSum || (r as SumVal).sumOfProbs)) {
      masked.renormalised = true;
      return { ...l, node: n };
    }
    if (l.probs && (r as SumVal).sumOfProbs) return { ...l, node: n };
    if (l.scores && !r.mask && !r.scores && !r.probs) {
      // Unknown divisors count as an (opaque) scale: enough to keep the scores flowing.
      const expr = this.isScaleLike(r) ? scalePow(this.scaleOf(r), -1) : { terms: [], opaque: true };
      return { ...l, node: n, name: undefined, scores: { ...l.scores, factors: [...l.scores.factors, { expr, node: rn, side: 'scores' }] } };
    }
    if ((l.role === 'q' || l.role === 'k' || l.projection) && !l.scores && this.isScaleLike(r)) {
      const pre = [...((l as PreScaled).prescale ?? []), { expr: scalePow(this.scaleOf(r), -1), node: rn }];
      return { ...l, node: n, name: undefined, prescale: pre } as Val;
    }
    if (this.isScaleLike(l) && this.isScaleLike(r)) {
      return val(n, { scale: scaleMul(this.scaleOf(l), scalePow(this.scaleOf(r), -1)), num: l.num !== undefined && r.num !== undefined && r.num !== 0 ? l.num / r.num : undefined });
    }
    if (l.probs) return { ...l, node: n };
    return val(n, { role: l.role, shape: l.shape });
  }

  private addSub(n: SyntaxNode, op: string, l: Val, r: Val, ln: SyntaxNode, rn: SyntaxNode): Val {
    // Index arithmetic: i + past, j - window.
    if (l.index && (r.num !== undefined || (!r.index && !r.mask && !r.scores))) {
      const k = r.num !== undefined ? (op === '+' ? r.num : -r.num) : 0;
      const sym = r.num === undefined ? rn.text : undefined;
      return val(n, { index: { ...l.index, k: l.index.k + k, sym: sym ? (op === '-' ? `-${sym}` : sym) : l.index.sym } });
    }
    if (r.index && l.index && op === '-') {
      // (i − j): keep as a difference for window comparisons.
      return val(n, { index: { axis: l.index.axis, k: l.index.k - r.index.k, sym: l.index.sym }, diff: { a: l.index, b: r.index } } as Val);
    }
    if (r.index && (l.num !== undefined || (!l.mask && !l.scores)) && op === '+') {
      const k = l.num ?? 0;
      return val(n, { index: { ...r.index, k: r.index.k + k, sym: l.num === undefined ? ln.text : r.index.sym } });
    }
    // 1 − mask inverts a 0/1 mask.
    if (op === '-' && l.num === 1 && r.mask) {
      return val(n, { mask: { ...r.mask, set: not(r.mask.set), form: r.mask.form === 'additive' ? 'additive' : 'float01' }, shape: r.shape });
    }
    // x − max(x): the exponent becomes ≤ 0.
    if (op === '-' && ((r as MaxVal).maxOf || /max|lse|logsumexp|m_i|m_new|row_max|running_max|m_ij/.test(rn.text))) {
      return { ...l, node: n, name: undefined, nonPositive: true };
    }
    // Scores plus an additive mask/bias.
    if (op === '+' && (l.scores || r.scores)) {
      const s = l.scores ? l : r;
      const m = s === l ? r : l;
      const mn = s === l ? rn : ln;
      if (m.mask || /mask|bias|alibi/i.test(mn.text)) return this.recordMaskUse(n, s, m, mn, 'additive', m.mask?.fill);
      return { ...s, node: n, name: undefined, shape: s.shape };
    }
    if (op === '+' && l.mask && r.mask) {
      // Two additive masks add: blocked where either is.
      const form = l.mask.form === 'additive' || r.mask.form === 'additive' ? 'additive' : 'float01';
      return val(n, { mask: { set: or(l.mask.set, r.mask.set), form, builders: [...l.mask.builders, ...r.mask.builders], fill: l.mask.fill ?? r.mask.fill, square: l.mask.square ?? r.mask.square }, shape: broadcastShapes(l.shape, r.shape) });
    }
    if (l.probs && op === '+') return { ...l, node: n };
    if (this.isScaleLike(l) && this.isScaleLike(r) && l.num !== undefined && r.num !== undefined) return val(n, { num: op === '+' ? l.num + r.num : l.num - r.num });
    if (l.scale && r.num !== undefined) return val(n, { scale: { terms: [], opaque: true } });
    return { ...val(n), role: l.role ?? r.role, shape: l.shape ?? r.shape, exp: undefined };
  }

  private comparison(n: SyntaxNode): Val {
    const parts = n.namedChildren;
    const ops = n.childrenOf('operators').map((o) => o.text);
    if (parts.length !== 2 || ops.length !== 1) {
      for (const p of parts) this.ev(p);
      return val(n);
    }
    const l = this.ev(parts[0]);
    const r = this.ev(parts[1]);
    return this.compare(n, l, ops[0], r, parts[0], parts[1]);
  }

  private compare(n: SyntaxNode, l: Val, op: string, r: Val, ln: SyntaxNode, rn: SyntaxNode): Val {
    if (op === 'is' || op === 'is not' || op === 'in' || op === 'not in') return val(n);
    // Index comparisons: arange(T)[:, None] >= arange(T)[None, :], q_idx - kv_idx <= W.
    const li = this.linear(l, ln);
    const ri = this.linear(r, rn);
    if (li && ri && (li.i !== 0 || li.j !== 0 || ri.i !== 0 || ri.j !== 0)) {
      const f = deltaAtom(li, ri, op);
      if (f) {
        const rect = l.sizes && r.sizes && l.sizes[0] !== r.sizes[0] ? { rows: l.sizes[0], cols: r.sizes[0] } : undefined;
        const info: MaskInfo = { set: f, form: 'bool', builders: [{ kind: 'compare', node: n, set: f }], rect };
        const res = val(n, { mask: info, shape: broadcastShapes(l.shape, r.shape) });
        this.facts.comparisons.push({ seq: ++this.seq, node: n, result: res });
        return res;
      }
    }
    // Padding from token ids: ids == pad / ids != pad.
    const padIdRight = /pad/i.test(rn.text) && !r.mask;
    const padIdLeft = /pad/i.test(ln.text) && !l.mask;
    if ((op === '==' || op === '!=') && (l.tokenIds || r.tokenIds || padIdRight || padIdLeft) && !l.mask && !r.mask) {
      const ids = l.tokenIds ? l : r.tokenIds ? r : padIdRight ? l : r;
      const other = ids === l ? rn : ln;
      const otherVal = ids === l ? r : l;
      if (isPadIdName(other.text) || otherVal.num === 0 || /pad/i.test(other.text)) {
        const trueMeans = op === '==' ? 'pad' : 'valid';
        return val(n, { mask: { set: atom({ kind: 'pad', trueMeans, axis: padAxisOf(ids.shape ?? shape(['b', 't'])), id: ++padAtomIds }), form: 'bool', builders: [] }, shape: ids.shape ?? shape(['b', 't']) });
      }
    }
    // Padding from lengths: arange(T)[None, :] < lengths[:, None].
    const lenSide = /len|length|valid_len|seq_lens|n_tokens/i.test(rn.text) ? 'r' : /len|length|seq_lens/i.test(ln.text) ? 'l' : undefined;
    if (lenSide && (l.index || r.index)) {
      const idxOnLeft = !!l.index;
      // pos < len → valid; pos >= len → pad (mirror when the index is on the right).
      const lessIsValid = idxOnLeft ? op === '<' || op === '<=' : op === '>' || op === '>=';
      const trueMeans = lessIsValid ? 'valid' : 'pad';
      const sh = broadcastShapes(l.shape, r.shape) ?? shape(['b', 't']);
      // lengths is per batch element: a (1, T) broadcast result is really (B, T).
      const fixed = sh.axes.length === 2 && sh.axes[1] === 't' ? shape(['b', 't']) : sh.axes.includes('t') ? sh : shape(['b', 't']);
      return val(n, { mask: { set: atom({ kind: 'pad', trueMeans, axis: padAxisOf(fixed), id: ++padAtomIds }), form: 'bool', builders: [] }, shape: fixed });
    }
    // mask == 0 / mask != 0 / mask == 1 / mask.eq(False)
    const m = l.mask ? l : r.mask ? r : undefined;
    const c = m === l ? r : l;
    if (m && m.mask && (c.num !== undefined || c.bool !== undefined)) {
      const cv = c.num ?? (c.bool ? 1 : 0);
      let set: Formula = m.mask.set;
      if (m.mask.form === 'additive') {
        // additive == 0 → allowed; additive == -inf → blocked.
        set = cv === 0 ? (op === '==' ? not(set) : set) : op === '==' ? set : not(set);
      } else if (op === '==') set = cv === 0 ? not(set) : set;
      else if (op === '!=') set = cv === 0 ? set : not(set);
      else if (op === '>' || op === '>=') set = cv <= 0 && op === '>' ? set : cv >= 1 ? set : set;
      else if (op === '<' || op === '<=') set = not(set);
      return { ...m, node: n, name: undefined, mask: { ...m.mask, set, form: 'bool' } };
    }
    // Segment ids: seg[:, :, None] == seg[:, None, :]
    if (op === '==' && /seg|segment|doc_id|document/i.test(ln.text + rn.text)) {
      return val(n, { mask: { set: atom({ kind: 'opaque', label: 'segments' }), form: 'bool', builders: [], segments: true } });
    }
    if (l.mask && r.mask) return this.combineMasks(n, op === '==' ? '&' : '|', l, r);
    return val(n, { bool: undefined });
  }

  /** Linear form a·i + b·j + c of an index expression, with at most one symbolic term. */
  private linear(v: Val, node: SyntaxNode): Linear | undefined {
    const diff = (v as DiffVal).diff;
    if (diff) {
      const a = indexLinear(diff.a);
      const b = indexLinear(diff.b);
      if (!a || !b) return undefined;
      return { i: a.i - b.i, j: a.j - b.j, k: a.k - b.k, sym: a.sym ?? (b.sym ? negSym(b.sym) : undefined) };
    }
    if (v.index) return indexLinear(v.index);
    if (v.num !== undefined) return { i: 0, j: 0, k: v.num };
    if (!v.mask && !v.scores && !v.probs && !v.tuple && /^[A-Za-z_][\w.]*$/.test(node.text)) return { i: 0, j: 0, k: 0, sym: node.text };
    if (!v.mask && !v.scores && !v.probs && node.type === 'binary_operator') return { i: 0, j: 0, k: 0, sym: node.text };
    return undefined;
  }

  private combineMasks(n: SyntaxNode, op: '&' | '|', l: Val, r: Val): Val {
    if (!l.mask && !r.mask) return val(n);
    const lm = l.mask ?? { set: atom({ kind: 'opaque', label: l.node.text }), form: 'unknown' as const, builders: [] };
    const rm = r.mask ?? { set: atom({ kind: 'opaque', label: r.node.text }), form: 'unknown' as const, builders: [] };
    // Pair masks: (b, 1, t) & (b, t, 1) → padding on both axes.
    const set = op === '&' ? and(lm.set, rm.set) : or(lm.set, rm.set);
    const info: MaskInfo = {
      set,
      form: 'bool',
      builders: [...lm.builders, ...rm.builders],
      combine: [...(lm.combine ?? []), ...(rm.combine ?? []), { op, node: n, parts: [lm, rm], formula: set }],
      leftPadding: lm.leftPadding || rm.leftPadding,
      segments: lm.segments || rm.segments,
      rect: lm.rect ?? rm.rect,
      square: lm.square ?? rm.square,
    };
    return val(n, { mask: info, shape: broadcastShapes(l.shape, r.shape) });
  }

  // ---------------------------------------------------------------------------------------
  // Attention building blocks

  private matmul(n: SyntaxNode, l: Val, r: Val, rn: SyntaxNode, api: Val['scores'] extends infer S ? S extends { api: infer A } ? A : never : never): Val {
    this.facts.matmuls.push({ seq: ++this.seq, node: n, left: l, right: r, result: val(n), rightNode: rn });
    if ((r as PermuteVal).permuteIdentity) {
      const p = this.facts.permutes.find((x) => x.node === (r as PermuteVal).permuteNode);
      if (p) p.feedsMatmul = true;
    }
    if ((l as PermuteVal).permuteIdentity) {
      const p = this.facts.permutes.find((x) => x.node === (l as PermuteVal).permuteNode);
      if (p) p.feedsMatmul = true;
    }
    // x @ W_q: a projection by a weight matrix named for its role.
    const weightKind = (rn.type === 'identifier' || rn.type === 'attribute') && !r.role && !r.scores && !r.probs ? projectionKind(rn.text) : undefined;
    if (weightKind && !l.scores && !l.probs) {
      this.facts.projections.push({ seq: this.seq, node: n, which: weightKind, arg: l, argNode: n.child('left') ?? n });
      return val(n, { role: weightKind === 'q' || weightKind === 'k' || weightKind === 'v' ? weightKind : undefined, projection: { kind: weightKind, node: n, arg: l }, shape: l.shape ? shape([...l.shape.axes.slice(0, -1), 'd'], l.shape.full) : undefined });
    }
    // Probabilities times values: the attention output.
    if (l.probs) {
      return val(n, { role: 'x', shape: l.shape && r.shape ? shape([...l.shape.axes.slice(0, -1), 'd'], l.shape.full) : undefined, attnOut: l } as Val);
    }
    if (r.probs) {
      return val(n, { role: 'x', attnOut: r } as Val);
    }
    const qLike = l.role === 'q' || l.projection?.kind === 'q';
    const kLike = r.role === 'k' || r.projection?.kind === 'k';
    const plausible = qLike || kLike || (!l.scores && !r.scores && !l.mask && !r.mask && (!!l.shape || !!r.shape || !!l.role || !!r.role));
    if (!plausible && !(l.role || r.role)) {
      return val(n, { scoresCandidate: true, shape: l.shape } as Val);
    }
    const factors: { expr: ScaleExpr; node: SyntaxNode; side: 'q' | 'k' | 'scores' }[] = [];
    for (const f of (l as PreScaled).prescale ?? []) factors.push({ ...f, side: 'q' });
    for (const f of (r as PreScaled).prescale ?? []) factors.push({ ...f, side: 'k' });
    const lr = rankOf(l.shape);
    // K·Qᵀ (key-major scores): keys on the second-to-last axis.
    const keyMajor = (l.role === 'k' || l.role === 'ctx' || l.projection?.kind === 'k') && (r.role === 'q' || r.role === 'x' || r.projection?.kind === 'q');
    const scoreAxes: AxisLabel[] | undefined = l.shape ? [...l.shape.axes.slice(0, -2), ...(keyMajor ? (['j', 'i'] as AxisLabel[]) : (['i', 'j'] as AxisLabel[]))] : undefined;
    const res: Val = val(n, {
      scores: {
        node: n,
        q: l,
        k: r,
        keyAxis: keyMajor ? -2 : -1,
        queryAxis: keyMajor ? -1 : -2,
        rank: lr,
        factors,
        qkNamed: (qLike && (kLike || /k|key/i.test(rn.text))) || (keyMajor && (l.role === 'k' || l.projection?.kind === 'k') && (r.role === 'q' || r.projection?.kind === 'q')),
        api,
      },
      shape: scoreAxes ? shape(scoreAxes, l.shape?.full ?? false) : shape(keyMajor ? ['j', 'i'] : ['i', 'j'], false),
      dtype: l.dtype ?? r.dtype,
    });
    if (qLike || kLike || l.role || r.role) {
      this.facts.scores.push({ seq: this.seq, node: n, q: l, k: r, kNode: rn, result: res, api, via: 'matmul' });
    }
    return res;
  }

  private einsum(n: SyntaxNode, a: Args, fam: PyFamily): Val {
    // torch/np/jnp: einsum(spec, a, b); einops: einsum(a, b, spec).
    let specNode = a.positional[0];
    let operandNodes = a.positional.slice(1);
    if (fam === 'einops' || (specNode && specNode.type !== 'string')) {
      specNode = a.positional[a.positional.length - 1];
      operandNodes = a.positional.slice(0, -1);
    }
    const operands = operandNodes.map((o) => this.ev(o));
    if (!specNode || specNode.type !== 'string') return val(n);
    const specText = stringContent(specNode);
    const spec = fam === 'einops' ? einopsToEinsum(specText) : parseEinsum(specText);
    const event = { seq: ++this.seq, node: n, spec: specText, specNode, operands, result: val(n) };
    this.facts.einsums.push(event);
    const done = (v: Val): Val => {
      event.result = v;
      return v;
    };
    if (!spec || operands.length !== 2 || spec.inputs.length !== 2) return val(n);
    const [A, B] = operands;
    if (A.probs || B.probs) {
      const p = A.probs ? A : B;
      return done(val(n, { role: 'x', attnOut: p, einsumConsumer: { spec, probsIndex: A.probs ? 0 : 1, specNode } } as Val));
    }
    const contracted = [...spec.inputs[0]].filter((c) => spec.inputs[1].includes(c) && !spec.output.includes(c) && c !== '.');
    if (contracted.length === 0) return val(n);
    // The query operand: named q/query, else the first operand.
    const qIdx = B.role === 'q' && A.role !== 'q' ? 1 : 0;
    const qSpec = spec.inputs[qIdx];
    const kSpec = spec.inputs[1 - qIdx];
    const qOnly = [...spec.output].filter((c) => qSpec.includes(c) && !kSpec.includes(c));
    const kOnly = [...spec.output].filter((c) => kSpec.includes(c) && !qSpec.includes(c));
    if (qOnly.length !== 1 || kOnly.length !== 1) return val(n);
    const outLen = spec.output.replace('...', '').length;
    const keyPos = spec.output.replace('...', '').indexOf(kOnly[0]);
    const qPos = spec.output.replace('...', '').indexOf(qOnly[0]);
    const qv = operands[qIdx];
    const kv = operands[1 - qIdx];
    const factors: { expr: ScaleExpr; node: SyntaxNode; side: 'q' | 'k' | 'scores' }[] = [];
    for (const f of (qv as PreScaled).prescale ?? []) factors.push({ ...f, side: 'q' });
    for (const f of (kv as PreScaled).prescale ?? []) factors.push({ ...f, side: 'k' });
    const axes: AxisLabel[] = [...spec.output.replace('...', '')].map((c) => (c === kOnly[0] ? 'j' : c === qOnly[0] ? 'i' : '?'));
    const res = val(n, {
      scores: {
        node: n,
        q: qv,
        k: kv,
        keyAxis: keyPos - outLen,
        queryAxis: qPos - outLen,
        rank: spec.ellipsis ? undefined : outLen,
        factors,
        qkNamed: qv.role === 'q' && kv.role === 'k',
        api: apiOf(fam),
        einsum: { spec: specText, node: n, keyLabel: kOnly[0], queryLabel: qOnly[0], output: spec.output, specNode },
      },
      shape: shape(axes, !spec.ellipsis),
    });
    this.facts.scores.push({ seq: this.seq, node: n, q: qv, k: kv, kNode: operandNodes[1 - qIdx], result: res, api: apiOf(fam), via: 'einsum' });
    return done(res);
  }

  private softmax(
    n: SyntaxNode,
    x: Val,
    dim: number | undefined,
    defaultDim: 'last' | 'implicit' | 'all',
    api: 'torch' | 'numpy' | 'jax' | 'scipy' | 'tf' | 'module' | 'hand',
    dimNode?: SyntaxNode,
    module?: Extract<CallableInfo, { kind: 'softmax' }>,
    hand = false,
  ): Val {
    const out: Val = val(n, {
      probs: { node: n, scores: x, dim: dim === undefined ? undefined : dim, scoresName: x.name },
      shape: x.shape,
      dtype: x.dtype,
    });
    this.facts.softmaxes.push({
      seq: ++this.seq,
      node: n,
      input: x,
      dim: Number.isNaN(dim) ? undefined : dim,
      dimNode: module ? module.dimNode : dimNode,
      defaultDim: Number.isNaN(dim) ? 'last' : defaultDim,
      api: hand ? 'hand' : api,
      moduleNode: module?.node,
      output: out,
    });
    if (Number.isNaN(dim)) this.facts.softmaxes[this.facts.softmaxes.length - 1].defaultDim = 'last';
    if (x.name) this.softmaxed.set(x.name, this.seq);
    return out;
  }

  private expOf(n: SyntaxNode, x: Val, argNode: SyntaxNode, fam: PyFamily | 'torch'): Val {
    const stable = !!x.nonPositive || /max|lse|logsumexp/i.test(argNode.text) || !!x.probs;
    return val(n, {
      exp: { stable, node: n, argNode, api: fam },
      expOf: x,
      shape: x.shape,
    } as Val);
  }

  private sumOf(n: SyntaxNode, x: Val, dimNode: SyntaxNode | undefined): Val {
    const axis = dimNode ? this.intOf(dimNode) : undefined;
    const out = val(n, { shape: x.shape, axis, axisText: dimNode?.text } as Val);
    if (x.exp) out.expSum = { exp: x };
    if (x.probs || (x as MaskedProbs).maskedEvent) (out as SumVal).sumOfProbs = true;
    return out;
  }

  private where(n: SyntaxNode, a: Args, fam: PyFamily): Val {
    const [cn, xn, yn] = a.positional;
    if (!cn || !xn || !yn) return this.passThrough(n, a);
    const c = this.ev(cn);
    const x = this.ev(xn);
    const y = this.ev(yn);
    // where(mask, scores, neg): keep where True. where(mask, neg, scores): block where True.
    const scoreSide = x.scores ? 'x' : y.scores ? 'y' : undefined;
    if (scoreSide && (c.mask || c.name)) {
      const m: Val = c.mask ? c : { ...c, mask: { set: atom({ kind: 'opaque', label: cn.text }), form: 'unknown', builders: [] } };
      const other = scoreSide === 'x' ? y : x;
      const via = scoreSide === 'x' ? 'where-keep' : 'where-block';
      return this.recordMaskUse(n, scoreSide === 'x' ? x : y, m, cn, via, other.fill ?? fillFromNumber(other.num ?? NaN, other.node));
    }
    const probsSide = x.probs ? x : y.probs ? y : undefined;
    if (probsSide) {
      const other = probsSide === x ? y : x;
      this.facts.probsMasks.push({ seq: ++this.seq, node: n, probs: probsSide, mask: c, fill: other.fill, renormalised: false, guard: !!c.nanGuard || /isnan|any|all/.test(cn.text) });
      const res: Val = { ...probsSide, node: n, name: undefined };
      (res as MaskedProbs).maskedEvent = this.facts.probsMasks[this.facts.probsMasks.length - 1];
      return res;
    }
    // where(mask, 0, -inf) builds an additive mask that is very negative where mask is False.
    if (c.mask) {
      const xf = x.fill && x.fill.kind !== 'zero' ? x.fill : undefined;
      const yf = y.fill && y.fill.kind !== 'zero' ? y.fill : undefined;
      if ((x.num === 0 || x.fill?.kind === 'zero') && yf && isNegFill(yf)) return val(n, { mask: { ...c.mask, set: not(c.mask.set), form: 'additive', fill: yf }, shape: c.shape });
      if ((y.num === 0 || y.fill?.kind === 'zero') && xf && isNegFill(xf)) return val(n, { mask: { ...c.mask, form: 'additive', fill: xf }, shape: c.shape });
      if (x.bool !== undefined && y.bool !== undefined) return val(n, { mask: { ...c.mask, set: x.bool ? c.mask.set : not(c.mask.set), form: 'bool' }, shape: c.shape });
    }
    void fam;
    return { ...x, node: n, name: undefined };
  }

  private triangle(n: SyntaxNode, kind: 'tril' | 'triu', x: Val, diagNode: SyntaxNode | undefined, api: 'torch' | 'numpy' | 'jax' | 'method'): Val {
    let diagonal: number | 'symbolic' = 0;
    let bound: Bound = { k: 0 };
    if (diagNode) {
      const d = this.ev(diagNode);
      if (d.num !== undefined) {
        diagonal = d.num;
        bound = { k: d.num };
      } else {
        diagonal = 'symbolic';
        bound = symbolicBound(diagNode);
      }
    }
    // Triangles of probabilities: masking after softmax.
    if (x.probs) {
      this.facts.probsMasks.push({ seq: ++this.seq, node: n, probs: x, renormalised: false, guard: false });
      const res: Val = { ...x, node: n };
      (res as MaskedProbs).maskedEvent = this.facts.probsMasks[this.facts.probsMasks.length - 1];
      return res;
    }
    const tri: Formula = atom({ kind: 'delta', op: kind === 'tril' ? 'le' : 'ge', bound });
    const builders: MaskInfo['builders'] = [
      kind === 'triu'
        ? { kind: 'triu', node: n, diagonal, api, diagNode }
        : { kind: 'tril', node: n, diagonal },
    ];
    const sizes = (x as BaseVal).baseSizes ?? x.sizes;
    const square = sizes && sizes.length >= 2 && sizes[sizes.length - 1] === sizes[sizes.length - 2] ? { size: sizes[sizes.length - 1], node: n } : undefined;
    const rect = sizes && sizes.length >= 2 && sizes[sizes.length - 1] !== sizes[sizes.length - 2] ? { rows: sizes[sizes.length - 2], cols: sizes[sizes.length - 1] } : undefined;
    // triu(full(-inf), 1) keeps -inf above the diagonal: an additive mask.
    if ((x as BaseVal).baseFill && isNegFill((x as BaseVal).baseFill as FillInfo)) {
      return val(n, { mask: { set: tri, form: 'additive', fill: (x as BaseVal).baseFill, builders, square, rect }, shape: x.shape });
    }
    if (x.mask && x.mask.form === 'additive') {
      return val(n, { mask: { ...x.mask, set: and(x.mask.set, tri), builders: [...x.mask.builders, ...builders], square: square ?? x.mask.square, rect: rect ?? x.mask.rect }, shape: x.shape });
    }
    const form = (x as BaseVal).baseBool ? 'bool' : 'float01';
    const res = val(n, { mask: { set: tri, form, builders, square, rect }, shape: x.shape, sizes });
    return res;
  }

  private bandPart(n: SyntaxNode, lower: number | undefined, upper: number | undefined, ln?: SyntaxNode, un?: SyntaxNode): Val {
    // band_part(x, L, U) keeps -L ≤ j - i ≤ U (negative = unbounded).
    let set: Formula = TRUE;
    if (upper !== undefined && upper >= 0) set = and(set, atom({ kind: 'delta', op: 'le', bound: { k: upper } }));
    else if (upper === undefined && un) set = and(set, atom({ kind: 'delta', op: 'le', bound: { k: 0, sym: un.text, symSign: 1 } }));
    if (lower !== undefined && lower >= 0) set = and(set, atom({ kind: 'delta', op: 'ge', bound: { k: -lower } }));
    else if (lower === undefined && ln) set = and(set, atom({ kind: 'delta', op: 'ge', bound: { k: 0, sym: ln.text, symSign: -1 } }));
    const builders: MaskInfo['builders'] = [{ kind: 'band', node: n }];
    if (lower === 0 && upper !== undefined && upper < 0) builders.push({ kind: 'triu', node: n, diagonal: 0, api: 'method' });
    return val(n, { mask: { set, form: 'float01', builders } });
  }

  private tensorConstructor(n: SyntaxNode, fname: string, a: Args): Val {
    const args = a.positional.map((p) => this.ev(p));
    let sizes: string[] | undefined;
    const first = a.positional[0];
    if (first && (first.type === 'tuple' || first.type === 'list')) sizes = first.namedChildren.map((c) => c.text);
    else if (/_like$/.test(fname)) sizes = args[0]?.sizes;
    else sizes = a.positional.filter((p, i) => !(fname.includes('full') && i === a.positional.length - 1 && a.positional.length > 1 && !(p.type === 'tuple'))).map((p) => p.text);
    if (fname.startsWith('new_') && first && first.type !== 'tuple' && first.type !== 'list') sizes = a.positional.map((p) => p.text);
    let fill: FillInfo | undefined;
    if (fname.includes('full')) {
      const fv = a.keywords.get('fill_value') ? this.ev(a.keywords.get('fill_value') as SyntaxNode) : args[fname === 'full_like' || fname === 'new_full' ? 1 : 1];
      if (fv) fill = fv.fill ?? (fv.num !== undefined ? fillFromNumber(fv.num, fv.node) : undefined);
      if (fname === 'full' && first && first.type !== 'tuple' && first.type !== 'list') sizes = [first.text];
    }
    const dtypeNode = a.keywords.get('dtype');
    const dtypeVal = dtypeNode ? this.ev(dtypeNode) : undefined;
    for (const [k, v] of a.keywords) if (k !== 'dtype' && k !== 'fill_value') this.ev(v);
    const baseBool = dtypeVal?.dtype === 'bool' || (fill?.kind === 'other' && fill.value === 1 && false);
    const base: BaseVal = val(n, {
      sizes,
      dtype: dtypeVal?.dtype,
      shape: sizes ? shape(sizes.map((s) => classifyDimName(s))) : undefined,
    }) as BaseVal;
    base.base = fname.startsWith('ones') || fname.includes('ones') ? 'ones' : fname.includes('zeros') ? 'zeros' : fname.includes('full') ? 'full' : 'empty';
    base.baseSizes = sizes;
    base.baseFill = fill;
    base.baseBool = baseBool || (fname.includes('full') && a.positional[1]?.type === 'true');
    return base;
  }

  private maskedFill(n: SyntaxNode, target: Val, maskNode: SyntaxNode | undefined, valueNode: SyntaxNode | undefined, inPlace: boolean, obj: SyntaxNode | undefined): Val {
    if (!maskNode || !valueNode) return { ...target, node: n };
    const m = this.ev(maskNode);
    const v = this.ev(valueNode);
    const fill = v.fill ?? (v.num !== undefined ? fillFromNumber(v.num, valueNode) : undefined);
    void inPlace;
    void obj;
    if (target.scores) {
      const mm: Val = m.mask ? m : { ...m, mask: { set: atom({ kind: 'opaque', label: maskNode.text }), form: 'unknown', builders: [] } };
      return this.recordMaskUse(n, target, mm, maskNode, 'masked_fill', fill);
    }
    if (target.probs) {
      this.facts.probsMasks.push({ seq: ++this.seq, node: n, probs: target, mask: m, fill, renormalised: false, guard: !!m.nanGuard || /isnan|isinf|\.any\(|\.all\(/.test(maskNode.text) });
      const res: Val = { ...target, node: n, name: undefined };
      (res as MaskedProbs).maskedEvent = this.facts.probsMasks[this.facts.probsMasks.length - 1];
      return res;
    }
    // zeros(T, T).masked_fill(m, -inf) → an additive mask, very negative where m is True.
    const base = target as BaseVal;
    if (m.mask && fill && isNegFill(fill)) {
      if (base.base || target.mask) {
        const prev = target.mask && target.mask.form === 'additive' ? target.mask.set : FALSE;
        const set = prev === FALSE ? m.mask.set : or(prev, m.mask.set);
        return val(n, { mask: { ...m.mask, set, form: 'additive', fill, square: m.mask.square ?? (base.baseSizes && base.baseSizes.length >= 2 && base.baseSizes[0] === base.baseSizes[1] ? { size: base.baseSizes[0], node: n } : undefined) }, shape: target.shape ?? m.shape });
      }
    }
    if (target.mask && m.mask && fill && fill.kind === 'zero') {
      // mask.masked_fill(mask == 1, 0.0): the allowed entries become 0 — still the same additive mask.
      return { ...target, node: n };
    }
    return { ...target, node: n };
  }

  /** Records a mask applied to scores; returns the scores with the use appended to their lineage. */
  private recordMaskUse(n: SyntaxNode, target: Val, m: Val, maskNode: SyntaxNode, via: 'masked_fill' | 'where-keep' | 'where-block' | 'additive' | 'index-assign', fill?: FillInfo): Val {
    let blocked: Formula | undefined;
    const info = m.mask;
    if (info) {
      if (via === 'where-keep') blocked = info.form === 'additive' ? undefined : not(info.set);
      // A parameter added to the scores is an additive mask of unknown construction (HF passes
      // the extended 4-D mask this way): opaque, never a 0/1 tokenizer mask.
      else if (via === 'additive') blocked = info.form === 'additive' ? info.set : info.form === 'unknown' ? atom({ kind: 'opaque', label: maskNode.text }) : undefined;
      else blocked = info.set;
    }
    const resolvedFill = fill ?? (via === 'additive' ? info?.fill : undefined);
    const ev: MaskUseEvent = {
      seq: ++this.seq,
      node: n,
      target,
      mask: m,
      maskNode,
      blocked,
      via,
      fill: resolvedFill,
      info,
      guards: [...this.guards],
    };
    this.facts.maskUses.push(ev);
    if (!target.scores) return { ...target, node: n, name: undefined };
    return { ...target, node: n, name: undefined, scores: { ...target.scores, uses: [...(target.scores.uses ?? []), ev] } };
  }

  private recordLoopSkip(s: SyntaxNode, cond: Val): void {
    this.facts.maskUses.push({
      seq: ++this.seq,
      node: s,
      target: val(s),
      mask: cond,
      maskNode: cond.node,
      blocked: cond.mask?.set,
      via: 'index-assign',
      info: cond.mask,
      guards: [...this.guards],
    });
  }

  private scoreWrite(n: SyntaxNode, name: string): void {
    const s = this.softmaxed.get(name);
    if (s !== undefined) this.facts.scoreWrites.push({ seq: ++this.seq, node: n, name, softmaxSeq: s });
  }

  private sdpaCall(n: SyntaxNode, path: string, a: Args): Val {
    const argVals = a.positional.map((p) => this.ev(p));
    const ev = this.callEvent(n, path, a, argVals);
    const fname = path.split('.').pop() ?? '';
    if (/^flash_attn|memory_efficient/.test(fname)) this.facts.flashAttn.push(ev);
    else this.facts.sdpa.push(ev);
    const dropout = ev.keywords.get('dropout_p');
    if (dropout || (fname === 'scaled_dot_product_attention' && argVals.length >= 5)) {
      this.facts.dropouts.push({ seq: ++this.seq, node: n, kind: 'sdpa', control: dropout?.node ?? a.positional[4] });
    }
    const q = argVals[0];
    return val(n, { role: 'x', shape: q?.shape });
  }

  private ropeCall(n: SyntaxNode, name: string, a: Args, argVals?: Val[]): Val {
    const vals = argVals ?? a.positional.map((p) => this.ev(p));
    const all = vals.map((v, i) => ({ val: v, node: a.positional[i] }));
    for (const v of a.keywords.values()) all.push({ val: this.ev(v), node: v });
    const tensors = all.filter((x) => x.node && (x.val.role || /^(q|k|v|x|t|query|key|value|xq|xk|xv)\b/.test(x.node.text)) && !/cos|sin|freq|pos|theta/i.test(x.node.text));
    const inverse = isInverseRopeCallee(name);
    this.facts.ropes.push({ seq: ++this.seq, node: n, args: tensors, all, inverse, inner: false });
    const rot = (v: Val): Val => ({ ...v, node: n, name: undefined, rotations: [...(v.rotations ?? []), n] });
    const rotated = tensors.filter((t) => t.val.role === 'q' || t.val.role === 'k' || t.val.role === 'v' || t.val.role === 'x');
    if (rotated.length >= 2) return val(n, { tuple: rotated.map((t) => rot(t.val)) });
    if (rotated.length === 1) return rot(rotated[0].val);
    return vals[0] ? rot(vals[0]) : val(n);
  }

  private einopsRepeat(n: SyntaxNode, a: Args): Val {
    const x = a.positional[0] ? this.ev(a.positional[0]) : val(n);
    for (const v of a.keywords.values()) this.ev(v);
    const res: Val = { ...x, node: n, name: undefined };
    this.facts.repeats.push({ seq: ++this.seq, node: n, kind: 'einops', input: x, args: a.positional.slice(1), result: res });
    return res;
  }

  private rearrange(n: SyntaxNode, a: Args): Val {
    const x = a.positional[0] ? this.ev(a.positional[0]) : val(n);
    for (const v of a.keywords.values()) this.ev(v);
    const pat = a.positional[1];
    if (!pat || pat.type !== 'string') return { ...x, node: n, shape: undefined };
    const [lhs, rhs] = stringContent(pat).split('->');
    const out = rhs ? parseEinopsSide(rhs) : undefined;
    const inp = lhs ? parseEinopsSide(lhs) : undefined;
    const res: Val = { ...x, node: n, name: undefined };
    if (out) {
      res.shape = shape(out.map((g) => (g.length === 1 ? classifyShapeName(g[0]) : '?')));
    }
    if (x.mask && inp && out) {
      res.mask = { ...x.mask };
      if (hasPadOnly(x.mask)) res.mask.set = mapPadAxis(x.mask.set, () => padAxisOf(res.shape));
    }
    if (x.projection?.kind === 'qkv' && out && out[0]?.length === 1 && /^(three|qkv|t|n)$/.test(out[0][0])) {
      res.tuple = (['q', 'k', 'v'] as const).map((r) => ({ ...res, role: r, shape: res.shape ? shape(res.shape.axes.slice(1)) : undefined }));
    }
    return res;
  }

  private intOf(n: SyntaxNode): number | undefined {
    const v = this.ev(n);
    if (v.num !== undefined && Number.isInteger(v.num)) return v.num;
    return undefined;
  }

  private intList(n: SyntaxNode | undefined): number[] | undefined {
    if (!n) return undefined;
    if (n.type === 'tuple' || n.type === 'list') {
      const xs = n.namedChildren.map((c) => this.intOf(c));
      return xs.some((x) => x === undefined) ? undefined : (xs as number[]);
    }
    const x = this.intOf(n);
    return x === undefined ? undefined : [x];
  }
}

// -----------------------------------------------------------------------------------------
// Helpers (private types and small functions)

/** Maximal mask lineages reaching a softmax, plus every other use on its own. */
function lineagesOf(facts: FunctionFacts): MaskUseEvent[][] {
  const out: MaskUseEvent[][] = [];
  const covered = new Set<MaskUseEvent>();
  const chains = facts.softmaxes.map((s) => s.input.scores?.uses ?? []).filter((u) => u.length > 0);
  chains.sort((a, b) => b.length - a.length);
  for (const c of chains) {
    if (c.every((u) => covered.has(u))) continue;
    out.push(c);
    for (const u of c) covered.add(u);
  }
  for (const u of facts.maskUses) if (!covered.has(u)) out.push([u]);
  return out;
}

type PreScaled = Val;
type MaskedProbs = Val;
type SumVal = Val;
type MaxVal = Val;
type ExpVal = Val;
type PermuteVal = Val;
type DiffVal = Val;
type FinfoVal = Val;
export type BaseVal = Val;

function indexLinear(ix: NonNullable<Val['index']>): Linear | undefined {
  if (ix.axis === 'vec') return undefined;
  return { i: ix.axis === 'i' ? 1 : 0, j: ix.axis === 'j' ? 1 : 0, k: ix.k, sym: ix.sym };
}

/** `window`, `-window`, `window - 1`, `j - i + 1` → k + sign·sym. */
function symbolicBound(n: SyntaxNode): Bound {
  const t = n.text.replace(/\s+/g, '');
  const m = /^(-)?\(?([A-Za-z_][\w.]*)\)?([+-]\d+)?$/.exec(t);
  if (m) return { k: m[3] ? Number(m[3]) : 0, sym: m[2], symSign: m[1] ? -1 : 1 };
  return { k: 0, sym: t, symSign: 1 };
}

function hasPadOnly(m: MaskInfo): boolean {
  return m.set.op === 'atom' ? m.set.atom.kind === 'pad' : m.set.op === 'not' && m.set.a.op === 'atom' && m.set.a.atom.kind === 'pad';
}

/** Where the (single) token axis of a padding mask lies once right-aligned with the scores. */
export function padAxisOf(s: Shape | undefined): 'key' | 'query' | 'unknown' {
  if (!s) return 'unknown';
  const ts = s.axes.map((a, i) => (a === 't' ? i : -1)).filter((i) => i >= 0);
  if (ts.length !== 1) return 'unknown';
  const fromEndPos = ts[0] - s.axes.length;
  return fromEndPos === -1 ? 'key' : fromEndPos === -2 ? 'query' : 'unknown';
}

/** einops axis names: single letters follow the usual conventions (i, j, n, t: tokens). */
function classifyShapeName(name: string): AxisLabel {
  if (/^(i|j|n|t|s|l|k|q)$/.test(name)) return 't';
  if (/^(e|c|d)$/.test(name)) return 'd';
  return classifyDimName(name);
}

function apiOf(fam: PyFamily | string): 'torch' | 'numpy' | 'jax' | 'tf' | 'unknown' {
  return fam === 'torch' ? 'torch' : fam === 'numpy' ? 'numpy' : fam === 'jax' || fam === 'flax' ? 'jax' : fam === 'tf' ? 'tf' : 'unknown';
}

function numScale(v: Val): ScaleExpr {
  return v.num !== undefined ? { terms: [], opaque: false, constant: v.num } : { terms: [], opaque: true };
}

function parseIntLiteral(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return parseInt(t, 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  return Number(t);
}

export function stringContent(n: SyntaxNode): string {
  const parts = n.children.filter((c) => c.type === 'string_content').map((c) => c.text);
  if (parts.length) return parts.join('');
  return n.text.replace(/^[rbuRBUfF]*("""|'''|"|')/, '').replace(/("""|'''|"|')$/, '');
}

/** Classify a literal fill value. float16's largest finite value is 65504. */
export function fillFromNumber(x: number, node: SyntaxNode): FillInfo {
  if (Number.isNaN(x)) return { kind: 'other', node };
  if (x === -Infinity) return { kind: 'neg-inf', node, value: x };
  if (x === Infinity) return { kind: 'pos-inf', node, value: x };
  if (x === 0) return { kind: 'zero', node, value: 0 };
  if (x < -65504) return { kind: 'neg-large', node, value: x };
  if (x <= -1000) return { kind: 'neg-finite', node, value: x };
  return { kind: 'other', node, value: x };
}

function negateFill(f: FillInfo, node: SyntaxNode): FillInfo {
  switch (f.kind) {
    case 'neg-inf':
      return { kind: 'pos-inf', node };
    case 'pos-inf':
      return { kind: 'neg-inf', node };
    case 'finfo-dtype':
    case 'finfo-f32':
      return { ...f, node };
    default:
      return f.value !== undefined ? fillFromNumber(-f.value, node) : { kind: 'other', node };
  }
}

function scaleFill(f: FillInfo, factor: number, node: SyntaxNode): FillInfo {
  if (f.value !== undefined) return fillFromNumber(f.value * factor, node);
  if (factor > 0) return { ...f, node };
  return negateFill(f, node);
}

function finfoFill(node: SyntaxNode, kind: string, attr: string): FillInfo {
  if (attr === 'max') return { kind: 'other', node };
  if (kind === 'f32') return { kind: 'finfo-f32', node, value: -3.4028234663852886e38 };
  if (kind === 'f16') return { kind: 'neg-finite', node, value: -65504 };
  if (kind === 'bf16') return { kind: 'neg-large', node, value: -3.3895313892515355e38 };
  return { kind: 'finfo-dtype', node };
}

export function isNegFill(f: FillInfo): boolean {
  return f.kind === 'neg-inf' || f.kind === 'neg-large' || f.kind === 'neg-finite' || f.kind === 'finfo-dtype' || f.kind === 'finfo-f32';
}

function firstTuple(text: string): string | undefined {
  const m = /[([][^()[\]]*[)\]]/.exec(text);
  return m?.[0];
}

export function paramNames(fn: SyntaxNode): string[] {
  const params = fn.child('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (p.type === 'identifier') out.push(p.text);
    else {
      const n = p.child('name') ?? p.namedChildren.find((c) => c.type === 'identifier');
      if (n && n.type === 'identifier') out.push(n.text);
    }
  }
  return out;
}

/** Functions and classes defined directly inside a function (not inside a nested one). */
export function nestedDefinitions(fn: SyntaxNode): SyntaxNode[] {
  return functionInfo(fn).definitions;
}


interface FunctionInfo {
  identifiers: Set<string>;
  multihead: boolean;
  docText: string;
  docShapes: Map<string, AxisLabel[]>;
  /** Definitions directly inside (functions and classes not nested in another one), in order. */
  definitions: SyntaxNode[];
}

const MULTIHEAD_NAME = /^(n_?heads?|num_heads|heads|nhead|num_attention_heads|h|n_head|head_count|num_kv_heads|n_kv_heads)$/;
const functionInfos = new WeakMap<SyntaxNode, FunctionInfo>();
const multiheadClasses = new WeakMap<PyClassContext, boolean>();
const headWidthSets = new WeakMap<Set<string>, boolean>();

/** Identifiers, comments/docstrings and documented shapes of a function, computed once per node. */
function functionInfo(fn: SyntaxNode): FunctionInfo {
  let info = functionInfos.get(fn);
  if (info) return info;
  // One walk collects what four separate walks used to: identifiers, comment and docstring
  // texts, the comments that document shapes (those outside nested functions), and the
  // definitions nested directly inside (analysed on their own).
  const identifiers = new Set<string>();
  const parts: string[] = [];
  const shapeComments: string[] = [];
  const definitions: SyntaxNode[] = [];
  const visit = (c: SyntaxNode, inFunction: boolean, inDefinition: boolean): void => {
    const type = c.type;
    if (type === 'identifier') identifiers.add(c.text);
    else if (type === 'attribute') {
      // Test the source in place; slice only `self.…` attributes.
      if (c.source.startsWith('self.', c.start)) identifiers.add(c.source.slice(c.start + 5, c.end));
    } else if (type === 'comment') {
      const t = c.text;
      parts.push(t);
      if (!inFunction) shapeComments.push(t);
    } else if (type === 'expression_statement' && c.namedChildren[0]?.type === 'string') parts.push(c.text);
    const children = c.children;
    if (children.length === 0) return;
    let childInFunction = inFunction;
    let childInDefinition = inDefinition;
    if (c !== fn && (type === 'function_definition' || type === 'class_definition')) {
      if (!inDefinition) definitions.push(c);
      childInDefinition = true;
      if (type === 'function_definition') childInFunction = true;
    }
    for (let i = 0; i < children.length; i++) visit(children[i], childInFunction, childInDefinition);
  };
  visit(fn, false, false);
  info = {
    identifiers,
    multihead: [...identifiers].some((t) => MULTIHEAD_NAME.test(t)),
    docText: parts.join('\n').toLowerCase(),
    docShapes: extractDocShapes(fn, shapeComments),
    definitions,
  };
  functionInfos.set(fn, info);
  return info;
}

function classIsMultihead(cls: PyClassContext): boolean {
  let m = multiheadClasses.get(cls);
  if (m === undefined) {
    m = [...cls.identifiers].some((t) => MULTIHEAD_NAME.test(t));
    multiheadClasses.set(cls, m);
  }
  return m;
}

function hasHeadWidthName(ids: Set<string>): boolean {
  let h = headWidthSets.get(ids);
  if (h === undefined) {
    h = [...ids].some((t) => isHeadWidthName(t));
    headWidthSets.set(ids, h);
  }
  return h;
}

/** Shapes documented in the docstring/comments: "q: (B, H, T, D)", "k, v (batch, heads, seq, dim)". */
function extractDocShapes(fn: SyntaxNode, comments: string[]): Map<string, AxisLabel[]> {
  const out = new Map<string, AxisLabel[]>();
  const texts: string[] = [];
  const body = fn.child('body');
  const first = body?.namedChildren[0];
  if (first && first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') texts.push(first.text);
  // Comments of the function outside nested definitions (those right after the signature
  // are children of the definition, not of its body).
  texts.push(...comments);
  const tupleRe = /[([][^()[\]]*[)\]]/g;
  for (const t of texts) {
    for (const line of t.split('\n')) {
      // Several "name: (shape)" pairs may share a line: names come from the text since the last tuple.
      let from = 0;
      tupleRe.lastIndex = 0;
      for (let m = tupleRe.exec(line); m; m = tupleRe.exec(line)) {
        const labels = parseShapeTuple(m[0]);
        const before = line.slice(from, m.index);
        from = m.index + m[0].length;
        if (!labels) continue;
        const head = before.includes(':') ? before.slice(0, before.lastIndexOf(':')) : before;
        const names = head
          .replace(/[#"'`*]/g, ' ')
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter((s) => /^[A-Za-z_]\w*$/.test(s) && !/^(Tensor|tensor|torch|np|array|ndarray|jnp|Array|float|int|optional|Optional|of|shape|with|the|and|is|a|an|in|Args|Returns|FloatTensor|BoolTensor|LongTensor|returns|input|output|are|arrays?|tensors?|each)$/.test(s));
        for (const nm of names) out.set(nm, labels);
      }
    }
  }
  return out;
}

/** einops.einsum pattern "b h i d, b h j d -> b h i j" → torch einsum letters. */
function einopsToEinsum(pattern: string): ReturnType<typeof parseEinsum> {
  const [lhs, rhs] = pattern.split('->');
  if (!lhs || rhs === undefined) return undefined;
  const names = new Map<string, string>();
  const letter = (w: string): string => {
    if (!names.has(w)) names.set(w, String.fromCharCode(97 + names.size));
    return names.get(w) as string;
  };
  const side = (s: string): string =>
    s
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => (w === '...' ? '...' : letter(w)))
      .join('');
  const inputs = lhs.split(',').map(side);
  return parseEinsum(`${inputs.join(',')}->${side(rhs)}`);
}
