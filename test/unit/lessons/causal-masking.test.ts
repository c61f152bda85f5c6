import { strict as assert } from 'node:assert';
import { CAUSAL_DEFAULTS, computeCausalMasking, variantKeepMask } from '../../../src/lessons/causal-masking';

describe('lesson 3: causal-masking', () => {
  const text = 'one two three four five six seven eight';
  const n = 8;

  it('correct: keeps the lower triangle; the mask is −∞ in the upper one; the weights live below it', () => {
    const d = computeCausalMasking({ text, variant: 'correct', changedPosition: 5 });
    assert.equal(d.n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const c = i * n + j;
        assert.equal(d.keepMask[c], j <= i ? 1 : 0);
        assert.equal(d.additiveMask[c], j > i ? -Infinity : 0);
        if (j > i) assert.equal(d.weights[c], 0);
        else assert.ok(d.weights[c] > 0);
      }
    for (const s of d.rowSums) assert.ok(Math.abs(s - 1) < 1e-6);
    assert.deepEqual(d.leakedPositions, []);
    assert.deepEqual(d.fullyMaskedRows, []);
    assert.deepEqual(d.engineFindings.filter((f) => f.kind === 'causal-leak'), []);
    // changing token 5 changes position 5 and later, and nothing before it (exactly)
    for (let i = 0; i < 5; i++) assert.equal(d.outputChange[i], 0);
    assert.ok(d.outputChange[5] > 0 && d.outputChange[7] > 0);
  });

  it('upper (swapped triangle): every earlier position reads the changed future token — a leak the engine also flags', () => {
    const d = computeCausalMasking({ text, variant: 'upper', changedPosition: 5 });
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(d.keepMask[i * n + j], j >= i ? 1 : 0);
    assert.deepEqual(d.leakedPositions, [0, 1, 2, 3, 4]);
    assert.deepEqual(d.correctLeakedPositions, []);
    assert.ok(d.engineFindings.some((f) => f.kind === 'causal-leak' && f.severity === 'error'));
    // the last row can see only itself
    assert.ok(Math.abs(d.weights[n * n - 1] - 1) < 1e-6);
  });

  it('strict-lower (triu without diagonal=1 used as the blocked set): row 0 sees nothing, no leak', () => {
    const d = computeCausalMasking({ text, variant: 'strict-lower', changedPosition: 3 });
    assert.deepEqual(d.fullyMaskedRows, [0]);
    assert.equal(d.rowSums[0], 0);
    assert.deepEqual(d.leakedPositions, []);
    for (let i = 0; i < n; i++) assert.equal(d.keepMask[i * n + i], 0);
  });

  it('none: leaks to every earlier position', () => {
    const d = computeCausalMasking({ text, variant: 'none', changedPosition: 7 });
    assert.deepEqual(d.leakedPositions, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(d.replacement, 'zebra');
  });

  it('clamps the changed position and replaces a zebra with something else', () => {
    const d = computeCausalMasking({ text: 'a zebra', variant: 'correct', changedPosition: 40 });
    assert.equal(d.changedPosition, 1);
    assert.equal(d.replacement, 'giraffe');
    const def = computeCausalMasking({ ...CAUSAL_DEFAULTS, text: 'x' });
    assert.ok(def.n > 2);
  });

  it('variant masks are built from the engine causal mask', () => {
    const lower = variantKeepMask(3, 'correct').data;
    assert.deepEqual([...lower], [1, 0, 0, 1, 1, 0, 1, 1, 1]);
    assert.deepEqual([...variantKeepMask(3, 'upper').data], [1, 1, 1, 0, 1, 1, 0, 0, 1]);
  });
});
