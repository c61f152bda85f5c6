import { strict as assert } from 'node:assert';
import { broadcastShapes, broadcastTo } from '../../../../src/engine/reference/broadcast';
import { causalKeepMask, causalOffset } from '../../../../src/engine/reference/causal-mask';
import {
  boolMask,
  boolMaskToAdditive,
  combineKeepMasks,
  expandMask,
  keyPaddingMask,
  padMaskKeys,
} from '../../../../src/engine/reference/masks';
import { softcap, softcapInPlace } from '../../../../src/engine/reference/softcap';
import { tensor } from '../../../../src/engine/reference/tensor';

describe('reference: masks and broadcasting', () => {
  it('broadcasts shapes by the numpy rules', () => {
    assert.deepEqual(broadcastShapes([3, 4], [2, 1, 3, 4]), [2, 1, 3, 4]);
    assert.deepEqual(broadcastShapes([5, 1, 4], [1, 3, 1]), [5, 3, 4]);
    assert.throws(() => broadcastShapes([2, 3], [3, 3]), /do not broadcast/);
  });

  it('a 3-D mask lines up with the heads axis, not the batch', () => {
    // mask [H=2, Lq=1, Lk=2]: head 0 keeps key 0, head 1 keeps key 1
    const m = boolMask([1, 0, 0, 1], [2, 1, 2]);
    const e = expandMask(m, [3, 2, 1, 2]); // B = 3
    const row = (b: number, h: number) => Array.from(e.subarray((b * 2 + h) * 2, (b * 2 + h) * 2 + 2));
    for (let b = 0; b < 3; b++) {
      assert.deepEqual(row(b, 0), [0, -Infinity]);
      assert.deepEqual(row(b, 1), [-Infinity, 0]);
    }
    assert.throws(() => expandMask(boolMask([1, 1, 1], [3, 1, 1]), [3, 2, 1, 2]), /does not broadcast/);
  });

  it('broadcastTo stretches size-1 axes anywhere', () => {
    const x = tensor([1, 2, 3], [3, 1]);
    assert.deepEqual(Array.from(broadcastTo(x.data, [3, 1], [2, 3, 2])), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });

  it('boolean keep → additive 0 / −∞, short masks padded as blocked, padding masks', () => {
    assert.deepEqual(Array.from(boolMaskToAdditive(boolMask([1, 0], [2])).data), [0, -Infinity]);
    const padded = padMaskKeys(boolMask([1, 1, 0, 1], [2, 2]), 3);
    assert.deepEqual(padded.shape, [2, 3]);
    assert.deepEqual(Array.from(padded.data), [1, 1, 0, 0, 1, 0]);
    const paddedF = padMaskKeys(tensor([0.5, -1], [1, 2]), 3);
    assert.deepEqual(Array.from(paddedF.data), [0.5, -1, -Infinity]);
    const pad = keyPaddingMask([2, 3], 3);
    assert.deepEqual(pad.shape, [2, 1, 1, 3]);
    assert.deepEqual(Array.from(pad.data), [1, 1, 0, 1, 1, 1]);
    const both = combineKeepMasks(causalKeepMask(3, 3, 'top-left'), pad, [2, 1, 3, 3]);
    // batch 0: causal ∧ (key < 2)
    assert.deepEqual(Array.from(both.data.subarray(0, 9)), [1, 0, 0, 1, 1, 0, 1, 1, 0]);
  });
});

describe('reference: causal masks', () => {
  it('top-left: query i sees keys j ≤ i (Lq = 2, Lk = 5)', () => {
    assert.deepEqual(Array.from(causalKeepMask(2, 5, 'top-left').data), [1, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it('bottom-right: query i sees keys j ≤ i + (Lk − Lq) (Lq = 2, Lk = 5)', () => {
    assert.equal(causalOffset('bottom-right', 2, 5), 3);
    assert.deepEqual(Array.from(causalKeepMask(2, 5, 'bottom-right').data), [1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  });

  it('both alignments agree when Lq = Lk (lower triangle)', () => {
    const tl = causalKeepMask(4, 4, 'top-left');
    const br = causalKeepMask(4, 4, 'bottom-right');
    assert.deepEqual(tl.data, br.data);
    assert.deepEqual(Array.from(tl.data), [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
  });

  it('bottom-right with more queries than keys hides every key from the first queries', () => {
    // Lq = 3, Lk = 2: offset −1, query 0 sees nothing
    assert.deepEqual(Array.from(causalKeepMask(3, 2, 'bottom-right').data), [0, 0, 1, 0, 1, 1]);
  });
});

describe('reference: softcap', () => {
  it('is cap·tanh(s/cap): identity near 0, saturating at ±cap, −∞ → −cap', () => {
    assert.ok(Math.abs(softcap(0.01, 30) - 0.01) < 1e-8);
    assert.ok(Math.abs(softcap(2, 1) - Math.tanh(2)) < 1e-15); // 0.9640275800758169
    assert.equal(softcap(1e6, 50), 50);
    assert.equal(softcap(-Infinity, 5), -5); // why masks must come after softcap
    assert.equal(softcap(7, 0), 7); // cap ≤ 0: off
    assert.deepEqual(Array.from(softcapInPlace(new Float32Array([0, 3]), 3)), [0, Math.fround(3 * Math.tanh(1))]);
  });
});
