import { strict as assert } from 'node:assert';
import { sinusoidalDotProduct } from '../../../src/engine/reference/sinusoidal-positions';
import { computePositions, diagonalSpread, POSITIONS_DEFAULTS } from '../../../src/lessons/positions';
import { GPT2_FUSED, hasModel } from './lesson-test-helpers';

describe('lesson 9: positions', () => {
  it('RoPE scores depend only on the offset; without rotation they do not depend on position at all', async () => {
    const d = await computePositions(POSITIONS_DEFAULTS);
    const n = d.length;
    assert.ok(d.ropeDiagonalSpread < 1e-4, `spread ${d.ropeDiagonalSpread}`);
    // …but they do vary across offsets (position information is there)
    assert.ok(Math.abs(d.ropeScores[0] - d.ropeScores[5]) > 1e-3);
    const plain = d.plainScores[0];
    for (const v of d.plainScores) assert.ok(Math.abs(v - plain) < 1e-6);
    assert.equal(d.ropeScoreAt.length, 2);
    assert.equal(d.ropeScoreAt[1].queryPosition - d.ropeScoreAt[0].queryPosition, POSITIONS_DEFAULTS.shift);
    assert.ok(Math.abs(d.ropeScoreAt[0].score - d.ropeScoreAt[1].score) < 1e-5);
    // the live check agrees with the matrix: q at p, k at p + 3
    assert.ok(Math.abs(d.ropeScoreAt[0].score - d.ropeScores[0 * n + 3]) < 1e-5);
  });

  it('negative offsets put the key before the query', async () => {
    const d = await computePositions({ ...POSITIONS_DEFAULTS, offset: -4, shift: 7 });
    assert.deepEqual(d.ropeScoreAt.map((s) => [s.queryPosition, s.keyPosition]), [[4, 0], [11, 7]]);
    assert.ok(Math.abs(d.ropeScoreAt[0].score - d.ropeScoreAt[1].score) < 1e-5);
  });

  it('sinusoidal dot products equal Σ cos((p − p′)ω) and only depend on the offset', async () => {
    const d = await computePositions(POSITIONS_DEFAULTS);
    const n = d.length;
    for (const [p, q] of [[0, 0], [3, 10], [20, 4], [31, 0]]) {
      assert.ok(Math.abs(d.sinusoidalSimilarity[p * n + q] - sinusoidalDotProduct(p - q, d.dim)) < 1e-4);
    }
    assert.ok(diagonalSpread(d.sinusoidalSimilarity, n) < 1e-4);
    // PE[0] = [sin 0, cos 0, …] = [0, 1, 0, 1, …]
    assert.deepEqual([...d.sinusoidal.slice(0, 4)], [0, 1, 0, 1]);
  });

  it('ALiBi: 8 heads have slopes 1/2 … 1/256 and a causal linear penalty', async () => {
    const d = await computePositions(POSITIONS_DEFAULTS);
    assert.deepEqual([...d.alibiSlopes], [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256]);
    const n = d.length;
    assert.equal(d.alibiBiasFirst[5 * n + 2], -0.5 * 3);
    assert.equal(d.alibiBiasLast[5 * n + 2], -3 / 256);
    assert.equal(d.alibiBiasFirst[2 * n + 5], -Infinity);
    assert.equal(d.alibiBiasFirst[4 * n + 4], 0);
  });

  it('learned positions: read from a model that has a table, explained when it has none', async function () {
    const none = await computePositions(POSITIONS_DEFAULTS, {});
    assert.equal(none.learned.available, false);
    if (!hasModel(GPT2_FUSED)) this.skip();
    const d = await computePositions(POSITIONS_DEFAULTS, { modelDir: GPT2_FUSED });
    assert.equal(d.learned.available, true);
    if (!d.learned.available) return;
    const p = d.learned.positions;
    assert.equal(p, 64); // the fixture's context length
    for (let i = 0; i < p; i++) assert.ok(Math.abs(d.learned.similarity[i * p + i] - 1) < 1e-5);
    assert.ok(Math.abs(d.learned.similarity[1] - d.learned.similarity[p]) < 1e-6); // symmetric
  });
});
