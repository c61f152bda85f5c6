import { strict as assert } from 'node:assert';
import { repeatKvHeads, kvHeadFor, headSharing } from '../../../../src/engine/reference/head-mapping';
import { KvCache, concatSequence } from '../../../../src/engine/reference/kv-cache';
import { boolMask, boolMaskToAdditive } from '../../../../src/engine/reference/masks';
import {
  scaledDotProductAttention,
  scaledDotProductAttentionStages,
} from '../../../../src/engine/reference/scaled-dot-product-attention';
import { Tensor, tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

/** Rows [from, to) of the sequence axis of a [B, H, L, D] tensor. */
function sliceSequence(x: Tensor, from: number, to: number): Tensor {
  const [b, h, l, d] = x.shape;
  const n = to - from;
  const out = new Float32Array(b * h * n * d);
  for (let bh = 0; bh < b * h; bh++) out.set(x.data.subarray((bh * l + from) * d, (bh * l + to) * d), bh * n * d);
  return { data: out, shape: [b, h, n, d] };
}

describe('reference: scaled dot-product attention', () => {
  it('one query, two keys (hand-computed)', () => {
    // q = [1, 0], k0 = [1, 0], k1 = [0, 1], D = 2, scale = 1/√2
    // scores = [1/√2, 0]; p0 = 1/(1 + e^(−1/√2)) = 0.669761549, p1 = 0.330238451
    // out = p0·[1, 2] + p1·[3, 4] = [1 + 2·p1, 2 + 2·p1] = [1.660476902, 2.660476902]
    const q = tensor([1, 0], [1, 1, 1, 2]);
    const k = tensor([1, 0, 0, 1], [1, 1, 2, 2]);
    const v = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const { output, weights } = scaledDotProductAttention(q, k, v);
    assertClose(weights.data, [0.669761549, 0.330238451], 1e-7);
    assertClose(output.data, [1.660476902, 2.660476902], 1e-7);
  });

  it('scale overrides 1/√D', () => {
    // scale = 0 makes every score 0: uniform weights, output = mean of v rows = [2, 3]
    const q = tensor([5, -3], [1, 1, 1, 2]);
    const k = tensor([1, 0, 0, 1], [1, 1, 2, 2]);
    const v = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const { output, weights } = scaledDotProductAttention(q, k, v, { scale: 0 });
    assert.deepEqual(Array.from(weights.data), [0.5, 0.5]);
    assert.deepEqual(Array.from(output.data), [2, 3]);
  });

  it('causal with equal scores: row i is uniform over keys 0…i', () => {
    const q = tensor(new Float32Array(3 * 2), [1, 1, 3, 2]); // all zeros → equal scores
    const k = wave([1, 1, 3, 2], 1);
    const v = wave([1, 1, 3, 2], 2);
    const { weights } = scaledDotProductAttention(q, k, v, { causal: 'top-left' });
    assertClose(weights.data, [1, 0, 0, 1 / 2, 1 / 2, 0, 1 / 3, 1 / 3, 1 / 3], 1e-7);
  });

  it('matches PyTorch: GQA (4 query heads, 2 kv heads), boolean mask, bottom-right causal, Lq ≠ Lk', () => {
    // Golden values from PyTorch 1.13 (float64 math on the same float32 inputs):
    // repeat_interleave kv heads, scores/√D, masked_fill(~(keep & tril(Lk−Lq)), −inf), softmax, @ v.
    const q = wave([1, 4, 3, 4], 11);
    const k = wave([1, 2, 5, 4], 12);
    const v = wave([1, 2, 5, 3], 13);
    const keep = boolMask([1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0], [3, 5]);
    const { output, weights } = scaledDotProductAttention(q, k, v, { mask: keep, causal: 'bottom-right' });
    assert.deepEqual(output.shape, [1, 4, 3, 3]);
    assertClose(output.data, [
      0.4593047, 0.6230767, 0.7025181, 0.1728315, 0.137565, 0.0836797, 0.5223431, 0.4564328, 0.3287465, 0.552167,
      0.6586416, 0.6759721, -0.1371297, -0.2519886, -0.3327421, 0.3069954, 0.2650468, 0.1872253, 0.0929806,
      0.3320231, 0.5261278, 0.2217658, 0.183181, 0.1198036, 0.4151266, 0.2769443, 0.101279, 0.1413694, 0.3725677,
      0.5533407, -0.0669939, 0.0830839, 0.2219168, 0.2727832, 0.3520492, 0.383667,
    ], 2e-7);
    assertClose(weights.data.subarray(3 * 15, 4 * 15), [
      0.5373025, 0.4626975, 0, 0, 0, 0.7273494, 0, 0.1214775, 0.1511732, 0, 0.3240699, 0.3462136, 0.1800377,
      0.1496788, 0,
    ], 2e-7);
  });

  it('GQA and MQA equal MHA over repeat-interleaved kv heads', () => {
    const q = wave([2, 6, 4, 8], 3);
    for (const kvHeads of [3, 2, 1]) {
      const k = wave([2, kvHeads, 5, 8], 4);
      const v = wave([2, kvHeads, 5, 7], 5);
      const grouped = scaledDotProductAttention(q, k, v, { causal: 'bottom-right' });
      const full = scaledDotProductAttention(q, repeatKvHeads(k, 6), repeatKvHeads(v, 6), { causal: 'bottom-right' });
      assertClose(grouped.output.data, full.output.data, 1e-6, `Hkv=${kvHeads} output`);
      assertClose(grouped.weights.data, full.weights.data, 1e-6, `Hkv=${kvHeads} weights`);
    }
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((h) => kvHeadFor(h, 8, 2)), [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.equal(headSharing(8, 1), 'MQA');
    assert.equal(headSharing(8, 2), 'GQA');
    assert.equal(headSharing(8, 8), 'MHA');
  });

  it('refuses head counts that do not divide', () => {
    assert.throws(
      () => scaledDotProductAttention(wave([1, 6, 2, 4], 1), wave([1, 4, 2, 4], 2), wave([1, 4, 2, 4], 3)),
      /query heads \(6\) must be a positive multiple of key\/value heads \(4\)/,
    );
  });

  it('bottom-right equals top-left when Lq = Lk', () => {
    const q = wave([1, 2, 5, 4], 6);
    const k = wave([1, 2, 5, 4], 7);
    const v = wave([1, 2, 5, 4], 8);
    const tl = scaledDotProductAttention(q, k, v, { causal: 'top-left' });
    const br = scaledDotProductAttention(q, k, v, { causal: 'bottom-right' });
    assert.deepEqual(tl.output.data, br.output.data);
    assert.deepEqual(tl.weights.data, br.weights.data);
  });

  it('step-by-step decoding with a KV cache equals full causal attention', () => {
    const L = 6;
    const q = wave([1, 4, L, 8], 9);
    const k = wave([1, 2, L, 8], 10);
    const v = wave([1, 2, L, 8], 11);
    const full = scaledDotProductAttention(q, k, v, { causal: 'top-left' });
    // prefill 2 tokens, then one token per step
    const cache = new KvCache();
    const steps: Array<[number, number]> = [[0, 2], [2, 3], [3, 4], [4, 5], [5, 6]];
    for (const [from, to] of steps) {
      const present = cache.append(sliceSequence(k, from, to), sliceSequence(v, from, to));
      assert.equal(present.key.shape[2], to);
      const step = scaledDotProductAttention(sliceSequence(q, from, to), present.key, present.value, { causal: 'bottom-right' });
      assertClose(step.output.data, sliceSequence(full.output, from, to).data, 1e-6, `tokens ${from}…${to}`);
    }
    // Top-left on the cached step would be WRONG: the new query would only see key 0.
    const wrong = scaledDotProductAttention(sliceSequence(q, 5, 6), k, v, { causal: 'top-left' });
    assert.equal(wrong.weights.data[0], 1);
    assert.deepEqual(concatSequence(sliceSequence(k, 0, 2), sliceSequence(k, 2, 6)).data, k.data);
  });

  it('a boolean keep-mask equals its additive form; masks broadcast from 2-D, 3-D and 4-D', () => {
    const q = wave([2, 2, 3, 4], 12);
    const k = wave([2, 2, 4, 4], 13);
    const v = wave([2, 2, 4, 4], 14);
    const keep = boolMask([1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1], [3, 4]);
    const a = scaledDotProductAttention(q, k, v, { mask: keep });
    const b = scaledDotProductAttention(q, k, v, { mask: boolMaskToAdditive(keep) });
    assert.deepEqual(a.output.data, b.output.data);
    // the same mask given as [1, 1, 3, 4] and as an explicit [2, 2, 3, 4] copy
    const as4 = scaledDotProductAttention(q, k, v, { mask: { data: keep.data, shape: [1, 1, 3, 4] } });
    const copies = new Uint8Array(4 * 12);
    for (let i = 0; i < 4; i++) copies.set(keep.data, i * 12);
    const full = scaledDotProductAttention(q, k, v, { mask: boolMask(copies, [2, 2, 3, 4]) });
    assert.deepEqual(as4.output.data, a.output.data);
    assert.deepEqual(full.output.data, a.output.data);
    for (let i = 0; i < a.weights.data.length; i++) {
      if (keep.data[i % 12] === 0) assert.equal(a.weights.data[i], 0);
    }
  });

  it('a fully masked row gives zero weights and zero output, never NaN', () => {
    const q = wave([1, 1, 2, 4], 15);
    const k = wave([1, 1, 3, 4], 16);
    const v = wave([1, 1, 3, 4], 17);
    const { output, weights } = scaledDotProductAttention(q, k, v, { mask: boolMask([0, 0, 0, 1, 1, 0], [2, 3]) });
    assert.deepEqual(Array.from(weights.data.subarray(0, 3)), [0, 0, 0]);
    assert.deepEqual(Array.from(output.data.subarray(0, 4)), [0, 0, 0, 0]);
    assert.ok(Array.from(output.data).every((x) => Number.isFinite(x)));
    assertClose([weights.data[3] + weights.data[4]], [1], 1e-7);
  });

  it('softcap comes before the mask: blocked keys stay at zero weight', () => {
    const q = wave([1, 1, 2, 4], 18);
    const k = wave([1, 1, 3, 4], 19);
    const v = tensor([0, 0, 1, 1, 1000, 1000], [1, 1, 3, 2]); // key 2 is a "poison" value
    const mask = tensor([0, 0, -Infinity], [3]);
    const r = scaledDotProductAttentionStages(q, k, v, { softcap: 0.5, mask, keepStages: true });
    assert.equal(r.weights.data[2], 0);
    assert.equal(r.weights.data[5], 0);
    assert.ok(r.output.data.every((x) => x <= 1));
    // stages: scores → cap·tanh(scores/cap) → + mask
    for (let i = 0; i < 6; i++) {
      const s = r.scores!.data[i];
      assertClose([r.cappedScores!.data[i]], [0.5 * Math.tanh(s / 0.5)], 1e-6);
    }
    assert.equal(r.maskedScores!.data[2], -Infinity);
  });

  it('cross-attention: output follows the query length, weights span the keys', () => {
    const { output, weights } = scaledDotProductAttention(wave([2, 3, 4, 8], 20), wave([2, 3, 7, 8], 21), wave([2, 3, 7, 5], 22));
    assert.deepEqual(output.shape, [2, 3, 4, 5]);
    assert.deepEqual(weights.shape, [2, 3, 4, 7]);
    for (let r = 0; r < 2 * 3 * 4; r++) {
      let s = 0;
      for (let j = 0; j < 7; j++) s += weights.data[r * 7 + j];
      assertClose([s], [1], 1e-6);
    }
  });
});
