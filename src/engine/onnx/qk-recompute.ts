// Route 2: attention probabilities recomputed from a module's Q and K.
//
//   P[h, i, :] = softmax( steps( Σ_d Q[h, i, d] · K[g(h), :, d] ) )
//
// where `steps` replays, element by element, exactly what the graph does between Q·Kᵀ and
// its softmax (scale, additive or Where masks, softcap, causal masks of fused ops), and g(h)
// is the key head query head h reads (NumPy broadcasting of a MatMul's leading axes, or
// GQA grouping for fused operators). Only the heads and rows asked for are computed: a
// 12-head layer at 4,096 tokens holds 805 MB of probabilities but only 25 MB of Q and K.
//
// Q·Kᵀ runs in float32 on the reference engine's tile GEMM (WebAssembly SIMD where available),
// as ONNX Runtime computes it; the steps and the softmax run in float64 and are stored as
// float32, so the result matches ONNX Runtime's graph to about 1e-6.
import type { Operand, QkSpec, ScoreStep, TensorRef } from './attention-site';
import { DataType, type TensorArray } from './proto';
import { applyRotaryEmbedding } from '../reference/rotary-embedding';
import { broadcastShapes } from '../reference/broadcast';
import { javascriptTileKernels, type TileKernels } from '../reference/tile-kernels';
import { simdTileKernels } from '../reference/tile-kernels-simd';

/** Looks up a fetched tensor by name (route 2 fetches Q, K and computed mask operands). */
export type FetchedTensors = (name: string) => TensorArray | undefined;

/** Q and K of one module in [heads, length, headSize] order, with everything needed to replay its steps. */
export interface PreparedQk {
  /** Query heads = heads of the probabilities. */
  heads: number;
  queryLength: number;
  keyLength: number;
  headSize: number;
  /** [qHeads, Lq, D] */
  q: Float32Array;
  /** [kHeads, Lk, D] */
  k: Float32Array;
  /** Row of q / k (head index) read by probability head h. */
  qHead: Int32Array;
  kHead: Int32Array;
  steps: ResolvedStep[];
}

interface Broadcast {
  /** Offset of head h's [Lq, Lk] block in the operand. */
  head: Int32Array;
  iStride: number;
  jStride: number;
}

type ResolvedStep =
  | { kind: 'scale'; factor: number }
  | { kind: 'binary'; op: string; scoresOnLeft: boolean; data: ArrayLike<number>; at: Broadcast }
  | { kind: 'where'; cond: ArrayLike<number>; condAt: Broadcast; other: ArrayLike<number>; otherAt: Broadcast; scoresWhenTrue: boolean }
  | { kind: 'unary'; op: 'Tanh' | 'Neg' | 'Identity' }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'causal'; offset: number; window?: number }
  | { kind: 'keep'; data: ArrayLike<number>; at: Broadcast }
  | { kind: 'key-padding'; data: ArrayLike<number>; jStride: number; fill: number };

export class QkRecomputeError extends Error {}

/** Names of the tensors a spec needs from the run (Q, K, computed operands; V and output for the check). */
export function qkFetchNames(spec: QkSpec, withCheck = false): string[] {
  const names = new Set<string>();
  const add = (o: Operand | undefined) => {
    if (o && 'tensor' in o) names.add(o.tensor);
  };
  const addRef = (r: TensorRef) => {
    names.add(r.tensor);
    add(r.bias?.operand);
  };
  addRef(spec.q);
  addRef(spec.k);
  for (const s of spec.steps) {
    if (s.kind === 'binary' || s.kind === 'mask' || s.kind === 'key-padding') add(s.operand);
    if (s.kind === 'where') {
      add(s.condition);
      add(s.other);
    }
  }
  add(spec.rotary?.cos);
  add(spec.rotary?.sin);
  if (withCheck && spec.check) {
    addRef(spec.check.v);
    names.add(spec.check.output);
  }
  return [...names];
}

function operandValue(o: Operand, fetched: FetchedTensors, what: string): TensorArray {
  const v = 'value' in o ? o.value : fetched(o.tensor);
  if (!v) throw new QkRecomputeError(`${what}: tensor '${'tensor' in o ? o.tensor : '?'}' was not fetched`);
  if (Array.isArray(v.data)) throw new QkRecomputeError(`${what}: tensor holds strings`);
  return v;
}

function numeric(v: TensorArray): ArrayLike<number> {
  const d = v.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, (x) => Number(x));
  return d as ArrayLike<number>;
}

