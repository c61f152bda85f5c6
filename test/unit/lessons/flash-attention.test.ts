import { strict as assert } from 'node:assert';
import { computeFlashAttention, FLASH_DEFAULTS } from '../../../src/lessons/flash-attention';

describe('lesson 8: flash-attention', () => {
  const d = computeFlashAttention(FLASH_DEFAULTS);

  it('the tiled result equals standard attention', () => {
    assert.ok(d.maxAbsDiff < 1e-5 * Math.max(1, d.maxAbsOutput), `diff ${d.maxAbsDiff}`);
    assert.ok(d.maxAbsOutput > 0.1);
  });

  it('follows one row tile by tile; the causal tiles after the diagonal are skipped', () => {
    // row 20, key tiles of 8: [0,8) [8,16) [16,24) computed, [24,32) skipped
    assert.deepEqual(d.steps.map((s) => [s.keyStart, s.keyEnd, s.skipped]), [[0, 8, false], [8, 16, false], [16, 24, false], [24, 32, true]]);
    assert.equal(d.stepMaxBefore[0], -Infinity);
    assert.equal(d.stepCorrection[0], 0); // nothing summed yet to rescale
    for (let s = 1; s < d.steps.length; s++) {
      assert.equal(d.stepMaxBefore[s], d.stepMaxAfter[s - 1]);
      assert.ok(d.stepMaxAfter[s] >= d.stepMaxAfter[s - 1]);
      assert.ok(Math.abs(d.stepCorrection[s] - Math.exp(d.stepMaxBefore[s] - d.stepMaxAfter[s])) < 1e-12);
    }
    // the third tile holds keys 16..23; keys 21..23 are after the diagonal
    const third = d.steps[2].scores;
    assert.equal(third.length, 8);
    for (let c = 5; c < 8; c++) assert.equal(third[c], -Infinity);
    // 4×4 tiles: 10 on or below the diagonal, 6 above it
    assert.equal(d.tilesComputed, 10);
    assert.equal(d.tilesSkipped, 6);
  });

  it('the running max and sum after the last tile give exactly the standard softmax row', () => {
    const m = d.stepMaxAfter[d.steps.length - 1];
    const l = d.stepSumAfter[d.steps.length - 1];
    // every score the row saw, straight from the tiles
    const scores = d.steps.flatMap((s) => (s.skipped ? [] : [...s.scores]));
    assert.equal(Math.max(...scores), m);
    const sum = scores.reduce((acc, s) => acc + Math.exp(s - m), 0);
    // the kernel's exp is accurate to 1e-8 relative; the scores reach us rounded to float32
    assert.ok(Math.abs(sum - l) < 1e-6 * l, `Σ exp(s − m) = ${sum}, l = ${l}`);
    scores.forEach((s, j) => {
      const w = Math.exp(s - m) / l;
      assert.ok(Math.abs(w - d.standardWeights[j]) < 1e-6, `key ${j}`);
    });
  });

  it('memory: 32,000 tokens × 32 heads of float16 matrices ≈ 65.5 GB; FlashAttention keeps 4 bytes per row and head', () => {
    assert.equal(d.memoryBytes, 32000 * 32000 * 32 * 2);
    assert.ok(Math.abs(d.memoryBytes / 1e9 - 65.5) < 0.05);
    assert.equal(d.memoryFlashBytes, 32000 * 32 * 4);
    assert.equal(d.standardScoreBytes, 32 * 32 * 4);
    assert.ok(d.tiledWorkingBytes > 0);
  });

  it('without the causal mask no tile is skipped and the row sees every key', () => {
    const full = computeFlashAttention({ ...FLASH_DEFAULTS, causal: false, row: 3, blockK: 16 });
    assert.equal(full.tilesSkipped, 0);
    assert.equal(full.steps.length, 2);
    assert.ok(full.steps.every((s) => s.scores.every((x) => Number.isFinite(x))));
    assert.ok(full.maxAbsDiff < 1e-5);
  });
});
