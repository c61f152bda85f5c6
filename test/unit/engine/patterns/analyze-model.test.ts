// analyzeLayer / analyzeModel: shapes, tokens, padding and cross-attention plumbing.
import { strict as assert } from 'node:assert';
import { analyzeLayer, analyzeModel } from '../../../../src/engine/patterns/analyze-model';
import { syntheticHead } from '../../../../src/engine/patterns/synthetic-heads';

/** n×n causal head attending to the previous token (row 0 to itself). */
function previousTokenHead(n: number): Float32Array {
  const w = new Float32Array(n * n);
  for (let i = 0; i < n; i++) w[i * n + Math.max(0, i - 1)] = 1;
  return w;
}

/** n×n causal head attending to column c (rows before c to themselves). */
function sinkHead(n: number, c: number): Float32Array {
  const w = new Float32Array(n * n);
  for (let i = 0; i < n; i++) w[i * n + (i >= c ? c : i)] = 1;
  return w;
}

describe('analyzeLayer', () => {
  it('labels each head of a layer and names the sink token', () => {
    const n = 24;
    const w = new Float32Array(2 * n * n);
    w.set(previousTokenHead(n), 0);
    w.set(sinkHead(n, 0), n * n);
    const texts = Array.from({ length: n }, (_, i) => (i === 0 ? '<s>' : ' t'));
    const r = analyzeLayer(w, 2, n, n, 4, { texts }, { causal: true });
    assert.deepEqual(r.map((h) => [h.layer, h.head, h.label]), [[4, 0, 'previous-token'], [4, 1, 'sink']]);
    assert.equal(r[1].sinkColumn, 0);
    assert.equal(r[1].sinkToken, '<s>');
    assert.ok(r[0].confidence > 0.9);
    assert.equal(r[0].scores['previous-token'], 1);
    assert.equal(r[0].positions['previous-token'], n - 1);
    assert.equal(r[0].scores['next-token'], undefined); // causal: not measured
    assert.equal(r[0].scores.induction, undefined); // no ids: not measured
  });

  it('measures induction only with ids and reports on how many positions', () => {
    const h = syntheticHead('induction', 61, { causal: true, noise: 0.1, seed: 3 });
    const [withIds] = analyzeLayer(h.weights, 1, h.q, h.k, 0, h.tokens, { causal: true });
    assert.equal(withIds.label, 'induction');
    assert.ok(withIds.positions.induction! >= 9);
    const [without] = analyzeLayer(h.weights, 1, h.q, h.k, 0, undefined, { causal: true });
    assert.notEqual(without.label, 'induction');
  });

  it('drops padded positions before scoring and reports original column indices', () => {
    // 20 real tokens then 6 pads; the head sinks on column 3 and ignores the pads.
    const real = 20;
    const n = 26;
    const w = new Float32Array(n * n);
    for (let i = 0; i < n; i++) w[i * n + 3] = 1;
    const padding = Array.from({ length: n }, (_, j) => (j >= real ? 1 : 0));
    const [r] = analyzeLayer(w, 1, n, n, 0, { ids: Array.from({ length: n }, (_, i) => i) }, { causal: false, padding });
    assert.equal(r.label, 'sink');
    assert.equal(r.sinkColumn, 3);
    assert.equal(r.positions.sink, real);
    // Left padding: the sink's index must come back in the input's numbering.
    const left = new Float32Array(n * n);
    for (let i = 0; i < n; i++) left[i * n + 9] = 1;
    const [l] = analyzeLayer(left, 1, n, n, 0, undefined, { causal: false, padding: padding.slice().reverse() });
    assert.equal(l.sinkColumn, 9);
  });

  it('handles cross-attention (q ≠ k): sink and broad, positional scores unmeasured', () => {
    const q = 10;
    const k = 30;
    const w = new Float32Array(2 * q * k);
    for (let i = 0; i < q; i++) {
      w[i * k + k - 1] = 1; // head 0: every query on the last source token
      for (let j = 0; j < k; j++) w[q * k + i * k + j] = 1 / k; // head 1: uniform
    }
    const texts = Array.from({ length: k }, (_, j) => (j === k - 1 ? '</s>' : ' s'));
    const r = analyzeLayer(w, 2, q, k, 0, { texts }, { causal: false });
    assert.deepEqual(r.map((h) => h.label), ['sink', 'broad']);
    assert.equal(r[0].sinkToken, '</s>');
    assert.equal(r[0].scores.diagonal, undefined);
    assert.equal(r[0].scores.block, undefined);
  });

  it('degenerate heads: a short uniform head is broad, an unmeasurable one mixed with confidence 0', () => {
    const [uniform] = analyzeLayer(new Float32Array(16).fill(0.25), 1, 4, 4, 0, undefined, { causal: false });
    assert.equal(uniform.label, 'broad'); // every column holds 25%, but none beyond chance: no sink to remove
    const [single] = analyzeLayer(Float32Array.of(1), 1, 1, 1, 0, undefined, { causal: true });
    assert.deepEqual([single.label, single.confidence, single.scores], ['mixed', 0, {}]);
    const [nan] = analyzeLayer(new Float32Array(9).fill(NaN), 1, 3, 3, 0, undefined, { causal: true });
    assert.deepEqual([nan.label, nan.confidence], ['mixed', 0]);
  });

  it('gives clear errors for inconsistent inputs', () => {
    assert.throws(() => analyzeLayer(new Float32Array(10), 1, 3, 3, 0, undefined, { causal: false }), /do not fill/);
    assert.throws(() => analyzeLayer(new Float32Array(12), 1, 3, 4, 2, undefined, { causal: true }), /layer 2: a causal layer must be square/);
    assert.throws(() => analyzeLayer(new Float32Array(9), 1, 3, 3, 0, { ids: [1, 2] }, { causal: true }), /tokens\.ids has 2 entries but the attention has 3/);
  });
});

describe('analyzeModel', () => {
  it('walks [layers, heads, q, k] and collects findings per layer', () => {
    const n = 16;
    const w = new Float32Array(2 * 1 * n * n);
    w.set(previousTokenHead(n), 0);
    w.set(previousTokenHead(n), n * n);
    w[n * n + 2 * n + 7] = 0.5; // layer 1, head 0: query 2 → key 7 (future) and the row sums to 1.5
    const r = analyzeModel(w, [2, 1, n, n], undefined, { causal: true });
    assert.equal(r.heads.length, 2);
    assert.deepEqual(r.findings.map((f) => [f.layer, f.kind]), [[1, 'causal-leak'], [1, 'row-sum']]);
    assert.throws(() => analyzeModel(w, [2, n * n], undefined, { causal: true }), /rank 2/);
  });
});
