import { strict as assert } from 'node:assert';
import { matmul, matmulTransposedB, transposeLastTwo } from '../../../../src/engine/reference/matmul';
import { tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

describe('reference: matmul', () => {
  it('multiplies a 2×3 by a 3×2 matrix (hand-computed)', () => {
    // [1 2 3]   [ 7  8]   [1·7+2·9+3·11  1·8+2·10+3·12]   [ 58  64]
    // [4 5 6] · [ 9 10] = [4·7+5·9+6·11  4·8+5·10+6·12] = [139 154]
    //           [11 12]
    const c = matmul(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([7, 8, 9, 10, 11, 12], [3, 2]));
    assert.deepEqual(c.shape, [2, 2]);
    assert.deepEqual(Array.from(c.data), [58, 64, 139, 154]);
  });

  it('A·Bᵀ equals A·transpose(B), batched', () => {
    const a = wave([2, 3, 4, 5], 1);
    const b = wave([2, 3, 6, 5], 2);
    const viaT = matmul(a, transposeLastTwo(b));
    const direct = matmulTransposedB(a, b);
    assert.deepEqual(direct.shape, [2, 3, 4, 6]);
    assertClose(direct.data, viaT.data, 1e-6);
  });

  it('shares a 2-D right operand across the batch and checks inner sizes', () => {
    const a = wave([2, 3, 4], 3);
    const w = wave([4, 5], 4);
    const c = matmul(a, w);
    assert.deepEqual(c.shape, [2, 3, 5]);
    // Row (1, 2) computed by hand from the definition.
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a.data[(1 * 3 + 2) * 4 + k] * w.data[k * 5 + j];
      assert.ok(Math.abs(c.data[(1 * 3 + 2) * 5 + j] - s) < 1e-6);
    }
    assert.throws(() => matmul(a, wave([5, 4], 0)), /inner sizes differ/);
  });
});
