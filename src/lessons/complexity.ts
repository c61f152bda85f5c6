// Lesson 11 — how attention's time and memory grow with the sequence length n.
//
//   full            n² pairs, n² scores held              O(n²) time, O(n²) memory
//   sliding window  ≈ n·w pairs                           O(n·w) time and memory
//   sparse (BigBird) ≈ n·b·(wb + g + r) pairs              O(n) for fixed blocks
//   linear          no scores: φ(Q)(φ(K)ᵀV)               O(n·d²) time, O(d²) state
//   FlashAttention  n² pairs, tiles only                  O(n²) time, O(n) memory
//
// Every number of the sweep comes from the engine's cost calculator (attention-cost.ts). For
// the smaller lengths the lesson also builds the window and BigBird patterns with the engine
// and counts their pairs, so the formulas are checked against real masks.
import { bigBirdPairsEstimate, complexityTable, type AttentionVariant } from '../engine/reference/attention-cost';
import { bigBirdPattern } from '../engine/reference/bigbird-pattern';
import { causalWindow, slidingWindowPairs } from '../engine/reference/sliding-window';
import { pairCount } from '../engine/reference/sparse-pattern';
import { causalWindowPairs } from '../engine/reference/pattern-cost';
import type { ComplexityData, ComplexityParams, ComplexitySeries } from '../protocol/lesson-messages';

export const COMPLEXITY_DEFAULTS: ComplexityParams = { maxN: 131072, headDim: 64, heads: 32, window: 4096, blockSize: 64, dtype: 'float16' };
export const VARIANTS: readonly AttentionVariant[] = ['full', 'sliding-window', 'sparse', 'linear', 'flash'];
const GROWTH: Record<AttentionVariant, string> = {
  full: 'time n², memory n²',
  'sliding-window': 'time n·w, memory n·w',
  sparse: 'time n·b·(wb+g+r), memory the same',
  linear: 'time n·d², memory d² (constant in n)',
  flash: 'time n², memory n',
};
/** Patterns are built for real up to this length. */
export const MEASURED_MAX_N = 2048;
/** BigBird shape used by both the formula and the built pattern (window 3 blocks, 2 global, r random). */
const BIGBIRD = { windowBlocks: 3, globalBlocks: 2, randomBlocks: 3 };

/** Powers of two from 128 up to maxN (and maxN itself). */
export function sweepLengths(maxN: number): number[] {
  const out: number[] = [];
  for (let n = 128; n < maxN; n *= 2) out.push(n);
  out.push(maxN);
  return out;
}

export function computeComplexity(params: ComplexityParams): ComplexityData {
  const ns = sweepLengths(params.maxN);
  const opts = {
    heads: params.heads,
    headSize: params.headDim,
    dtype: params.dtype,
    window: params.window,
    blockSize: params.blockSize,
    ...BIGBIRD,
  };
  const table = complexityTable(ns, VARIANTS, opts);
  const series: ComplexitySeries[] = VARIANTS.map((variant) => {
    const rows = table.filter((r) => r.variant === variant);
    return {
      name: variant,
      pairs: Float64Array.from(rows, (r) => r.pairs),
      flops: Float64Array.from(rows, (r) => r.flops),
      bytes: Float64Array.from(rows, (r) => r.memoryBytes),
      growth: GROWTH[variant],
    };
  });

  const small = ns.filter((n) => n <= MEASURED_MAX_N);
  const w = params.window;
  const windowPairs = small.map((n) => slidingWindowPairs(n, causalWindow(Math.min(w, n))));
  const b = params.blockSize;
  const bigBirdPairs = small.map((n) =>
    n % b === 0 && n / b >= BIGBIRD.windowBlocks + BIGBIRD.globalBlocks + BIGBIRD.randomBlocks
      ? pairCount(bigBirdPattern(n, { blockSize: b, windowBlocks: BIGBIRD.windowBlocks, globalBlocks: [0, n / b - 1], randomBlocks: BIGBIRD.randomBlocks, seed: 0 }))
      : NaN,
  );
  const keep = small.map((_, i) => Number.isFinite(bigBirdPairs[i]));
  return {
    params,
    lengths: Float64Array.from(ns),
    series,
    measured: [
      {
        name: 'sliding-window',
        lengths: Float64Array.from(small),
        pairs: Float64Array.from(windowPairs),
        formulaPairs: Float64Array.from(small, (n) => causalWindowPairs(n, w)),
      },
      {
        name: 'sparse',
        lengths: Float64Array.from(small.filter((_, i) => keep[i])),
        pairs: Float64Array.from(bigBirdPairs.filter((_, i) => keep[i])),
        formulaPairs: Float64Array.from(
          small.filter((_, i) => keep[i]),
          (n) => bigBirdPairsEstimate(n, b, BIGBIRD.windowBlocks, BIGBIRD.globalBlocks, BIGBIRD.randomBlocks),
        ),
      },
    ],
  };
}