/** A tensor viewed as [heads, length, D] (copied only when its layout needs it). */
function headsFirst(ref: TensorRef, fetched: FetchedTensors, what: string): { data: Float32Array; leading: number[]; length: number; dim: number } {
  const t = operandValue({ tensor: ref.tensor }, fetched, what);
  const dims = t.dims;
  let data = t.data instanceof Float32Array ? t.data : Float32Array.from(numeric(t));
  if (ref.layout === 'hidden' && dims.length === 3) {
    const heads = ref.heads ?? 0;
    const [batch, length, hidden] = dims;
    if (batch !== 1) throw new QkRecomputeError(`${what}: batch ${batch}; recomputation runs one sequence`);
    if (!(heads > 0) || hidden % heads !== 0) throw new QkRecomputeError(`${what}: hidden size ${hidden} does not split into ${heads} heads`);
    const dim = hidden / heads;
    let bias: ArrayLike<number> | undefined;
    let biasOffset = 0;
    if (ref.bias) {
      bias = numeric(operandValue(ref.bias.operand, fetched, `${what} bias`));
      biasOffset = ref.bias.offset * hidden;
    }
    const out = new Float32Array(heads * length * dim);
    for (let l = 0; l < length; l++) {
      for (let h = 0; h < heads; h++) {
        for (let d = 0; d < dim; d++) {
          const c = h * dim + d;
          out[(h * length + l) * dim + d] = data[l * hidden + c] + (bias ? bias[biasOffset + c] : 0);
        }
      }
    }
    return { data: out, leading: [1, heads], length, dim };
  }
  if (dims.length < 2) throw new QkRecomputeError(`${what}: a tensor of rank ${dims.length} cannot hold rows of a head`);
  const leading = dims.slice(0, -2);
  const heads = leading.reduce((a, b) => a * b, 1);
  if (ref.layout === 'columns') {
    const [dim, length] = dims.slice(-2);
    const out = new Float32Array(data.length);
    for (let h = 0; h < heads; h++) {
      const base = h * dim * length;
      for (let d = 0; d < dim; d++) for (let l = 0; l < length; l++) out[base + l * dim + d] = data[base + d * length + l];
    }
    data = out;
    return { data, leading, length, dim };
  }
  const [length, dim] = dims.slice(-2);
  return { data, leading, length, dim };
}

/** For each flat index of `target` leading dims, the flat index into `source` leading dims (broadcast). */
function broadcastHeads(source: readonly number[], target: readonly number[]): Int32Array {
  const n = target.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const rank = target.length;
  const src = [...new Array<number>(Math.max(0, rank - source.length)).fill(1), ...source];
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = src[a] === 1 ? 0 : acc;
    acc *= src[a];
  }
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let offset = 0;
    for (let a = rank - 1; a >= 0; a--) {
      const idx = rest % target[a];
      rest = Math.floor(rest / target[a]);
      offset += idx * strides[a];
    }
    out[flat] = offset;
  }
  return out;
}

/** How an operand of `dims` broadcasts onto scores of leading dims `leading` + [Lq, Lk]. */
function broadcastOperand(dims: readonly number[], leading: readonly number[], lq: number, lk: number, what: string): Broadcast {
  const rank = leading.length + 2;
  if (dims.length > rank) {
    // Extra leading axes of size 1 (e.g. a [1, 1, L, L] mask on [H, L, L] scores) are harmless.
    const extra = dims.slice(0, dims.length - rank);
    if (extra.some((d) => d !== 1)) throw new QkRecomputeError(`${what}: shape [${dims.join(', ')}] has more axes than the scores`);
    dims = dims.slice(dims.length - rank);
  }
  const full = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const di = full[rank - 2];
  const dj = full[rank - 1];
  if ((di !== 1 && di !== lq) || (dj !== 1 && dj !== lk)) {
    throw new QkRecomputeError(`${what}: shape [${dims.join(', ')}] does not broadcast to scores [.., ${lq}, ${lk}]`);
  }
  const lead = full.slice(0, rank - 2);
  try {
    broadcastShapes(lead, leading);
  } catch {
    throw new QkRecomputeError(`${what}: shape [${dims.join(', ')}] does not broadcast to scores [${[...leading, lq, lk].join(', ')}]`);
  }
  const block = di * dj;
  const head = broadcastHeads(lead, leading).map((h) => h * block);
  return { head, iStride: di === 1 ? 0 : dj, jStride: dj === 1 ? 0 : 1 };
}

