import { strict as assert } from 'node:assert';
import { KvCache } from '../../../../src/engine/reference/kv-cache';
import { multiHeadAttention, MultiHeadAttentionWeights } from '../../../../src/engine/reference/multi-head-attention';
import { buildRotaryCache } from '../../../../src/engine/reference/rotary-embedding';
import { mergeHeads, splitHeads } from '../../../../src/engine/reference/split-heads';
import { Tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

function sliceTokens(x: Tensor, from: number, to: number): Tensor {
  const [b, l, d] = x.shape;
  const out = new Float32Array(b * (to - from) * d);
  for (let i = 0; i < b; i++) out.set(x.data.subarray((i * l + from) * d, (i * l + to) * d), i * (to - from) * d);
  return { data: out, shape: [b, to - from, d] };
}

describe('reference: multi-head attention layer', () => {
  const E = 8;
  const weights: MultiHeadAttentionWeights = {
    wq: wave([E, E], 22), wk: wave([E, E], 23), wv: wave([E, E], 24), wo: wave([E, E], 25),
    bq: wave([E], 26), bk: wave([E], 27), bv: wave([E], 28), bo: wave([E], 29),
  };

  it('matches torch.nn.MultiheadAttention (E = 8, 2 heads, causal self-attention)', () => {
    // Golden values: PyTorch 1.13 nn.MultiheadAttention(8, 2, batch_first=True) loaded with the same
    // weights (transposed to its [out, in] layout), attn_mask = triu(ones, 1), average_attn_weights=False.
    const x = wave([1, 4, E], 21);
    const r = multiHeadAttention(x, weights, { numHeads: 2, causal: 'top-left' });
    assert.deepEqual(r.output.shape, [1, 4, E]);
    assertClose(r.output.data, [
      -0.5742775, -0.7637146, -0.8497867, -0.820844, -0.6808039, -0.4486203, -0.1557179, 0.15826, -0.8066447, -0.8790468,
      -0.8324741, -0.6732299, -0.4228671, -0.1152714, 0.207926, 0.5029814, -0.6401374, -0.7613089, -0.7794409,
      -0.6920791, -0.5110477, -0.2608484, 0.0246555, 0.3068224, -0.8033349, -0.8761446, -0.8303723, -0.6722131,
      -0.4230729, -0.1166718, 0.2055203, 0.4998961,
    ], 5e-7);
    assertClose(r.weights.data, [
      1, 0, 0, 0, 0.2578054, 0.7421945, 0, 0, 0.2170386, 0.574064, 0.2088974, 0, 0.1275305, 0.3749101, 0.1230878,
      0.3744716, 1, 0, 0, 0, 0.2929972, 0.7070028, 0, 0, 0.3488455, 0.3045543, 0.3466001, 0, 0.1482055, 0.3561068,
      0.1470335, 0.3486542,
    ], 5e-7);
  });

  it('decoding token by token with a KV cache and RoPE equals one causal pass', () => {
    const gqa: MultiHeadAttentionWeights = { wq: wave([E, 8], 1), wk: wave([E, 4], 2), wv: wave([E, 4], 3), wo: wave([8, E], 4) };
    const x = wave([1, 5, E], 5);
    const { cos, sin } = buildRotaryCache(16, 2);
    const ids = (from: number, to: number) => ({ data: Array.from({ length: to - from }, (_, i) => from + i), shape: [1, to - from] });
    const full = multiHeadAttention(x, gqa, { numHeads: 4, numKvHeads: 2, causal: 'bottom-right', rotary: { cos, sin, positionIds: ids(0, 5) } });
    const cache = new KvCache();
    for (const [from, to] of [[0, 3], [3, 4], [4, 5]]) {
      const step = multiHeadAttention(sliceTokens(x, from, to), gqa, {
        numHeads: 4, numKvHeads: 2, causal: 'bottom-right', cache, rotary: { cos, sin, positionIds: ids(from, to) },
      });
      assertClose(step.output.data, sliceTokens(full.output, from, to).data, 1e-6, `tokens ${from}…${to}`);
    }
    assert.equal(cache.length, 5);
  });

  it('cross-attention reads keys and values from the memory sequence', () => {
    const x = wave([2, 3, E], 6);
    const memory = wave([2, 7, 6], 7); // a different width is fine: Wk/Wv map 6 → 8
    const w: MultiHeadAttentionWeights = { ...weights, wk: wave([6, E], 8), wv: wave([6, E], 9), bk: undefined, bv: undefined };
    const r = multiHeadAttention(x, w, { numHeads: 4, memory });
    assert.deepEqual(r.output.shape, [2, 3, E]);
    assert.deepEqual(r.weights.shape, [2, 4, 3, 7]);
  });

  it('splitHeads / mergeHeads are inverse and place head h at columns h·D … (h+1)·D', () => {
    const x = wave([2, 3, 6], 10);
    const h = splitHeads(x, 3); // [2, 3 heads, 3 tokens, 2]
    // element [b=1, head=2, t=0, d=1] = x[1, 0, 2·2 + 1]
    assert.equal(h.data[((1 * 3 + 2) * 3 + 0) * 2 + 1], x.data[(1 * 3 + 0) * 6 + 5]);
    assert.deepEqual(mergeHeads(h).data, x.data);
  });
});
