import { strict as assert } from 'node:assert';
import {
  applyRotaryEmbedding,
  buildRotaryCache,
  rotaryInverseFrequencies,
} from '../../../../src/engine/reference/rotary-embedding';
import { mergeHeads, splitHeads } from '../../../../src/engine/reference/split-heads';
import { Tensor, tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

const positions = (ids: number[], batch = 1) => ({ data: ids, shape: [batch, ids.length / batch] });

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** One head vector [1, 1, 1, D] rotated to position p. */
function at(vec: number[], p: number, cache: { cos: Tensor; sin: Tensor }, interleaved = false): Float32Array {
  return applyRotaryEmbedding(tensor(vec, [1, 1, 1, vec.length]), cache.cos, cache.sin, {
    positionIds: positions([p]),
    interleaved,
  }).data;
}

describe('reference: rotary embedding', () => {
  it('rotates a pair by θ = p · base^(−2i/R) (hand-computed)', () => {
    // D = 2, one pair, inverse frequency 1: position 1 rotates by 1 radian.
    // [1, 0] → [cos 1, sin 1] = [0.540302306, 0.841470985]
    const cache = buildRotaryCache(4, 2);
    assertClose(at([1, 0], 1, cache), [Math.cos(1), Math.sin(1)], 1e-7);
    // position 0 is the identity
    assertClose(at([0.3, -0.7], 0, cache), [0.3, -0.7], 1e-7);
    // D = 4: frequencies 1 and 10000^(−1/2) = 0.01
    assertClose(rotaryInverseFrequencies(4), [1, 0.01], 1e-12);
  });

  it('half-split pairs (x_i, x_{i+R/2}); interleaved pairs (x_2i, x_2i+1)', () => {
    const cache = buildRotaryCache(3, 4);
    const p = 2;
    const [c0, s0, c1, s1] = [Math.cos(2), Math.sin(2), Math.cos(0.02), Math.sin(0.02)];
    // half-split: pairs (x0, x2) at θ0, (x1, x3) at θ1
    assertClose(at([1, 2, 3, 4], p, cache), [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 1 * s0 + 3 * c0, 2 * s1 + 4 * c1], 1e-6);
    // interleaved: pairs (x0, x1) at θ0, (x2, x3) at θ1
    assertClose(at([1, 2, 3, 4], p, cache, true), [1 * c0 - 2 * s0, 1 * s0 + 2 * c0, 3 * c1 - 4 * s1, 3 * s1 + 4 * c1], 1e-6);
  });

  it('scores depend only on the relative offset between query and key positions', () => {
    const cache = buildRotaryCache(64, 8);
    const q = Array.from(wave([8], 1).data);
    const k = Array.from(wave([8], 2).data);
    for (const interleaved of [false, true]) {
      const s1 = dot(at(q, 10, cache, interleaved), at(k, 7, cache, interleaved)); // offset 3
      const s2 = dot(at(q, 40, cache, interleaved), at(k, 37, cache, interleaved)); // offset 3
      const s3 = dot(at(q, 40, cache, interleaved), at(k, 30, cache, interleaved)); // offset 10
      assertClose([s1], [s2], 1e-5);
      assert.ok(Math.abs(s1 - s3) > 1e-3);
    }
  });

  it('partial rotary leaves coordinates beyond rotary_dim untouched', () => {
    const x = wave([1, 2, 3, 6], 3);
    const cache = buildRotaryCache(8, 4);
    const y = applyRotaryEmbedding(x, cache.cos, cache.sin, { rotaryDim: 4, positionIds: positions([1, 2, 5]) });
    for (let row = 0; row < 6; row++) {
      assert.equal(y.data[row * 6 + 4], x.data[row * 6 + 4]);
      assert.equal(y.data[row * 6 + 5], x.data[row * 6 + 5]);
      assert.notEqual(y.data[row * 6], x.data[row * 6]);
    }
  });

  it('3-D [B, L, H·D] input with numHeads equals the 4-D [B, H, L, D] form; per-token caches equal position_ids', () => {
    const x4 = wave([2, 3, 4, 8], 4); // [B, H, L, D]
    const cache = buildRotaryCache(16, 8);
    const ids = [3, 4, 5, 0, 7, 9, 9, 1];
    const y4 = applyRotaryEmbedding(x4, cache.cos, cache.sin, { positionIds: positions(ids, 2) });
    const x3 = mergeHeads(x4); // [B, L, H·D]
    const y3 = applyRotaryEmbedding(x3, cache.cos, cache.sin, { positionIds: positions(ids, 2), numHeads: 3 });
    assertClose(splitHeads(y3, 3).data, y4.data, 1e-7);
    // caches gathered per token: [B, L, R/2]
    const gather = (c: Tensor) => tensor(ids.flatMap((p) => Array.from(c.data.subarray(p * 4, p * 4 + 4))), [2, 4, 4]);
    const yDirect = applyRotaryEmbedding(x4, gather(cache.cos), gather(cache.sin));
    assertClose(yDirect.data, y4.data, 1e-7);
    assert.throws(() => applyRotaryEmbedding(x3, cache.cos, cache.sin, { positionIds: positions(ids, 2) }), /needs numHeads/);
  });
});