function applyRotary(x: { data: Float32Array; leading: number[]; length: number; dim: number }, cos: TensorArray, sin: TensorArray, interleaved: boolean) {
  const heads = x.leading.reduce((a, b) => a * b, 1);
  const positions = { data: Array.from({ length: x.length }, (_, i) => i), shape: [1, x.length] };
  const f32 = (t: TensorArray) => ({ data: t.data instanceof Float32Array ? t.data : Float32Array.from(numeric(t)), shape: t.dims });
  const rotated = applyRotaryEmbedding({ data: x.data, shape: [1, heads, x.length, x.dim] }, f32(cos), f32(sin), { interleaved, positionIds: positions });
  return { ...x, data: rotated.data };
}

/** Reads Q and K from a run's outputs and resolves the steps against the actual shapes. */
export function prepareQk(spec: QkSpec, fetched: FetchedTensors): PreparedQk {
  let q = headsFirst(spec.q, fetched, 'Q');
  let k = headsFirst(spec.k, fetched, 'K');
  if (q.dim !== k.dim) throw new QkRecomputeError(`Q has head size ${q.dim} but K has ${k.dim}`);
  if (spec.rotary) {
    const cos = operandValue(spec.rotary.cos, fetched, 'cos cache');
    const sin = operandValue(spec.rotary.sin, fetched, 'sin cache');
    q = applyRotary(q, cos, sin, spec.rotary.interleaved);
    k = applyRotary(k, cos, sin, spec.rotary.interleaved);
  }
  const lq = q.length;
  const lk = k.length;
  let leading: number[];
  let qHead: Int32Array;
  let kHead: Int32Array;
  if (spec.heads === 'groups') {
    // Fused operators: query head h reads key head ⌊h / (Hq / Hkv)⌋ (MHA, GQA, MQA).
    const hq = q.leading.reduce((a, b) => a * b, 1);
    const hk = k.leading.reduce((a, b) => a * b, 1);
    if (hq % hk !== 0) throw new QkRecomputeError(`${hq} query heads do not group onto ${hk} key heads`);
    leading = [1, hq];
    qHead = Int32Array.from({ length: hq }, (_, h) => h);
    kHead = Int32Array.from({ length: hq }, (_, h) => Math.floor(h / (hq / hk)));
  } else {
    // MatMul: NumPy broadcasting of the leading axes.
    try {
      leading = broadcastShapes(q.leading, k.leading);
    } catch (e) {
      throw new QkRecomputeError(`Q and K leading axes do not broadcast: ${(e as Error).message}`);
    }
    qHead = broadcastHeads(q.leading, leading);
    kHead = broadcastHeads(k.leading, leading);
  }
  const heads = qHead.length;
  if (spec.softmaxAxis !== undefined) {
    const rank = leading.length + 2;
    if (spec.softmaxAxis !== rank - 1) throw new QkRecomputeError(`the softmax runs over axis ${spec.softmaxAxis} of a rank-${rank} score tensor, not over the keys`);
  }
  const steps = spec.steps.map((s, n) => resolveStep(s, fetched, leading, lq, lk, q.dim, `step ${n + 1} (${s.kind})`));
  return { heads, queryLength: lq, keyLength: lk, headSize: q.dim, q: q.data, k: k.data, qHead, kHead, steps };
}

function resolveStep(step: ScoreStep, fetched: FetchedTensors, leading: number[], lq: number, lk: number, dim: number, what: string): ResolvedStep {
  switch (step.kind) {
    case 'scale':
      return { kind: 'scale', factor: step.factor ?? 1 / Math.sqrt(dim) };
    case 'binary': {
      const v = operandValue(step.operand, fetched, what);
      return { kind: 'binary', op: step.op, scoresOnLeft: step.scoresOnLeft, data: numeric(v), at: broadcastOperand(v.dims, leading, lq, lk, what) };
    }
    case 'where': {
      const c = operandValue(step.condition, fetched, `${what} condition`);
      const o = operandValue(step.other, fetched, `${what} value`);
      return {
        kind: 'where',
        cond: numeric(c),
        condAt: broadcastOperand(c.dims, leading, lq, lk, `${what} condition`),
        other: numeric(o),
        otherAt: broadcastOperand(o.dims, leading, lq, lk, `${what} value`),
        scoresWhenTrue: step.scoresWhenTrue,
      };
    }
    case 'unary':
      return step;
    case 'clip':
      return step;
    case 'causal':
      return { kind: 'causal', offset: step.alignment === 'bottom-right' ? lk - lq : 0, ...(step.window !== undefined ? { window: step.window } : {}) };
    case 'mask': {
      const v = operandValue(step.operand, fetched, what);
      const at = broadcastOperand(v.dims, leading, lq, lk, what);
      if (v.dataType === DataType.BOOL) return { kind: 'keep', data: numeric(v), at };
      return { kind: 'binary', op: 'Add', scoresOnLeft: true, data: numeric(v), at };
    }
    case 'key-padding': {
      const v = operandValue(step.operand, fetched, what);
      const last = v.dims[v.dims.length - 1];
      if (last !== lk || v.dims.slice(0, -1).some((d) => d !== 1)) {
        throw new QkRecomputeError(`${what}: key padding mask [${v.dims.join(', ')}] is not [1, ${lk}]`);
      }
      return { kind: 'key-padding', data: numeric(v), jStride: 1, fill: step.fill };
    }
  }
}

