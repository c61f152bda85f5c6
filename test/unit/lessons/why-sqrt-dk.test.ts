import { strict as assert } from 'node:assert';
import { softmaxRows } from '../../../src/engine/reference/softmax';
import { computeWhySqrtDk, softmaxJacobianNorm, SWEEP_DK, WHY_SQRT_DK_DEFAULTS } from '../../../src/lessons/why-sqrt-dk';

describe('lesson 2: why-sqrt-dk', () => {
  const d = computeWhySqrtDk(WHY_SQRT_DK_DEFAULTS);

  it('the sampled variance of q·k is d_k unscaled and 1 scaled, within sampling error, at every d_k', () => {
    // 2,048 independent samples: the relative standard error of a variance is about √(2/N) ≈ 3%.
    SWEEP_DK.forEach((dk, i) => {
      assert.ok(Math.abs(d.sweepVarianceUnscaled[i] / dk - 1) < 0.1, `d_k ${dk}: ${d.sweepVarianceUnscaled[i]}`);
      assert.ok(Math.abs(d.sweepVarianceScaled[i] - 1) < 0.1, `d_k ${dk} scaled: ${d.sweepVarianceScaled[i]}`);
    });
    assert.equal(d.samples, 2048);
    assert.ok(Math.abs(d.varianceUnscaled / 64 - 1) < 0.1);
    // the scaled variance is the unscaled one divided by d_k (same samples)
    assert.ok(Math.abs(d.varianceScaled - d.varianceUnscaled / 64) < 1e-3);
  });

  it('unscaled, the softmax collapses toward one-hot and passes almost no gradient; scaled, it does not', () => {
    const last = SWEEP_DK.length - 1;
    assert.ok(d.sweepEntropyUnscaled[last] < 0.15 * d.maxEntropy, `entropy at 1024: ${d.sweepEntropyUnscaled[last]}`);
    assert.ok(d.sweepEntropyUnscaled[0] > d.sweepEntropyUnscaled[last] * 3);
    for (const e of d.sweepEntropyScaled) assert.ok(e > 0.6 * d.maxEntropy && e <= d.maxEntropy + 1e-9);
    assert.ok(d.sweepGradientUnscaled[last] < 0.25 * d.sweepGradientScaled[last]);
    // the unscaled gradient shrinks as d_k grows (compare the ends of the sweep, which are far apart)
    assert.ok(d.sweepGradientUnscaled[last] < 0.5 * d.sweepGradientUnscaled[3]);
    assert.ok(Math.abs(d.maxEntropy - Math.log(16)) < 1e-12);
  });

  it('example rows are distributions and the histograms count every sample', () => {
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum(d.exampleScaled) - 1) < 1e-6);
    assert.ok(Math.abs(sum(d.exampleUnscaled) - 1) < 1e-6);
    assert.ok(sum(d.histogramUnscaled) > 0.99 * d.samples); // ±4σ
    assert.equal(sum(d.histogramScaled), d.samples);
    // scaled scores (σ = 1) sit in the 5 central bins (±3.9) of a ±4√d_k = ±32 range
    const mid = Math.floor(d.histogramScaled.length / 2);
    let central = 0;
    for (let b = mid - 2; b <= mid + 2; b++) central += d.histogramScaled[b];
    assert.ok(central > 0.99 * d.samples);
    assert.ok(d.histogramUnscaled[mid] < 0.2 * d.samples);
  });

  it('the Jacobian norm matches finite differences of the engine softmax and the uniform closed form', () => {
    const x = Float32Array.from([0.3, -1.2, 2.0, 0.7, -0.4]);
    const p = softmaxRows(x, 5);
    const eps = 1e-3;
    let ss = 0;
    for (let j = 0; j < 5; j++) {
      const up = Float32Array.from(x);
      const down = Float32Array.from(x);
      up[j] += eps;
      down[j] -= eps;
      const pu = softmaxRows(up, 5);
      const pd = softmaxRows(down, 5);
      for (let i = 0; i < 5; i++) ss += ((pu[i] - pd[i]) / (2 * eps)) ** 2;
    }
    assert.ok(Math.abs(softmaxJacobianNorm(p) - Math.sqrt(ss)) < 1e-3);
    // uniform p over n: ‖diag(p) − ppᵀ‖² = (n − 1)/n²
    const n = 16;
    assert.ok(Math.abs(softmaxJacobianNorm(new Array(n).fill(1 / n)) - Math.sqrt((n - 1) / (n * n))) < 1e-12);
    // one-hot: zero gradient
    assert.equal(softmaxJacobianNorm([0, 1, 0]), 0);
  });

  it('is deterministic for a seed and changes with it', () => {
    const again = computeWhySqrtDk(WHY_SQRT_DK_DEFAULTS);
    assert.equal(again.varianceUnscaled, d.varianceUnscaled);
    const other = computeWhySqrtDk({ ...WHY_SQRT_DK_DEFAULTS, seed: 2 });
    assert.notEqual(other.varianceUnscaled, d.varianceUnscaled);
  });
});
