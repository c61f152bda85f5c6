import { strict as assert } from 'node:assert';
import { computeKvCache, KV_CACHE_DEFAULTS, poolKvHeads } from '../../../src/lessons/mha-mqa-gqa';
import { GPT2_FUSED, hasModel } from './lesson-test-helpers';

describe('lesson 6: mha-mqa-gqa', () => {
  it('KV cache = 2 · batch · layers · kv heads · head size · tokens · bytes, for MHA, GQA and MQA', async () => {
    const d = await computeKvCache(KV_CACHE_DEFAULTS);
    // Llama-2-7B shape, 4,096 tokens, float16: MHA 2 GiB; 8 kv heads 4× less; MQA 32× less
    assert.equal(d.kind, 'GQA');
    assert.deepEqual(d.comparison.map((r) => [r.kind, r.kvHeads, r.bytes]), [
      ['MHA', 32, 2 * 32 * 32 * 128 * 4096 * 2],
      ['GQA', 8, 2 * 32 * 8 * 128 * 4096 * 2],
      ['MQA', 1, 2 * 32 * 1 * 128 * 4096 * 2],
    ]);
    assert.equal(d.bytes, 536870912);
    assert.equal(d.bytesPerToken, 2 * 32 * 8 * 128 * 2);
    assert.deepEqual(d.comparison.map((r) => r.fractionOfMha), [1, 0.25, 1 / 32]);
  });

  it('maps query heads to kv heads in repeat-interleave order', async () => {
    const d = await computeKvCache({ ...KV_CACHE_DEFAULTS, queryHeads: 8, kvHeads: 2 });
    assert.deepEqual([...d.kvHeadOfQueryHead], [0, 0, 0, 0, 1, 1, 1, 1]);
    const mqa = await computeKvCache({ ...KV_CACHE_DEFAULTS, queryHeads: 4, kvHeads: 1, dtype: 'float32', batch: 3, length: 10 });
    assert.equal(mqa.kind, 'MQA');
    assert.deepEqual(mqa.comparison.map((r) => r.kind), ['MHA', 'MQA']);
    assert.equal(mqa.bytes, 2 * 3 * 32 * 1 * 128 * 10 * 4);
  });

  it('the cache grows linearly with the tokens held', async () => {
    const d = await computeKvCache(KV_CACHE_DEFAULTS);
    assert.equal(d.growthLengths[0], 0);
    assert.equal(d.growthLengths[d.growthLengths.length - 1], 4096);
    d.growthBytes.forEach((series, r) => {
      assert.equal(series[0], 0);
      assert.equal(series[series.length - 1], d.comparison[r].bytes);
      const mid = series.length >> 1;
      assert.equal(series[mid], (d.comparison[r].bytes * d.growthLengths[mid]) / 4096);
    });
  });

  it('mean-pooling heads averages each group; pooling into as many groups as heads changes nothing', async () => {
    const x = { data: Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), shape: [1, 4, 1, 2] };
    assert.deepEqual([...poolKvHeads(x, 2).data], [2, 3, 20, 30]);
    const d = await computeKvCache(KV_CACHE_DEFAULTS);
    assert.equal(d.pooling[0].relativeError, 0);
    assert.ok(d.pooling[d.pooling.length - 1].relativeError > d.pooling[1].relativeError);
    assert.match(d.poolingNote, /random heads/);
  });

  it('measures pooling on the model when there is one', async function () {
    if (!hasModel(GPT2_FUSED)) this.skip();
    const d = await computeKvCache(KV_CACHE_DEFAULTS, { modelDir: GPT2_FUSED });
    assert.deepEqual(d.pooling.map((p) => p.kvHeads), [4, 2, 1]);
    assert.equal(d.pooling[0].relativeError, 0);
    assert.match(d.poolingNote, /gpt2-fused/);
  });
});