function binary(op: string, a: number, b: number): number {
  switch (op) {
    case 'Add': return a + b;
    case 'Sub': return a - b;
    case 'Mul': return a * b;
    case 'Div': return a / b;
    case 'Min': return Math.min(a, b);
    case 'Max': return Math.max(a, b);
    case 'Pow': return Math.pow(a, b);
    default: throw new QkRecomputeError(`unknown op ${op}`);
  }
}

export interface WeightsSelection {
  /** Probability heads to compute (default: all). */
  heads?: readonly number[];
  /** Query rows [rowStart, rowEnd) (default: all). */
  rowStart?: number;
  rowEnd?: number;
}

/** Probabilities for the selected heads and rows: [heads.length, rowEnd − rowStart, keyLength]. */
export function recomputeWeights(p: PreparedQk, selection: WeightsSelection = {}): Float32Array {
  const heads = selection.heads ?? Array.from({ length: p.heads }, (_, h) => h);
  const r0 = selection.rowStart ?? 0;
  const r1 = selection.rowEnd ?? p.queryLength;
  if (!(r0 >= 0 && r1 <= p.queryLength && r0 <= r1)) throw new QkRecomputeError(`rows ${r0}..${r1} outside 0..${p.queryLength}`);
  for (const h of heads) if (!(Number.isInteger(h) && h >= 0 && h < p.heads)) throw new QkRecomputeError(`head ${h} outside 0..${p.heads - 1}`);
  const lk = p.keyLength;
  const rows = r1 - r0;
  const out = new Float32Array(heads.length * rows * lk);
  for (let n = 0; n < heads.length; n++) recomputeHeadInto(p, heads[n], r0, r1, out, n * rows * lk);
  return out;
}

/** Query rows per GEMM block (a multiple of 4, as the tile kernels need). */
const ROW_BLOCK = 64;
let tileKernels: TileKernels | undefined;

/** The tile GEMM of the reference engine: WebAssembly SIMD where available, else JavaScript. */
function kernels(): TileKernels {
  tileKernels ??= simdTileKernels() ?? javascriptTileKernels();
  return tileKernels;
}

/**
 * Probabilities of one head, rows [r0, r1), written to out[offset…]. The scores of a block of
 * query rows come from one GEMM (Q_blk · Kᵀ, float32 as in ORT); the steps and the softmax
 * then run per row in float64.
 */
export function recomputeHeadInto(p: PreparedQk, h: number, r0: number, r1: number, out: Float32Array, offset: number): void {
  const { q, k, headSize: dim, keyLength: lk, steps } = p;
  const qBase = p.qHead[h] * p.queryLength * dim;
  const kBase = p.kHead[h] * lk * dim;
  const lkPad = Math.ceil(lk / 8) * 8;
  const blockRows = Math.min(ROW_BLOCK, Math.ceil((r1 - r0) / 4) * 4 || 4);
  // arena: Kᵀ [dim × lkPad] | Q block [blockRows × dim] | scores [blockRows × lkPad]
  const kt = 0;
  const qb = dim * lkPad;
  const sc = qb + blockRows * dim;
  const tk = kernels();
  let arena = tk.reserve(sc + blockRows * lkPad);
  arena = tk.arena;
  arena.fill(0, kt, qb);
  for (let j = 0; j < lk; j++) {
    const kj = kBase + j * dim;
    for (let d = 0; d < dim; d++) arena[kt + d * lkPad + j] = k[kj + d];
  }
  const s = new Float64Array(lk);
  for (let b0 = r0; b0 < r1; b0 += blockRows) {
    const rows = Math.min(blockRows, r1 - b0);
    arena.set(q.subarray(qBase + b0 * dim, qBase + (b0 + rows) * dim), qb);
    if (rows < blockRows) arena.fill(0, qb + rows * dim, sc);
    tk.gemm(qb, kt, sc, blockRows, dim, lkPad, false);
    for (let r = 0; r < rows; r++) {
      const i = b0 + r;
      const srcRow = sc + r * lkPad;
      s.set(arena.subarray(srcRow, srcRow + lk));
      for (const step of steps) applyStep(step, s, h, i);
      softmaxRowInto(s, out, offset + (i - r0) * lk);
    }
  }
}

