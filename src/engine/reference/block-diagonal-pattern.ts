// Block-diagonal attention: tokens attend only within their own segment.
//
// Segments are consecutive runs of tokens with lengths s₀, s₁, …; token i belongs to the
// segment whose range contains it, and
//
//   query i may attend to key j  iff  segment(i) = segment(j)          (and j ≤ i if causal)
//
//       segments [3, 2, 3]   keys → 0 1 2 3 4 5 6 7
//                    query 0        ■ ■ ■ · · · · ·
//                    query 3        · · · ■ ■ · · ·
//                    query 6        · · · · · ■ ■ ■
//
// Two uses: fixed-size local blocks (every segment of size b: the "blocked" local
// attention of early sparse transformers), and sequence packing, where several documents
// share one row of a batch and must not see each other (FlashAttention's varlen /
// cu_seqlens, xformers' BlockDiagonalMask). Cost: Σ sₖ² pairs instead of n².

import { SparsePattern } from './sparse-pattern';

export interface BlockDiagonalOptions {
  /** Also require j ≤ i inside each segment (packed decoder training). */
  readonly causal?: boolean;
}

/** Segment lengths covering n tokens with blocks of size b (the last one may be shorter). */
export function uniformSegments(n: number, blockSize: number): number[] {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`block size must be a whole number ≥ 1 (got ${blockSize})`);
  const out: number[] = [];
  for (let start = 0; start < n; start += blockSize) out.push(Math.min(blockSize, n - start));
  return out;
}

/** The block-diagonal pattern of consecutive segments (n = Σ lengths). */
export function blockDiagonalPattern(segmentLengths: readonly number[], opts: BlockDiagonalOptions = {}): SparsePattern {
  for (const s of segmentLengths) {
    if (!Number.isInteger(s) || s < 1) throw new Error(`segment lengths must be whole numbers ≥ 1 (got ${s})`);
  }
  const n = segmentLengths.reduce((a, s) => a + s, 0);
  const causal = opts.causal === true;
  const rowStart = new Int32Array(n + 1);
  const keyIndex: number[] = [];
  let start = 0; // first token of the current segment
  for (const len of segmentLengths) {
    for (let i = start; i < start + len; i++) {
      const last = causal ? i : start + len - 1;
      for (let j = start; j <= last; j++) keyIndex.push(j);
      rowStart[i + 1] = keyIndex.length;
    }
    start += len;
  }
  return { queries: n, keys: n, rowStart, keyIndex: Int32Array.from(keyIndex) };
}

/** Block-diagonal pattern with blocks of b tokens over n tokens. */
export function uniformBlockDiagonalPattern(n: number, blockSize: number, opts: BlockDiagonalOptions = {}): SparsePattern {
  return blockDiagonalPattern(uniformSegments(n, blockSize), opts);
}
