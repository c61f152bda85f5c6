// Lesson 7 — sparse attention patterns.
//
//   sliding window (causal, w keys):   i − w < j ≤ i                       (Mistral-style)
//   Longformer (radius r + globals):   |i − j| ≤ r, or i or j is global
//   BigBird (blocks):                  window blocks + global blocks + seeded random blocks
//
// The lesson builds each pattern with the engine, counts the pairs it computes against full
// attention, and composes the mask with itself layer after layer: after L layers, key j can
// influence query i when there is a path i → k₁ → … → j through allowed pairs (row i of the
// boolean power M^L). It also proves what is lost: change the value of a key outside the
// pattern and the sparse kernel's output for the query does not move, while full attention's does.
import { bigBirdPattern } from '../engine/reference/bigbird-pattern';
import { longformerPattern } from '../engine/reference/longformer-pattern';
import { patternCost } from '../engine/reference/pattern-cost';
import { scaledDotProductAttention } from '../engine/reference/scaled-dot-product-attention';
import { causalWindow, receptiveField, slidingWindowPattern } from '../engine/reference/sliding-window';
import { sparseAttention } from '../engine/reference/sparse-attention';
import { keysOf, patternToKeepMask, type SparsePattern } from '../engine/reference/sparse-pattern';
import type { Tensor } from '../engine/reference/tensor';
import type { SparseAttentionData, SparseAttentionParams } from '../protocol/lesson-messages';
import { maxAbsDiff } from './shared/statistics';
import { seededNormals } from './shared/toy-embedding';

export const SPARSE_DEFAULTS: SparseAttentionParams = {
  kind: 'sliding-window',
  n: 32,
  window: 4,
  globalTokens: 1,
  blockSize: 4,
  randomBlocks: 1,
  seed: 0,
  layers: 4,
  query: 31,
  dependencyKey: 2,
};
const HEAD_SIZE = 8;

/** The pattern the parameters describe, built by the engine. */
export function buildPattern(p: SparseAttentionParams): SparsePattern {
  switch (p.kind) {
    case 'sliding-window':
      return slidingWindowPattern(p.n, causalWindow(Math.max(1, p.window)));
    case 'longformer':
      return longformerPattern(p.n, { radius: p.window, globalTokens: Array.from({ length: Math.min(p.globalTokens, p.n) }, (_, i) => i) });
    case 'bigbird':
      return bigBirdPattern(p.n, { blockSize: p.blockSize, randomBlocks: p.randomBlocks, seed: p.seed });
  }
}

/** Does the kind restrict keys to j ≤ i (so full attention is causal too)? */
function isCausal(p: SparseAttentionParams): boolean {
  return p.kind === 'sliding-window';
}

/**
 * Reach of `query` through `layers` stacked layers: reach[ℓ][j] = 1 when key j influences the
 * query after ℓ + 1 layers. One more layer: reach' = ∪ over reached k of the keys k attends to.
 */
export function composeReach(pattern: SparsePattern, query: number, layers: number): Uint8Array {
  const n = pattern.keys;
  const reach = new Uint8Array(layers * n);
  for (const j of keysOf(pattern, query)) reach[j] = 1;
  for (let l = 1; l < layers; l++) {
    const prev = reach.subarray((l - 1) * n, l * n);
    const next = reach.subarray(l * n, (l + 1) * n);
    next.set(prev); // a key reached stays reached (every pattern here keeps the diagonal)
    for (let k = 0; k < n; k++) if (prev[k]) for (const j of keysOf(pattern, k)) next[j] = 1;
  }
  return reach;
}

function gaussian(n: number, seed: number): Tensor {
  return { data: seededNormals(n * HEAD_SIZE, seed), shape: [1, 1, n, HEAD_SIZE] };
}

export function computeSparseAttention(params: SparseAttentionParams): SparseAttentionData {
  const n = params.n;
  const p = { ...params, query: Math.min(params.query, n - 1), dependencyKey: Math.min(params.dependencyKey, n - 1) };
  const pattern = buildPattern(p);
  const keep = patternToKeepMask(pattern);
  const cost = patternCost(pattern);
  const reach = composeReach(pattern, p.query, p.layers);
  const reachCount = new Int32Array(p.layers);
  for (let l = 0; l < p.layers; l++) reachCount[l] = reach.subarray(l * n, (l + 1) * n).reduce((a, b) => a + b, 0);
  let reachedAfterLayers = 0;
  for (let l = 0; l < p.layers && reachedAfterLayers === 0; l++) if (reach[l * n + p.dependencyKey]) reachedAfterLayers = l + 1;

  // One layer of attention on seeded data, then again with the dependency key's value changed.
  const q = gaussian(n, 701);
  const k = gaussian(n, 702);
  const v = gaussian(n, 703);
  const v2: Tensor = { data: Float32Array.from(v.data), shape: v.shape };
  for (let c = 0; c < HEAD_SIZE; c++) v2.data[p.dependencyKey * HEAD_SIZE + c] += 1;
  const sparse = sparseAttention(q, k, v, pattern);
  const sparse2 = sparseAttention(q, k, v2, pattern);
  const causal = isCausal(p) ? 'top-left' : false;
  const full = scaledDotProductAttention(q, k, v, { causal });
  const full2 = scaledDotProductAttention(q, k, v2, { causal });
  const row = (t: Tensor) => t.data.subarray(p.query * HEAD_SIZE, (p.query + 1) * HEAD_SIZE);
  const dense = scaledDotProductAttention(q, k, v, { mask: keep });

  return {
    params: p,
    keepMask: keep.data,
    pairs: cost.pairs,
    fullPairs: cost.fullPairs,
    causalPairs: cost.causalPairs,
    fractionOfFull: cost.fractionOfFull,
    reach,
    reachCount,
    formulaReach:
      p.kind === 'sliding-window'
        ? Int32Array.from({ length: p.layers }, (_, l) => Math.min(p.query, receptiveField(Math.max(1, p.window), l + 1, n)) + 1)
        : undefined,
    dependency: {
      query: p.query,
      key: p.dependencyKey,
      inPattern: keep.data[p.query * n + p.dependencyKey] === 1,
      reachedAfterLayers,
      sparseChange: maxAbsDiff(row(sparse.output), row(sparse2.output)),
      fullChange: maxAbsDiff(row(full.output), row(full2.output)),
    },
    sparseVsDenseMaxDiff: maxAbsDiff(sparse.output.data, dense.output.data),
    pairsComputed: sparse.pairsComputed,
  };
}
