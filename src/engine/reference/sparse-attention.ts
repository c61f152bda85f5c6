// Sparse attention kernel: computes a score only for the (query, key) pairs a pattern allows.
//
//   for every (batch b, query head h), kv head g = floor(h / (Hq / Hkv)), query i:
//     A(i) = allowed keys of i (sparse-pattern.ts, CSR)
//     s_j  = scale · q[b,h,i,:] · k[b,g,j,:]          for j ∈ A(i) only
//     p    = softmax over those |A(i)| scores        (an empty row gives output 0)
//     o    = Σ_{j ∈ A(i)} p_j · v[b,g,j,:]
//
// The result equals dense attention with the pattern's keep-mask (blocked pairs get
// −∞ and so weight exactly 0), but the work is proportional to the number of allowed
// pairs — O(n·w) for a window of w — instead of Lq·Lk. `pairsComputed` counts the dot
// products actually taken, so the saving is measured, not asserted.
//
// Layouts: q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv], output [B, Hq, Lq, Dv].

import { headGroupSize } from './head-mapping';
import { SparsePattern, pairCount } from './sparse-pattern';
import { Tensor, shapeString } from './tensor';

export interface SparseAttentionOptions {
  /** Multiplier of q·k; default 1/√D. */
  scale?: number;
  /** cap·tanh(s/cap) on the scaled scores (as the dense kernel does); ≤ 0 or absent for none. */
  softcap?: number;
}

export interface SparseAttentionResult {
  /** [B, Hq, Lq, Dv] */
  output: Tensor;
  /**
   * Attention weights in the pattern's CSR order: for (b, h), weight of pair t of the
   * pattern is weights[(b·Hq + h)·nnz + t], nnz = pairs in the pattern.
   */
  weights: Float32Array;
  /** Dot products q·k actually computed: B · Hq · nnz. */
  pairsComputed: number;
}

export function sparseAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  pattern: SparsePattern,
  opts: SparseAttentionOptions = {},
): SparseAttentionResult {
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
    throw new Error(`sparseAttention: q, k, v must be [B, H, L, D] (q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)})`);
  }
  const [batch, qHeads, lq, dim] = q.shape;
  const [, kvHeads, lk] = k.shape;
  const dv = v.shape[3];
  if (k.shape[3] !== dim || v.shape[2] !== lk || v.shape[1] !== kvHeads || k.shape[0] !== batch || v.shape[0] !== batch) {
    throw new Error(`sparseAttention: shapes do not fit (q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)})`);
  }
  if (pattern.queries !== lq || pattern.keys !== lk) {
    throw new Error(`sparseAttention: pattern is [${pattern.queries}, ${pattern.keys}] but attention is [${lq}, ${lk}]`);
  }
  const group = headGroupSize(qHeads, kvHeads);
  const scale = opts.scale ?? 1 / Math.sqrt(dim);
  const cap = opts.softcap ?? 0;
  const { rowStart, keyIndex } = pattern;
  const nnz = pairCount(pattern);

  const output = new Float32Array(batch * qHeads * lq * dv);
  const weights = new Float32Array(batch * qHeads * nnz);
  const acc = new Float64Array(dv); // one output row

  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const bh = b * qHeads + h;
      const kvBase = (b * kvHeads + Math.floor(h / group)) * lk;
      const p = weights.subarray(bh * nnz, (bh + 1) * nnz); // this head's weights, CSR order
      for (let i = 0; i < lq; i++) {
        const from = rowStart[i];
        const to = rowStart[i + 1];
        const qRow = (bh * lq + i) * dim;
        const oRow = (bh * lq + i) * dv;
        if (from === to) continue; // nothing allowed: output row stays 0 (like a fully masked dense row)

        // 1. scores for the allowed keys only, tracking the row maximum
        let max = -Infinity;
        for (let t = from; t < to; t++) {
          const kRow = (kvBase + keyIndex[t]) * dim;
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += q.data[qRow + d] * k.data[kRow + d];
          let s = dot * scale;
          if (cap > 0) s = cap * Math.tanh(s / cap);
          p[t] = s;
          if (s > max) max = s;
        }

        // 2. softmax over the row's allowed pairs
        let sum = 0;
        for (let t = from; t < to; t++) {
          const e = Math.exp(p[t] - max);
          p[t] = e;
          sum += e;
        }
        const inv = 1 / sum;

        // 3. weighted sum of the allowed value rows
        acc.fill(0);
        for (let t = from; t < to; t++) {
          const w = p[t] * inv;
          p[t] = w;
          const vRow = (kvBase + keyIndex[t]) * dv;
          for (let d = 0; d < dv; d++) acc[d] += w * v.data[vRow + d];
        }
        for (let d = 0; d < dv; d++) output[oRow + d] = acc[d];
      }
    }
  }
  return { output: { data: output, shape: [batch, qHeads, lq, dv] }, weights, pairsComputed: batch * qHeads * nnz };
}

/** Scatter CSR weights of one (b, h) into a dense [Lq, Lk] matrix (zeros where blocked), for display and tests. */
export function denseWeights(pattern: SparsePattern, weights: Float32Array, headIndex = 0): Float32Array {
  const nnz = pairCount(pattern);
  const out = new Float32Array(pattern.queries * pattern.keys);
  for (let i = 0; i < pattern.queries; i++) {
    for (let t = pattern.rowStart[i]; t < pattern.rowStart[i + 1]; t++) {
      out[i * pattern.keys + pattern.keyIndex[t]] = weights[headIndex * nnz + t];
    }
  }
  return out;
}