/** softmax over keys; a row with no finite score (fully masked) becomes zeros. */
function softmaxRowInto(s: Float64Array, out: Float32Array, row: number): void {
  const lk = s.length;
  let max = -Infinity;
  for (let j = 0; j < lk; j++) if (s[j] > max) max = s[j];
  if (max === -Infinity || Number.isNaN(max)) {
    out.fill(max === -Infinity ? 0 : NaN, row, row + lk);
    return;
  }
  let sum = 0;
  for (let j = 0; j < lk; j++) {
    const x = s[j] - max;
    // exp(−104) is below float32's smallest subnormal: masked keys need no exp.
    const e = x < -104 ? 0 : Math.exp(x);
    s[j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j < lk; j++) out[row + j] = s[j] * inv;
}

function applyStep(step: ResolvedStep, s: Float64Array, h: number, i: number): void {
  const lk = s.length;
  switch (step.kind) {
    case 'scale': {
      const f = step.factor;
      for (let j = 0; j < lk; j++) s[j] *= f;
      return;
    }
    case 'binary': {
      const base = step.at.head[h] + i * step.at.iStride;
      const js = step.at.jStride;
      const d = step.data;
      // The common ops get their own loops; the rest go through binary().
      if (step.op === 'Add') for (let j = 0; j < lk; j++) s[j] += d[base + j * js];
      else if (step.op === 'Mul') for (let j = 0; j < lk; j++) s[j] *= d[base + j * js];
      else if (step.op === 'Div' && step.scoresOnLeft) for (let j = 0; j < lk; j++) s[j] /= d[base + j * js];
      else if (step.scoresOnLeft) for (let j = 0; j < lk; j++) s[j] = binary(step.op, s[j], d[base + j * js]);
      else for (let j = 0; j < lk; j++) s[j] = binary(step.op, d[base + j * js], s[j]);
      return;
    }
    case 'where': {
      const cb = step.condAt.head[h] + i * step.condAt.iStride;
      const ob = step.otherAt.head[h] + i * step.otherAt.iStride;
      for (let j = 0; j < lk; j++) {
        const c = step.cond[cb + j * step.condAt.jStride] !== 0;
        if (c !== step.scoresWhenTrue) s[j] = step.other[ob + j * step.otherAt.jStride];
      }
      return;
    }
    case 'unary':
      if (step.op === 'Tanh') for (let j = 0; j < lk; j++) s[j] = Math.tanh(s[j]);
      else if (step.op === 'Neg') for (let j = 0; j < lk; j++) s[j] = -s[j];
      return;
    case 'clip':
      for (let j = 0; j < lk; j++) s[j] = Math.min(step.max, Math.max(step.min, s[j]));
      return;
    case 'causal': {
      const last = i + step.offset; // keys j ≤ last are visible
      for (let j = Math.max(0, last + 1); j < lk; j++) s[j] = -Infinity;
      // A window of `window` keys ending at the query's own (GroupQueryAttention's
      // local_window_size, as ORT computes it: checked by P·V against its output).
      if (step.window !== undefined) for (let j = 0; j <= Math.min(lk - 1, last - step.window); j++) s[j] = -Infinity;
      return;
    }
    case 'keep': {
      const base = step.at.head[h] + i * step.at.iStride;
      for (let j = 0; j < lk; j++) if (step.data[base + j * step.at.jStride] === 0) s[j] = -Infinity;
      return;
    }
    case 'key-padding':
      // ORT turns the 0/1 mask into an additive bias of mask_filter_value.
      for (let j = 0; j < lk; j++) if (step.data[j * step.jStride] === 0) s[j] += step.fill;
      return;
  }
}
