// Causal masking: a query may only look at keys that are not "in its future".
// When queries and keys have the same length there is one obvious diagonal. When they
// differ (Lq ≠ Lk) the diagonal must be anchored somewhere, and the two conventions in
// use disagree:
//
//   top-left (ONNX is_causal without a cache, PyTorch is_causal=True):
//     query i sees keys j ≤ i
//
//          keys →  0 1 2 3 4
//     query 0      ■ · · · ·
//     query 1      ■ ■ · · ·        Lq = 2, Lk = 5: the LAST keys are never seen
//
//   bottom-right (KV-cache decoding, FlashAttention causal for Lq < Lk):
//     query i sees keys j ≤ i + (Lk − Lq)
//
//          keys →  0 1 2 3 4
//     query 0      ■ ■ ■ ■ ·        the 2 new tokens sit at positions 3 and 4
//     query 1      ■ ■ ■ ■ ■        of the sequence, after a 3-token cache
//
// Both agree when Lq = Lk. Decoding with a KV cache needs bottom-right: the new
// queries are the LAST positions of the sequence.

import type { BoolMask } from './masks';

export type CausalAlignment = 'top-left' | 'bottom-right';

/** How far the diagonal is shifted right: query i sees keys j ≤ i + offset. */
export function causalOffset(alignment: CausalAlignment, queryLength: number, keyLength: number): number {
  return alignment === 'top-left' ? 0 : keyLength - queryLength;
}

/** The [Lq, Lk] keep-mask of a causal pattern (1 = visible). */
export function causalKeepMask(queryLength: number, keyLength: number, alignment: CausalAlignment): BoolMask {
  const offset = causalOffset(alignment, queryLength, keyLength);
  const data = new Uint8Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    const lastVisible = Math.min(keyLength - 1, i + offset);
    for (let j = 0; j <= lastVisible; j++) data[i * keyLength + j] = 1;
  }
  return { data, shape: [queryLength, keyLength] };
}

/**
 * Set scores of future keys to −∞ in place, for consecutive [Lq, Lk] blocks
 * (e.g. all (batch, head) pairs of a [B, H, Lq, Lk] buffer) using a given offset.
 */
export function applyCausalMaskInPlace(scores: Float32Array, queryLength: number, keyLength: number, offset: number): void {
  const block = queryLength * keyLength;
  for (let start = 0; start < scores.length; start += block) {
    for (let i = 0; i < queryLength; i++) {
      const row = start + i * keyLength;
      const firstHidden = Math.max(0, i + offset + 1);
      for (let j = firstHidden; j < keyLength; j++) scores[row + j] = -Infinity;
    }
  }
}
