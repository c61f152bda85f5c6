// ALiBi: attention with linear biases (Press, Smith & Lewis, 2022). No position vectors at
// all: each head h adds a penalty proportional to the distance between query and key,
//
//   score[h, i, j] += −m_h · (i − j)       for the keys j ≤ i a causal query can see
//
// so nearer keys are preferred, and each head has its own slope m_h (a few heads look far,
// others very locally). Because the penalty is linear in distance, models trained on
// short sequences keep working on longer ones ("extrapolation").
//
// Slopes, for H heads, form a geometric sequence:
//   H a power of two:  m_h = 2^(−8h/H),  h = 1 … H          (8 heads: 1/2, 1/4, …, 1/256)
//   otherwise:         take the 2^⌊log₂H⌋ slopes of the nearest power of two below, then
//                      every other slope (1st, 3rd, …) of the 2·2^⌊log₂H⌋ sequence until H.
//                      (The paper's reference code; 12 heads → 8 slopes of 8, then 4 of 16.)
//
// Bias matrices:
//   causal     −m·(i − j) for j ≤ i, −∞ for j > i      (the paper's decoder; a complete mask)
//   symmetric  −m·|i − j|                              (encoders, e.g. ALiBi in BERT-like models)
// With a KV cache (Lq < Lk) query i sits at position i + (Lk − Lq).
//
// Implementations often add m·j instead of −m·(i − j): the difference −m·i is the same
// for a whole softmax row, and softmax ignores a constant added to a row.

import { Tensor } from './tensor';

function powerOfTwoSlopes(heads: number): number[] {
  const start = Math.pow(2, -8 / heads);
  return Array.from({ length: heads }, (_, h) => Math.pow(start, h + 1));
}

/** The ALiBi slope of each head. */
export function alibiSlopes(heads: number): Float64Array {
  if (!Number.isInteger(heads) || heads < 1) throw new Error(`ALiBi needs a whole number of heads ≥ 1 (got ${heads})`);
  const p = Math.pow(2, Math.floor(Math.log2(heads)));
  if (p === heads) return Float64Array.from(powerOfTwoSlopes(heads));
  const extra = powerOfTwoSlopes(2 * p).filter((_, i) => i % 2 === 0).slice(0, heads - p);
  return Float64Array.from([...powerOfTwoSlopes(p), ...extra]);
}

export interface AlibiBiasOptions {
  /** 'causal' (default): −m(i−j) and −∞ after the diagonal; 'symmetric': −m|i−j|. */
  readonly kind?: 'causal' | 'symmetric';
  /** Keys (default = queries). With Lk > Lq the queries are the last Lk − Lq … positions. */
  readonly keys?: number;
}

/**
 * The additive bias [H, Lq, Lk] for scaled dot-product attention (a 3-D mask: its leading
 * axis lines up with the heads).
 */
export function alibiBias(heads: number, queries: number, opts: AlibiBiasOptions = {}): Tensor {
  const keys = opts.keys ?? queries;
  const causal = (opts.kind ?? 'causal') === 'causal';
  const offset = keys - queries; // query i is at position i + offset
  const slopes = alibiSlopes(heads);
  const out = new Float32Array(heads * queries * keys);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < queries; i++) {
      const pos = i + offset;
      for (let j = 0; j < keys; j++) {
        const distance = pos - j;
        if (causal && distance < 0) out[(h * queries + i) * keys + j] = -Infinity;
          else if (distance !== 0) out[(h * queries + i) * keys + j] = -slopes[h] * Math.abs(distance); // (avoid −0 on the diagonal)
      }
    }
  }
  return { data: out, shape: [heads, queries, keys] };
}
