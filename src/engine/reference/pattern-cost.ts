// How much work a sparse pattern saves: (query, key) pairs computed vs full and causal attention.
//
//   full attention          Lq · Lk pairs                  (n² for self-attention)
//   causal attention        n(n + 1)/2 pairs               (the lower triangle, diagonal included)
//   causal window w         n·w − w(w − 1)/2   (w ≤ n)     ≈ n·w: linear in n
//   symmetric radius r      n(2r + 1) − r(r + 1)  (r < n)  ≈ n·(2r + 1)
//   block-diagonal          Σ sₖ²  (segments sₖ)           = n·b for blocks of b
//   any pattern             its number of stored pairs (pairCount)
//
// Each pair costs one dot product of length D (2D FLOPs) for the score and one scaled
// row of V (2·Dv FLOPs) for the output, so FLOPs are proportional to pairs.

import { SparsePattern, pairCount } from './sparse-pattern';

export interface PatternCost {
  /** Pairs the pattern allows (= dot products a sparse kernel computes per head). */
  readonly pairs: number;
  /** Lq · Lk. */
  readonly fullPairs: number;
  /** n(n + 1)/2 for a square pattern (Lq = Lk = n); bottom-right aligned when Lq < Lk. */
  readonly causalPairs: number;
  /** pairs / fullPairs. */
  readonly fractionOfFull: number;
  /** pairs / causalPairs. */
  readonly fractionOfCausal: number;
  /** Longest row: the most keys any one query sees. */
  readonly maxKeysPerQuery: number;
  /** pairs / Lq. */
  readonly meanKeysPerQuery: number;
}

/** Pairs of full attention. */
export function fullPairs(queries: number, keys: number = queries): number {
  return queries * keys;
}

/**
 * Pairs of causal attention. Square: n(n+1)/2. With Lq ≤ Lk (bottom-right, the new
 * queries are the last positions): Σ_i (Lk − Lq + i + 1) = Lq·(Lk − Lq) + Lq(Lq + 1)/2.
 */
export function causalPairs(queries: number, keys: number = queries): number {
  if (queries > keys) throw new Error(`causalPairs: ${queries} queries over ${keys} keys (use Lq ≤ Lk)`);
  return queries * (keys - queries) + (queries * (queries + 1)) / 2;
}

/** Pairs of a causal window of w keys (i − w < j ≤ i) over n tokens: n·w − w(w−1)/2. */
export function causalWindowPairs(n: number, w: number): number {
  const ww = Math.min(w, n);
  return n * ww - (ww * (ww - 1)) / 2;
}

/** Pairs of a symmetric window of radius r (|i − j| ≤ r) over n tokens: n(2r+1) − r(r+1). */
export function symmetricWindowPairs(n: number, radius: number): number {
  const r = Math.min(radius, n - 1);
  return n * (2 * r + 1) - r * (r + 1);
}

/** Pairs of a block-diagonal pattern: Σ sₖ² (or Σ sₖ(sₖ+1)/2 when causal inside blocks). */
export function blockDiagonalPairs(segmentLengths: readonly number[], causal = false): number {
  return segmentLengths.reduce((acc, s) => acc + (causal ? (s * (s + 1)) / 2 : s * s), 0);
}

/** The cost figures of one pattern. */
export function patternCost(p: SparsePattern): PatternCost {
  const pairs = pairCount(p);
  const full = fullPairs(p.queries, p.keys);
  const causal = p.queries <= p.keys ? causalPairs(p.queries, p.keys) : NaN;
  let maxKeys = 0;
  for (let i = 0; i < p.queries; i++) maxKeys = Math.max(maxKeys, p.rowStart[i + 1] - p.rowStart[i]);
  return {
    pairs,
    fullPairs: full,
    causalPairs: causal,
    fractionOfFull: full > 0 ? pairs / full : 0,
    fractionOfCausal: causal > 0 ? pairs / causal : NaN,
    maxKeysPerQuery: maxKeys,
    meanKeysPerQuery: p.queries > 0 ? pairs / p.queries : 0,
  };
}
