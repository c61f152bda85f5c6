import { strict as assert } from 'node:assert';
import {
  attentionFlops,
  attentionMatrixBytes,
  bigBirdPairsEstimate,
  complexityTable,
  kvCacheBytes,
  kvCacheBytesPerToken,
  kvCacheReduction,
  projectionFlops,
  variantCost,
} from '../../../../src/engine/reference/attention-cost';
import { bigBirdPattern } from '../../../../src/engine/reference/bigbird-pattern';
import { causalWindow, slidingWindowPattern } from '../../../../src/engine/reference/sliding-window';
import { pairCount } from '../../../../src/engine/reference/sparse-pattern';
import { sparseAttention } from '../../../../src/engine/reference/sparse-attention';
import { wave } from './helpers';

describe('reference: attention cost calculator', () => {
  it('32,000 tokens × 32 heads in float16: 65.5 GB of attention matrices (32000² · 32 · 2 bytes)', () => {
    const bytes = attentionMatrixBytes({ sequenceLength: 32000, queryHeads: 32, headSize: 128, dtype: 'float16' });
    assert.equal(bytes, 65_536_000_000);
    assert.equal((bytes / 1e9).toFixed(1), '65.5');
  });

  it('one 4,096-token head in float16: 4096² · 2 = 33,554,432 bytes = 32 MiB; float32 doubles it, int8 halves it', () => {
    const one = { sequenceLength: 4096, queryHeads: 1, headSize: 64 };
    assert.equal(attentionMatrixBytes({ ...one, dtype: 'float16' }), 32 * 2 ** 20);
    assert.equal(attentionMatrixBytes({ ...one, dtype: 'bfloat16' }), 32 * 2 ** 20);
    assert.equal(attentionMatrixBytes({ ...one, dtype: 'float32' }), 64 * 2 ** 20);
    assert.equal(attentionMatrixBytes({ ...one, dtype: 'int8' }), 16 * 2 ** 20);
  });

  it('GQA with 32 query heads and 8 kv heads cuts the KV cache 4×; MQA 32×', () => {
    const base = { sequenceLength: 4096, layers: 32, queryHeads: 32, headSize: 128, dtype: 'float16' as const };
    const mha = kvCacheBytes(base);
    const gqa = kvCacheBytes({ ...base, kvHeads: 8 });
    const mqa = kvCacheBytes({ ...base, kvHeads: 1 });
    assert.equal(mha / gqa, 4);
    assert.equal(mha / mqa, 32);
    assert.equal(kvCacheReduction(32, 8), 4);
    assert.throws(() => kvCacheReduction(32, 5), /multiple/);
  });

  it('textbook KV caches: Llama-2-7B (32 layers, 32 heads, d 128) 0.5 MiB/token, 2 GiB at 4,096; Llama-2-70B (80 layers, 8 kv heads) 320 KiB/token', () => {
    const llama7 = { sequenceLength: 4096, layers: 32, queryHeads: 32, headSize: 128, dtype: 'float16' as const };
    assert.equal(kvCacheBytesPerToken(llama7), 512 * 1024);
    assert.equal(kvCacheBytes(llama7), 2 * 2 ** 30);
    const llama70 = { sequenceLength: 1, layers: 80, queryHeads: 64, kvHeads: 8, headSize: 128, dtype: 'float16' as const };
    assert.equal(kvCacheBytesPerToken(llama70), 320 * 1024);
    // batch multiplies it
    assert.equal(kvCacheBytes({ ...llama7, batch: 3 }), 3 * kvCacheBytes(llama7));
  });

  it('FLOPs: 4·Hq·n²·d for full attention (n = 2,048, d = 64, 8 heads: 8.59 GFLOP), causal ≈ half', () => {
    const s = { sequenceLength: 2048, queryHeads: 8, headSize: 64 };
    assert.equal(attentionFlops(s), 4 * 8 * 2048 * 2048 * 64);
    assert.equal(attentionFlops(s, { causal: true }), 4 * 8 * 64 * ((2048 * 2049) / 2));
    // one decoding step with a cache of 2,047 tokens: Lq = 1 sees all 2,048 keys
    assert.equal(attentionFlops({ ...s, queryLength: 1 }, { causal: true }), 4 * 8 * 2048 * 64);
    // projections with D = 512: Q, K, V, O each 2·n·512·512
    assert.equal(projectionFlops(s), 4 * 2 * 2048 * 512 * 512);
    assert.equal(projectionFlops({ ...s, kvHeads: 2 }), 2 * 2 * 2048 * 512 * 512 + 2 * 2 * 2048 * 512 * 128);
  });

  it('variants: full grows as n², window and sparse as n, linear memory is flat, flash memory linear', () => {
    const opts = { heads: 8, headSize: 64, window: 256 };
    const rows = complexityTable([4096, 8192], ['full', 'sliding-window', 'sparse', 'linear', 'flash'], opts);
    const get = (v: string, n: number) => rows.find((r) => r.variant === v && r.n === n)!;
    assert.equal(get('full', 8192).flops / get('full', 4096).flops, 4);
    assert.equal(get('full', 8192).memoryBytes / get('full', 4096).memoryBytes, 4);
    // doubling n doubles the window's work, up to the fixed edge term w(w−1)/2 pairs
    assert.equal(get('sliding-window', 8192).pairs - 2 * get('sliding-window', 4096).pairs, (256 * 255) / 2);
    assert.ok(get('sparse', 8192).flops / get('sparse', 4096).flops < 2.1);
    assert.equal(get('linear', 8192).memoryBytes, get('linear', 4096).memoryBytes);
    assert.equal(get('linear', 8192).flops / get('linear', 4096).flops, 2);
    assert.equal(get('flash', 8192).flops, get('full', 8192).flops); // exact attention: same work
    assert.equal(get('flash', 8192).memoryBytes / get('flash', 4096).memoryBytes, 2);
    assert.ok(get('flash', 8192).memoryBytes < get('full', 8192).memoryBytes / 1000);
  });

  it('the window formula matches a real pattern and the pairs the sparse kernel computes', () => {
    const n = 1000;
    const w = 100;
    const c = variantCost('sliding-window', n, { heads: 1, headSize: 8, window: w });
    const pattern = slidingWindowPattern(n, causalWindow(w));
    assert.equal(c.pairs, pairCount(pattern));
    const r = sparseAttention(wave([1, 1, n, 8], 1), wave([1, 1, n, 8], 2), wave([1, 1, n, 8], 3), pattern);
    assert.equal(r.pairsComputed, c.pairs);
  });

  it('the BigBird estimate bounds the real pattern from above, within 3% at n = 4,096, b = 64', () => {
    const n = 4096;
    const real = pairCount(bigBirdPattern(n, { blockSize: 64, windowBlocks: 3, randomBlocks: 3, seed: 1 }));
    const est = bigBirdPairsEstimate(n, 64, 3, 2, 3);
    assert.ok(est >= real, `${est} < ${real}`);
    assert.ok(est / real < 1.03, `${est} vs ${real}`);
  });
});
