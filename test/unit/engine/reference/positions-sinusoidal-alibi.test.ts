import { strict as assert } from 'node:assert';
import { alibiBias, alibiSlopes } from '../../../../src/engine/reference/alibi';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { sinusoidalDotProduct, sinusoidalFrequencies, sinusoidalPositions } from '../../../../src/engine/reference/sinusoidal-positions';
import { tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

describe('reference: position encodings', () => {
  describe('sinusoidal (Vaswani)', () => {
    it('hand values for d = 4: ω = [1, 1/100]; PE[1] = [sin 1, cos 1, sin 0.01, cos 0.01]', () => {
      const pe = sinusoidalPositions(3, 4);
      assert.deepEqual(pe.shape, [3, 4]);
      assert.deepEqual(Array.from(pe.data.subarray(0, 4)), [0, 1, 0, 1]); // position 0
      assertClose(pe.data.subarray(4, 8), [0.8414709848, 0.5403023059, 0.0099998333, 0.99995], 1e-7);
      assertClose(pe.data.subarray(8, 12), [0.9092974268, -0.4161468365, 0.0199986667, 0.9998000067], 1e-7);
      assertClose(sinusoidalFrequencies(4), [1, 0.01], 1e-15);
    });

    it('odd d: the last column is a sine without its cosine', () => {
      const pe = sinusoidalPositions(2, 3);
      // ω = [1, 10000^(−2/3)]
      assertClose(pe.data.subarray(3, 6), [Math.sin(1), Math.cos(1), Math.sin(Math.pow(10000, -2 / 3))], 1e-7);
    });

    it('PE[p]·PE[q] depends only on p − q and equals Σ cos((p−q)ω_i)', () => {
      const d = 64;
      const pe = sinusoidalPositions(100, d);
      const dot = (p: number, q: number) => {
        let s = 0;
        for (let x = 0; x < d; x++) s += pe.data[p * d + x] * pe.data[q * d + x];
        return s;
      };
      for (const [p, q] of [[10, 3], [50, 43], [99, 92]]) assert.ok(Math.abs(dot(p, q) - sinusoidalDotProduct(7, d)) < 1e-4);
      assert.ok(Math.abs(dot(5, 5) - d / 2) < 1e-4); // Σ (sin² + cos²) = d/2
      // nearer positions are more similar than far ones (at small offsets)
      assert.ok(sinusoidalDotProduct(1, d) > sinusoidalDotProduct(10, d));
    });

    it('PE[pos + k] is PE[pos] rotated by k·ω_i in each (sin, cos) pair', () => {
      const d = 8;
      const k = 5;
      const pe = sinusoidalPositions(40, d);
      const omega = sinusoidalFrequencies(d);
      for (const pos of [0, 7, 30]) {
        for (let i = 0; i < d / 2; i++) {
          const s = pe.data[pos * d + 2 * i];
          const c = pe.data[pos * d + 2 * i + 1];
          const a = k * omega[i];
          // sin(x + a) = sin x cos a + cos x sin a;  cos(x + a) = cos x cos a − sin x sin a
          assert.ok(Math.abs(pe.data[(pos + k) * d + 2 * i] - (s * Math.cos(a) + c * Math.sin(a))) < 1e-6);
          assert.ok(Math.abs(pe.data[(pos + k) * d + 2 * i + 1] - (c * Math.cos(a) - s * Math.sin(a))) < 1e-6);
        }
      }
    });
  });

  describe('ALiBi', () => {
    it('8 heads → slopes 1/2, 1/4, …, 1/256', () => {
      assert.deepEqual(Array.from(alibiSlopes(8)), [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256]);
    });

    it('16 heads → 2^(−0.5), 2^(−1), …, 2^(−8); 1 head → 1/256; 2 heads → 1/16, 1/256', () => {
      assertClose(alibiSlopes(16), Array.from({ length: 16 }, (_, h) => Math.pow(2, -(h + 1) / 2)), 1e-15);
      assert.deepEqual(Array.from(alibiSlopes(1)), [1 / 256]);
      assert.deepEqual(Array.from(alibiSlopes(2)), [1 / 16, 1 / 256]);
    });

    it('non-power-of-two: 12 heads → the 8-head slopes then 2^(−0.5), 2^(−1.5), 2^(−2.5), 2^(−3.5)', () => {
      const expected = [...[1, 2, 3, 4, 5, 6, 7, 8].map((e) => Math.pow(2, -e)), ...[0.5, 1.5, 2.5, 3.5].map((e) => Math.pow(2, -e))];
      assertClose(alibiSlopes(12), expected, 1e-15);
      // 6 heads: 4-head slopes (2^−2, 2^−4, 2^−6, 2^−8), then every other 8-head slope: 2^−1, 2^−3
      assertClose(alibiSlopes(6), [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3], 1e-15);
    });

    it('causal bias: −m(i − j) on and below the diagonal, −∞ above (hand values, 2 heads)', () => {
      const bias = alibiBias(2, 3);
      assert.deepEqual(bias.shape, [2, 3, 3]);
      const m = 1 / 16;
      assert.deepEqual(Array.from(bias.data.subarray(0, 9)), [0, -Infinity, -Infinity, -m, 0, -Infinity, -2 * m, -m, 0]);
      const sym = alibiBias(1, 3, { kind: 'symmetric' });
      assert.deepEqual(Array.from(sym.data), [0, -1, -2, -1, 0, -1, -2, -1, 0].map((x) => (x === 0 ? 0 : x / 256)));
    });

    it('with a KV cache (Lq = 2, Lk = 4) the queries sit at positions 2 and 3', () => {
      const bias = alibiBias(1, 2, { keys: 4 });
      const m = 1 / 256;
      assertClose(bias.data, [-2 * m, -m, 0, -Infinity, -3 * m, -2 * m, -m, 0], 1e-12);
    });

    it('in attention, −m(i−j) and the row-shifted +m·j give the same weights (softmax ignores a row constant)', () => {
      const heads = 4;
      const n = 6;
      const q = wave([1, heads, n, 8], 1);
      const k = wave([1, heads, n, 8], 2);
      const v = wave([1, heads, n, 8], 3);
      const slopes = alibiSlopes(heads);
      const shifted = new Float32Array(heads * n * n);
      for (let h = 0; h < heads; h++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) shifted[(h * n + i) * n + j] = j <= i ? slopes[h] * j : -Infinity;
      const a = scaledDotProductAttention(q, k, v, { mask: alibiBias(heads, n) });
      const b = scaledDotProductAttention(q, k, v, { mask: tensor(shifted, [heads, n, n]) });
      assertClose(a.weights.data, b.weights.data, 1e-6);
      // and the bias really changes attention: steeper heads look more locally
      const plain = scaledDotProductAttention(q, k, v, { causal: 'top-left' });
      assert.ok(Math.abs(a.weights.data[n * n - n] - plain.weights.data[n * n - n]) > 1e-4);
    });
  });
});
