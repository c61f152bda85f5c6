// Test helpers for the reference kernels: deterministic data and approximate equality.
import { strict as assert } from 'node:assert';
import { Tensor, sizeOf } from '../../../../src/engine/reference/tensor';

/**
 * Deterministic test data: element i is sin(0.37·i + seed)·0.8, rounded to float32.
 * The same formula in Python/PyTorch reproduces the exact same inputs for golden values.
 */
export function wave(shape: number[], seed: number): Tensor {
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(0.37 * i + seed) * 0.8;
  return { data, shape };
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) assert.fail(`${what}[${i}]: NaN (${a} vs ${e})`);
    if (a === e) continue; // covers ±Infinity
    const d = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  assert.ok(worst <= tol, `${what}: max relative difference ${worst} at ${at} (${actual[at]} vs ${expected[at]}) exceeds ${tol}`);
}
