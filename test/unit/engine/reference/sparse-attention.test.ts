import { strict as assert } from 'node:assert';
import { bigBirdPattern } from '../../../../src/engine/reference/bigbird-pattern';
import { blockDiagonalPattern } from '../../../../src/engine/reference/block-diagonal-pattern';
import { longformerPattern } from '../../../../src/engine/reference/longformer-pattern';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { causalWindow, slidingWindowPattern, symmetricWindow } from '../../../../src/engine/reference/sliding-window';
import { denseWeights, sparseAttention } from '../../../../src/engine/reference/sparse-attention';
import { SparsePattern, pairCount, patternFromPredicate, patternFromRows, patternToKeepMask } from '../../../../src/engine/reference/sparse-pattern';
import { tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

/** Dense attention with the pattern's keep-mask: the result the sparse kernel must reproduce. */
function denseWithPattern(shapeQ: number[], shapeK: number[], shapeV: number[], pattern: SparsePattern, seed: number) {
  const q = wave(shapeQ, seed);
  const k = wave(shapeK, seed + 1);
  const v = wave(shapeV, seed + 2);
  const dense = scaledDotProductAttention(q, k, v, { mask: patternToKeepMask(pattern) });
  const sparse = sparseAttention(q, k, v, pattern);
  return { dense, sparse };
}

describe('reference: sparse attention kernel', () => {
  it('hand-computed: window of 2 over 3 tokens, D = 1, scale 1', () => {
    // q = k = [1, 2, 3], v = [10, 20, 30]; causal window 2 → rows {0}, {0,1}, {1,2}
    // row 1: scores [2, 4] → p = [1, e²]/(1 + e²) → out = (10 + 20e²)/(1 + e²)
    // row 2: scores [6, 9] → out = (20 + 30e³)/(1 + e³)
    const q = tensor([1, 2, 3], [1, 1, 3, 1]);
    const v = tensor([10, 20, 30], [1, 1, 3, 1]);
    const r = sparseAttention(q, q, v, slidingWindowPattern(3, causalWindow(2)), { scale: 1 });
    const e2 = Math.exp(2);
    const e3 = Math.exp(3);
    assertClose(r.output.data, [10, (10 + 20 * e2) / (1 + e2), (20 + 30 * e3) / (1 + e3)], 1e-6);
    assert.equal(r.pairsComputed, 5);
    assertClose(r.weights, [1, 1 / (1 + e2), e2 / (1 + e2), 1 / (1 + e3), e3 / (1 + e3)], 1e-6);
  });

  it('equals dense attention with the equivalent mask: window, Longformer, BigBird, block-diagonal', () => {
    const n = 40;
    const patterns: Record<string, SparsePattern> = {
      'causal window 5': slidingWindowPattern(n, causalWindow(5)),
      'symmetric radius 3': slidingWindowPattern(n, symmetricWindow(3)),
      'Longformer r=2, G={0,17}': longformerPattern(n, { radius: 2, globalTokens: [0, 17] }),
      'BigBird b=4': bigBirdPattern(n, { blockSize: 4, randomBlocks: 2, seed: 3 }),
      'block-diagonal causal': blockDiagonalPattern([7, 13, 20], { causal: true }),
    };
    for (const [name, pattern] of Object.entries(patterns)) {
      const { dense, sparse } = denseWithPattern([2, 2, n, 8], [2, 2, n, 8], [2, 2, n, 6], pattern, 5);
      assertClose(sparse.output.data, dense.output.data, 1e-6, `${name} output`);
      for (let bh = 0; bh < 4; bh++) {
        const dw = dense.weights.data.subarray(bh * n * n, (bh + 1) * n * n);
        assertClose(denseWeights(pattern, sparse.weights, bh), dw, 1e-6, `${name} weights ${bh}`);
      }
      assert.equal(sparse.pairsComputed, 4 * pairCount(pattern), name);
    }
  });

  it('GQA (4 query heads on 2 kv heads), Lq ≠ Lk, softcap, custom scale', () => {
    const pattern = patternFromPredicate(5, 9, (i, j) => j <= i + 4 && j >= i); // bottom-right band
    const q = wave([1, 4, 5, 4], 1);
    const k = wave([1, 2, 9, 4], 2);
    const v = wave([1, 2, 9, 3], 3);
    const opts = { scale: 0.9, softcap: 0.7 };
    const dense = scaledDotProductAttention(q, k, v, { ...opts, mask: patternToKeepMask(pattern) });
    const sparse = sparseAttention(q, k, v, pattern, opts);
    assertClose(sparse.output.data, dense.output.data, 1e-6);
  });

  it('a query with no allowed keys outputs zeros (like a fully masked dense row), no NaN', () => {
    const pattern = patternFromRows(4, [[0], [], [1, 2], []]);
    const { dense, sparse } = denseWithPattern([1, 1, 4, 3], [1, 1, 4, 3], [1, 1, 4, 2], pattern, 9);
    assertClose(sparse.output.data, dense.output.data, 1e-6);
    assert.deepEqual(Array.from(sparse.output.data.subarray(2, 4)), [0, 0]);
  });

  it('counts the work: a causal window of 64 over 2,048 tokens computes n·w − w(w−1)/2 pairs, 3.1% of n²', () => {
    const n = 2048;
    const w = 64;
    const pattern = slidingWindowPattern(n, causalWindow(w));
    const r = sparseAttention(wave([1, 1, n, 16], 1), wave([1, 1, n, 16], 2), wave([1, 1, n, 16], 3), pattern);
    assert.equal(r.pairsComputed, n * w - (w * (w - 1)) / 2);
    assert.ok(r.pairsComputed / (n * n) < 0.032);
  });

  it('refuses a pattern of the wrong size', () => {
    const q = wave([1, 1, 3, 2], 1);
    assert.throws(() => sparseAttention(q, q, q, slidingWindowPattern(4, causalWindow(2))), /pattern is \[4, 4\]/);
  });
});
