import { strict as assert } from 'node:assert';
import { computeSelfVsCross, CROSS_DEFAULTS, CROSS_HEADS, CROSS_MODEL_WIDTH } from '../../../src/lessons/self-vs-cross';
import { seededMatrix, toyEmbeddings } from '../../../src/lessons/shared/toy-embedding';
import { dotRows, headSlice, matMul, maxDiff, softmaxRows } from './lesson-test-helpers';

describe('lesson 4: self-vs-cross', () => {
  const d = computeSelfVsCross(CROSS_DEFAULTS);
  const lt = d.cross.queryTokens.length;
  const ls = d.cross.keyTokens.length;

  it('cross-attention is [L_target, L_source]; swapping gives [L_source, L_target] and one output row per source token', () => {
    assert.equal(lt, 4);
    assert.equal(ls, 7);
    assert.equal(d.self.weights.length, CROSS_HEADS * lt * lt);
    assert.equal(d.cross.weights.length, CROSS_HEADS * lt * ls);
    assert.equal(d.swapped.weights.length, CROSS_HEADS * ls * lt);
    assert.deepEqual(d.cross.outputShape, [lt, CROSS_MODEL_WIDTH]);
    assert.deepEqual(d.swapped.outputShape, [ls, CROSS_MODEL_WIDTH]);
    assert.deepEqual(d.cross.shapes.find((s) => s.name === 'weights per head')?.shape, [lt, ls]);
    assert.deepEqual(d.swapped.queryTokens, d.cross.keyTokens);
  });

  it('every query row is a distribution over the OTHER sequence', () => {
    for (const c of [d.self, d.cross, d.swapped]) {
      const lk = c.keyTokens.length;
      for (let r = 0; r < c.weights.length / lk; r++) {
        let s = 0;
        for (let j = 0; j < lk; j++) s += c.weights[r * lk + j];
        assert.ok(Math.abs(s - 1) < 1e-5);
      }
    }
  });

  it('cross weights equal softmax(Q_target·K_sourceᵀ/√d_head) computed by hand', () => {
    const dm = CROSS_MODEL_WIDTH;
    const hd = dm / CROSS_HEADS;
    const xt = toyEmbeddings(d.cross.queryTokens, dm, 11).data;
    const xs = toyEmbeddings(d.cross.keyTokens, dm, 22).data;
    const q = matMul(xt, seededMatrix(dm, dm, 401).data, lt, dm, dm);
    const k = matMul(xs, seededMatrix(dm, dm, 402).data, ls, dm, dm);
    for (let h = 0; h < CROSS_HEADS; h++) {
      const qh = Array.from({ length: lt * hd }, (_, i) => q[Math.floor(i / hd) * dm + h * hd + (i % hd)]);
      const kh = Array.from({ length: ls * hd }, (_, i) => k[Math.floor(i / hd) * dm + h * hd + (i % hd)]);
      const p = softmaxRows(dotRows(qh, kh, lt, ls, hd).map((x) => x / Math.sqrt(hd)), lt, ls);
      assert.ok(maxDiff(headSlice(d.cross.weights, h, lt, ls), p) < 1e-5);
    }
  });

  it('swapping changes the meaning, not just the shape: the swapped weights are not the transpose', () => {
    const t: number[] = [];
    for (let j = 0; j < ls; j++) for (let i = 0; i < lt; i++) t.push(d.cross.weights[i * ls + j]);
    assert.ok(maxDiff(headSlice(d.swapped.weights, 0, ls, lt), t) > 1e-2);
  });
});
