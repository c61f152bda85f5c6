import { strict as assert } from 'node:assert';
import { erf } from '../../../../src/engine/reference/erf';
import { gelu, geluExact, geluTanh } from '../../../../src/engine/reference/gelu';
import { layerNorm } from '../../../../src/engine/reference/layer-norm';
import { rmsNorm } from '../../../../src/engine/reference/rms-norm';
import { softmaxRows } from '../../../../src/engine/reference/softmax';
import { tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

describe('reference: LayerNorm', () => {
  it('normalises the last axis (hand-computed)', () => {
    // x = [1, 2, 3, 4]: μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25, 1/σ = 0.894427191
    // y = (x − μ)/σ = [−1.341640786, −0.447213595, 0.447213595, 1.341640786]
    const r = layerNorm(tensor([1, 2, 3, 4], [1, 4]), undefined, undefined, { epsilon: 0 });
    assertClose(r.output.data, [-1.341640786, -0.447213595, 0.447213595, 1.341640786], 1e-7);
    assertClose(r.mean.data, [2.5]);
    assertClose(r.invStdDev.data, [0.894427191], 1e-7);
    assert.deepEqual(r.mean.shape, [1, 1]);
  });

  it('applies scale and bias, and normalises from any axis', () => {
    const x = wave([2, 3, 4], 1);
    const scale = wave([3, 4], 2);
    const bias = wave([4], 3); // broadcasts over the normalised [3, 4]
    const r = layerNorm(x, scale, bias, { axis: 1, epsilon: 1e-5 });
    assert.deepEqual(r.mean.shape, [2, 1, 1]);
    for (let b = 0; b < 2; b++) {
      const row = Array.from(x.data.subarray(b * 12, b * 12 + 12));
      const mu = row.reduce((s, v) => s + v, 0) / 12;
      const inv = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mu) ** 2, 0) / 12 + 1e-5);
      const want = row.map((v, i) => (v - mu) * inv * scale.data[i] + bias.data[i % 4]);
      assertClose(r.output.data.subarray(b * 12, b * 12 + 12), want, 1e-6);
    }
    assert.throws(() => layerNorm(x, undefined, undefined, { axis: 3 }), /axis 3 is outside/);
  });
});

describe('reference: RMSNorm', () => {
  it('divides by the root mean square (hand-computed)', () => {
    // x = [3, 4]: mean square = 12.5, RMS = 3.535533906 → y = [0.848528137, 1.131370850]; scale [2, 1]
    const y = rmsNorm(tensor([3, 4], [1, 2]), tensor([2, 1], [2]), { epsilon: 0 });
    assertClose(y.data, [1.697056275, 1.13137085], 1e-7);
  });

  it('keeps the mean (unlike LayerNorm) and honours axis', () => {
    const y = rmsNorm(tensor([1, 1, 1, 1], [2, 2]), undefined, { axis: 0, epsilon: 0 });
    assertClose(y.data, [1, 1, 1, 1]);
  });
});

describe('reference: erf and GELU', () => {
  it('erf matches tabulated values to 1e-12', () => {
    // Reference values of erf as printed by C99 erf() (Python math.erf); 2.9999 and 3 straddle the switch from series to continued fraction.
    const table: Array<[number, number]> = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [1.5, 0.9661051464753108], [2, 0.9953222650189527], [2.9999, 0.9999778955735178], [3, 0.9999779095030014],
      [3.5, 0.9999992569016276], [4, 0.9999999845827421], [5, 0.9999999999984626], [-1, -0.8427007929497149],
    ];
    for (const [x, want] of table) assert.ok(Math.abs(erf(x) - want) < 1e-12, `erf(${x}) = ${erf(x)}, want ${want}`);
    assert.equal(erf(Infinity), 1);
    assert.equal(erf(-Infinity), -1);
  });

  it('GELU exact and tanh (hand-computed)', () => {
    // exact: gelu(1) = Φ(1) = 0.841344746068543; gelu(−1) = −(1 − Φ(1)) = −0.158655253931457
    assertClose([geluExact(1), geluExact(-1), geluExact(0)], [0.841344746068543, -0.158655253931457, 0], 1e-12);
    // tanh: ½(1 + tanh(√(2/π)·1.044715)) = 0.841191990608276
    assertClose([geluTanh(1)], [0.841191990608276], 1e-12);
    const y = gelu(tensor([-3, 0.5, 3], [3]), 'tanh');
    assertClose(y.data, [geluTanh(-3), geluTanh(0.5), geluTanh(3)], 1e-7);
  });

  it('softmax stays finite for huge logits and zero for fully masked rows', () => {
    // softmax([1000, 1000]) = [0.5, 0.5]; a row of −∞ → zeros
    assert.deepEqual(Array.from(softmaxRows(new Float32Array([1000, 1000, -Infinity, -Infinity]), 2)), [0.5, 0.5, 0, 0]);
  });
});
