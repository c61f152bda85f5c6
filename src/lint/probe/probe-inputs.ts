// Seeded input tensors for the probe, always in the reference layout [B, H, L, D] (q, k, v)
// or [B, T, C] (x). Sizes are deliberately all different — query length ≠ key length ≠ head
// size, batch ≠ length, several heads, fewer kv heads than query heads for GQA signatures —
// because a transposed key, a softmax over the wrong axis or a swapped head order all
// produce correctly shaped output on square inputs.
import { mulberry32 } from '../../engine/reference/mulberry32';
import { sizeOf, type Tensor } from '../../engine/reference/tensor';
import type { ProbeDims } from './probe-types';

/** Standard normal samples from a seeded uniform generator (Box–Muller). */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export function normalTensor(shape: readonly number[], next: () => number, std = 1): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = next() * std;
  return { data, shape: [...shape] };
}

/** The sizes of one call: a cross trial (Lq ≠ Lk) or a self trial (Lq = Lk). */
export interface TrialShape {
  batch: number;
  queryHeads: number;
  kvHeads: number;
  queryLength: number;
  keyLength: number;
  headSize: number;
}

export interface QkvInputs {
  /** [B, Hq, Lq, D] */
  q: Tensor;
  /** [B, Hkv, Lk, D] */
  k: Tensor;
  /** [B, Hkv, Lk, D] */
  v: Tensor;
}

export function crossShape(d: ProbeDims): TrialShape {
  return { batch: d.batch, queryHeads: d.queryHeads, kvHeads: d.kvHeads, queryLength: d.queryLength, keyLength: d.keyLength, headSize: d.headSize };
}

export function selfShape(d: ProbeDims): TrialShape {
  return { batch: d.batch, queryHeads: d.queryHeads, kvHeads: d.kvHeads, queryLength: d.selfLength, keyLength: d.selfLength, headSize: d.headSize };
}

export function qkvInputs(s: TrialShape, seed: number): QkvInputs {
  const next = normalSampler(seed);
  return {
    q: normalTensor([s.batch, s.queryHeads, s.queryLength, s.headSize], next),
    k: normalTensor([s.batch, s.kvHeads, s.keyLength, s.headSize], next),
    v: normalTensor([s.batch, s.kvHeads, s.keyLength, s.headSize], next),
  };
}

/** Replaces row `position` (axis 2 of [B, H, L, D], or axis 1 of [B, T, C]) with fresh values, in every batch and head. */
export function perturbPosition(t: Tensor, position: number, seed: number, axis: 1 | 2 = 2): Tensor {
  const next = normalSampler(seed);
  const data = Float32Array.from(t.data);
  const shape = t.shape;
  const outer = axis === 2 ? shape[0] * shape[1] : shape[0];
  const length = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    const start = (o * length + position) * inner;
    for (let i = 0; i < inner; i++) data[start + i] = 2 * next() + 1;
  }
  return { data, shape: [...shape] };
}

/** Changes only key `position` of k and v: anything that moves an earlier query's output is a leak. */
export function perturbKeyPosition(inputs: QkvInputs, position: number, seed: number): QkvInputs {
  return { q: inputs.q, k: perturbPosition(inputs.k, position, seed), v: perturbPosition(inputs.v, position, seed + 7919) };
}

/**
 * One-hot values: v[b, h, j, :] = e_j. Attention is linear in V, so the output row i then IS
 * row i of the weights: out[b, h, i, j] = P[b, h, i, j] for j < Lk (needs D ≥ Lk).
 */
export function oneHotValues(batch: number, kvHeads: number, keyLength: number, headSize: number): Tensor {
  if (headSize < keyLength) throw new Error(`one-hot values need head size ≥ key length (${headSize} < ${keyLength})`);
  const data = new Float32Array(batch * kvHeads * keyLength * headSize);
  for (let bh = 0; bh < batch * kvHeads; bh++) {
    for (let j = 0; j < keyLength; j++) data[(bh * keyLength + j) * headSize + j] = 1;
  }
  return { data, shape: [batch, kvHeads, keyLength, headSize] };
}

export function xInput(batch: number, length: number, width: number, seed: number): Tensor {
  return normalTensor([batch, length, width], normalSampler(seed));
}

/**
 * A random keep-pattern [Lq, Lk] (1 = attend) that keeps key 0 in every row (so no row is
 * empty, even under the function's own causal mask) and blocks about a third of the rest.
 */
export function keepPattern(queryLength: number, keyLength: number, seed: number): Uint8Array {
  const uniform = mulberry32(seed);
  const keep = new Uint8Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    for (let j = 0; j < keyLength; j++) keep[i * keyLength + j] = j === 0 || uniform() > 0.35 ? 1 : 0;
  }
  // every column j > 0 mixes kept and blocked rows where possible, so its test is informative
  for (let j = 1; j < keyLength; j++) {
    let kept = 0;
    for (let i = 0; i < queryLength; i++) kept += keep[i * keyLength + j];
    if (kept === queryLength) keep[((j * 3) % queryLength) * keyLength + j] = 0;
    if (kept === 0) keep[((j * 2) % queryLength) * keyLength + j] = 1;
  }
  return keep;
}
