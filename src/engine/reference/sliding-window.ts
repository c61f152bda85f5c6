// Sliding-window (local) attention: each query sees only keys near its own position.
//
// Exactly which offsets are included (n tokens, query i, key j, all 0-based):
//
//   general extent {before, after}:   i − before ≤ j ≤ i + after        (clipped to 0…n−1)
//
//   causal window w (w ≥ 1):          i − w < j ≤ i
//     = extent {before: w − 1, after: 0}: the query itself plus the w − 1 keys before it,
//     w keys in all (fewer for the first w − 1 queries). This is Mistral's
//     `sliding_window = w` and FlashAttention's window_size = (w − 1, 0).
//
//       w = 3, n = 6      keys → 0 1 2 3 4 5
//                 query 0        ■ · · · · ·
//                 query 1        ■ ■ · · · ·
//                 query 2        ■ ■ ■ · · ·
//                 query 3        · ■ ■ ■ · ·      j = 0 is out: 3 − 3 < 0 is false
//                 query 4        · · ■ ■ ■ ·
//                 query 5        · · · ■ ■ ■
//
//   symmetric window of radius r:     |i − j| ≤ r
//     = extent {before: r, after: r}: 2r + 1 keys in the middle of the sequence.
//     Longformer's attention_window = 2r (an even "window size", r on each side).
//
// Stacking L layers of a causal window w lets information travel up to L·(w − 1)
// positions: the receptive field grows linearly with depth (see receptiveField).

import type { BoolMask } from './masks';
import { SparsePattern, patternToKeepMask } from './sparse-pattern';

/** Keys before and after the query's own position that it may see (the query itself is always included). */
export interface WindowExtent {
  readonly before: number;
  readonly after: number;
}

/** The extent of a causal window of w keys (including the query itself): i − w < j ≤ i. */
export function causalWindow(w: number): WindowExtent {
  if (!Number.isInteger(w) || w < 1) throw new Error(`causal window must be a whole number ≥ 1 (got ${w})`);
  return { before: w - 1, after: 0 };
}

/** The extent of a symmetric window of radius r: |i − j| ≤ r. */
export function symmetricWindow(radius: number): WindowExtent {
  if (!Number.isInteger(radius) || radius < 0) throw new Error(`window radius must be a whole number ≥ 0 (got ${radius})`);
  return { before: radius, after: radius };
}

/** The rule itself: may query i attend to key j under this window? */
export function inWindow(i: number, j: number, extent: WindowExtent): boolean {
  return j >= i - extent.before && j <= i + extent.after;
}

function checkExtent(extent: WindowExtent): void {
  const ok = (x: number) => Number.isInteger(x) && x >= 0;
  if (!ok(extent.before) || !ok(extent.after)) {
    throw new Error(`window extent must be whole numbers ≥ 0 (got before ${extent.before}, after ${extent.after})`);
  }
}

/** The sliding-window pattern over n tokens, built directly row by row (no n² scan). */
export function slidingWindowPattern(n: number, extent: WindowExtent): SparsePattern {
  checkExtent(extent);
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const first = Math.max(0, i - extent.before);
    const last = Math.min(n - 1, i + extent.after);
    rowStart[i + 1] = rowStart[i] + (last - first + 1);
  }
  const keyIndex = new Int32Array(rowStart[n]);
  for (let i = 0; i < n; i++) {
    const first = Math.max(0, i - extent.before);
    for (let t = rowStart[i]; t < rowStart[i + 1]; t++) keyIndex[t] = first + (t - rowStart[i]);
  }
  return { queries: n, keys: n, rowStart, keyIndex };
}

/** The same window as a dense [n, n] keep-mask (1 = attend). */
export function slidingWindowKeepMask(n: number, extent: WindowExtent): BoolMask {
  return patternToKeepMask(slidingWindowPattern(n, extent));
}

/**
 * Exact number of pairs a window allows over n tokens (what a sparse kernel computes):
 *   Σ_i (min(n−1, i+after) − max(0, i−before) + 1)
 * For a causal window w ≤ n this is n·w − w(w−1)/2, i.e. O(n·w) instead of n².
 */
export function slidingWindowPairs(n: number, extent: WindowExtent): number {
  checkExtent(extent);
  let pairs = 0;
  for (let i = 0; i < n; i++) pairs += Math.min(n - 1, i + extent.after) - Math.max(0, i - extent.before) + 1;
  return pairs;
}

/**
 * How far back (in positions) information can reach after `layers` stacked causal
 * windows of w keys: each layer adds w − 1, capped by the sequence.
 */
export function receptiveField(w: number, layers: number, n = Infinity): number {
  causalWindow(w);
  return Math.min(n - 1, layers * (w - 1));
}
