import { strict as assert } from 'node:assert';
import { BEFORE_DEFAULTS, computeBeforeTransformers, decoderState } from '../../../src/lessons/before-transformers';
import { seededMatrix, seededNormals, toyEmbeddings } from '../../../src/lessons/shared/toy-embedding';
import { maxDiff } from './lesson-test-helpers';

function softmax(e: number[]): number[] {
  const m = Math.max(...e);
  const x = e.map((v) => Math.exp(v - m));
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((v) => v / s);
}

describe('lesson 10: before-transformers', () => {
  const d = computeBeforeTransformers(BEFORE_DEFAULTS);
  const hidden = BEFORE_DEFAULTS.hidden;
  const n = d.sourceTokens.length;
  const H = toyEmbeddings(d.sourceTokens, hidden, BEFORE_DEFAULTS.seed).data;
  const hj = (j: number) => Array.from(H.slice(j * hidden, (j + 1) * hidden));

  it('Bahdanau scores with the PREVIOUS decoder state: vᵀ tanh(W_s s_{t−1} + W_h h_j)', () => {
    assert.equal(d.bahdanauState, BEFORE_DEFAULTS.step - 1);
    const s = BEFORE_DEFAULTS.seed * 100;
    const ws = seededMatrix(hidden, hidden, s + 1).data;
    const wh = seededMatrix(hidden, hidden, s + 2).data;
    const v = seededNormals(hidden, s + 3);
    const score = (state: Float32Array) =>
      Array.from({ length: n }, (_, j) => {
        let e = 0;
        for (let a = 0; a < hidden; a++) {
          let z = 0;
          for (let c = 0; c < hidden; c++) z += ws[a * hidden + c] * state[c] + wh[a * hidden + c] * hj(j)[c];
          e += v[a] * Math.tanh(z);
        }
        return e;
      });
    const prev = score(decoderState(BEFORE_DEFAULTS.step - 1, hidden, BEFORE_DEFAULTS.seed).data);
    assert.ok(maxDiff(d.bahdanauScores, prev) < 1e-4);
    assert.ok(maxDiff(d.bahdanau, softmax(prev)) < 1e-5);
    const withCurrent = score(decoderState(BEFORE_DEFAULTS.step, hidden, BEFORE_DEFAULTS.seed).data);
    assert.ok(maxDiff(d.bahdanauScores, withCurrent) > 1e-2);
  });

  it('Luong dot scores with the CURRENT state s_t and equals SDPA with scale 1', () => {
    assert.equal(d.luongState, BEFORE_DEFAULTS.step);
    const st = decoderState(BEFORE_DEFAULTS.step, hidden, BEFORE_DEFAULTS.seed).data;
    const dots = Array.from({ length: n }, (_, j) => hj(j).reduce((acc, x, c) => acc + x * st[c], 0));
    assert.ok(maxDiff(d.luongDotScores, dots) < 1e-5);
    assert.ok(maxDiff(d.luongDot, softmax(dots)) < 1e-6);
    assert.ok(d.dotVsSdpaMaxDiff < 1e-6);
  });

  it('Luong general = s_tᵀ W_a h_j; all four are distributions; parameter counts from the shapes', () => {
    const st = decoderState(BEFORE_DEFAULTS.step, hidden, BEFORE_DEFAULTS.seed).data;
    const wa = seededMatrix(hidden, hidden, BEFORE_DEFAULTS.seed * 100 + 4).data;
    const gen = Array.from({ length: n }, (_, j) => {
      let e = 0;
      for (let r = 0; r < hidden; r++) for (let c = 0; c < hidden; c++) e += st[r] * wa[r * hidden + c] * hj(j)[c];
      return e;
    });
    assert.ok(maxDiff(d.luongGeneralScores, gen) < 1e-4);
    for (const w of [d.bahdanau, d.luongDot, d.luongGeneral, d.luongConcat]) {
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    assert.deepEqual(d.parameterCounts.map((p) => p.parameters), [8 * 8 + 8 * 8 + 8, 0, 64, 8 * 16 + 8]);
  });

  it('clamps the step to the decoder states it has', () => {
    const last = computeBeforeTransformers({ ...BEFORE_DEFAULTS, step: 50 });
    assert.equal(last.step, 8);
    assert.equal(last.bahdanauState, 7);
  });
});
