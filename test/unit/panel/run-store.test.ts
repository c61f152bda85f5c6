import { strict as assert } from 'node:assert';
import type { LayerAttention } from '../../../src/engine/engine-api';
import { RunStore } from '../../../src/panel-model/run-store';
import { tokenAttention } from '../../../src/panel-model/token-attention';

const layer = (runId: number, index: number, floats: number): LayerAttention => ({
  runId, layer: index, kind: 'self', heads: 1, queryLength: 1, keyLength: floats, weights: new Float32Array(floats),
});

describe('run store under a memory budget', () => {
  it('evicts the least recently used layers beyond the budget', () => {
    const store = new RunStore(3 * 400);
    for (let i = 0; i < 3; i++) store.put(layer(1, i, 100));
    assert.equal(store.usedBytes, 1200);
    store.get(1, 0); // layer 0 becomes the most recent
    store.put(layer(1, 3, 100));
    assert.ok(store.get(1, 0));
    assert.equal(store.get(1, 1), undefined, 'least recently used layer is evicted');
    assert.equal(store.usedBytes, 1200);
  });

  it('keeps a single layer larger than the budget rather than dropping the newest data', () => {
    const store = new RunStore(100);
    store.put(layer(1, 0, 1000));
    assert.ok(store.get(1, 0));
  });

  it('drops other runs', () => {
    const store = new RunStore(1e6);
    store.put(layer(1, 0, 10));
    store.put(layer(2, 0, 10));
    store.dropOtherRuns(2);
    assert.equal(store.get(1, 0), undefined);
    assert.ok(store.get(2, 0));
    assert.equal(store.usedBytes, 40);
  });
});

describe('token attention aggregation', () => {
  // Two heads, q = k = 2: head 0 = [[1,0],[0.25,0.75]], head 1 = [[1,0],[0.75,0.25]].
  const l: LayerAttention = { runId: 1, layer: 0, kind: 'self', heads: 2, queryLength: 2, keyLength: 2, weights: new Float32Array([1, 0, 0.25, 0.75, 1, 0, 0.75, 0.25]) };
  it('row of one head = attention paid', () => {
    assert.deepEqual([...tokenAttention([l], () => [0], 1, 'pays')], [0.25, 0.75]);
  });
  it('mean over heads', () => {
    assert.deepEqual([...tokenAttention([l], () => [0, 1], 1, 'pays')], [0.5, 0.5]);
  });
  it('column = attention received', () => {
    assert.deepEqual([...tokenAttention([l], () => [0], 0, 'receives')], [1, 0.25]);
  });
  it('rejects out-of-range tokens', () => {
    assert.throws(() => tokenAttention([l], () => [0], 2, 'pays'), /out of range/);
  });
});
