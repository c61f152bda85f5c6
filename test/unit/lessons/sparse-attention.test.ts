import { strict as assert } from 'node:assert';
import { computeSparseAttention, SPARSE_DEFAULTS } from '../../../src/lessons/sparse-attention';
import type { SparseAttentionParams } from '../../../src/protocol/lesson-messages';

/** Reach by dense boolean matrix powers of the keep-mask (independent of the lesson's CSR walk). */
function denseReach(keep: Uint8Array, n: number, query: number, layers: number): number[][] {
  let row = Array.from({ length: n }, (_, j) => keep[query * n + j]);
  const out = [row];
  for (let l = 1; l < layers; l++) {
    const next = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) if (row[k]) for (let j = 0; j < n; j++) if (keep[k * n + j]) next[j] = 1;
    for (let j = 0; j < n; j++) next[j] = next[j] || row[j];
    row = next;
    out.push(row);
  }
  return out;
}

describe('lesson 7: sparse-attention', () => {
  it('sliding window: n·w − w(w−1)/2 pairs, reach grows by w − 1 per layer, a far key is invisible', () => {
    const d = computeSparseAttention(SPARSE_DEFAULTS); // n 32, w 4, query 31, key 2, 4 layers
    const { n, window: w } = SPARSE_DEFAULTS;
    assert.equal(d.pairs, n * w - (w * (w - 1)) / 2);
    assert.equal(d.fullPairs, n * n);
    assert.equal(d.pairsComputed, d.pairs);
    assert.deepEqual([...d.reachCount], [4, 7, 10, 13]);
    assert.deepEqual([...(d.formulaReach ?? [])], [4, 7, 10, 13]);
    const dense = denseReach(d.keepMask, n, 31, 4);
    dense.forEach((row, l) => assert.deepEqual([...d.reach.subarray(l * n, (l + 1) * n)], row));
    assert.equal(d.dependency.inPattern, false);
    assert.equal(d.dependency.reachedAfterLayers, 0); // 29 positions back needs 10 layers
    assert.equal(d.dependency.sparseChange, 0);
    assert.ok(d.dependency.fullChange > 1e-3);
    assert.ok(d.sparseVsDenseMaxDiff < 1e-6);
  });

  it('enough layers bring the far key into the receptive field', () => {
    const d = computeSparseAttention({ ...SPARSE_DEFAULTS, layers: 8, dependencyKey: 10 }); // 21 back: 7 layers of 3
    assert.equal(d.dependency.reachedAfterLayers, 7);
  });

  it('a key inside the window changes the output in the sparse kernel as in full attention', () => {
    const d = computeSparseAttention({ ...SPARSE_DEFAULTS, dependencyKey: 30 });
    assert.equal(d.dependency.inPattern, true);
    assert.ok(d.dependency.sparseChange > 1e-3);
  });

  it('Longformer: global token 0 connects every pair within two layers', () => {
    const p: SparseAttentionParams = { ...SPARSE_DEFAULTS, kind: 'longformer', window: 2, globalTokens: 1, query: 20, dependencyKey: 5 };
    const d = computeSparseAttention(p);
    const n = p.n;
    // rows: the global row is full; others see |i−j| ≤ 2 plus column 0
    let expected = n;
    for (let i = 1; i < n; i++) expected += Math.min(n - 1, i + 2) - Math.max(0, i - 2) + 1 + (i - 2 > 0 ? 1 : 0);
    assert.equal(d.pairs, expected);
    assert.equal(d.reachCount[1], n);
    assert.equal(d.dependency.inPattern, false);
    assert.equal(d.dependency.reachedAfterLayers, 2);
    assert.equal(d.formulaReach, undefined);
  });

  it('BigBird: same seed, same pattern; the mask is block-structured', () => {
    const p: SparseAttentionParams = { ...SPARSE_DEFAULTS, kind: 'bigbird', blockSize: 4, randomBlocks: 1, seed: 3 };
    const a = computeSparseAttention(p);
    const b = computeSparseAttention(p);
    assert.deepEqual(a.keepMask, b.keepMask);
    const n = p.n;
    // every 4×4 block is all 0 or all 1
    for (let bi = 0; bi < n / 4; bi++)
      for (let bj = 0; bj < n / 4; bj++) {
        const first = a.keepMask[bi * 4 * n + bj * 4];
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.equal(a.keepMask[(bi * 4 + i) * n + bj * 4 + j], first);
      }
    assert.equal(a.pairs, a.keepMask.reduce((x, y) => x + y, 0));
    assert.ok(a.sparseVsDenseMaxDiff < 1e-6);
  });
});
