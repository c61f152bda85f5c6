import { strict as assert } from 'node:assert';
import { TileKernels, javascriptTileKernels } from '../../../../src/engine/reference/tile-kernels';
import { simdAvailable, simdTileKernels, tileKernelsModuleBytes } from '../../../../src/engine/reference/tile-kernels-simd';
import { expNonPositive } from '../../../../src/engine/reference/fast-exp';
import { mulberry32 } from '../../../../src/engine/reference/mulberry32';

/** C = A·B in float64, the plain triple loop. */
function naiveProduct(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

function check(g: TileKernels, m: number, k: number, n: number, seed: number): void {
  const random = mulberry32(seed);
  const a = Float64Array.from({ length: m * k }, () => Math.fround(random() * 2 - 1));
  const b = Float64Array.from({ length: k * n }, () => Math.fround(random() * 2 - 1));
  const c0 = Float64Array.from({ length: m * n }, () => Math.fround(random() * 2 - 1));
  // lay the three matrices out in the arena at uneven offsets
  const aAt = 3;
  const bAt = aAt + m * k + 5;
  const cAt = bAt + k * n + 7;
  const mem = g.reserve(cAt + m * n + 1);
  mem.set(a, aAt);
  mem.set(b, bAt);
  mem.set(c0, cAt);
  const expected = naiveProduct(a, b, m, k, n);
  g.gemm(aAt, bAt, cAt, m, k, n, true);
  for (let t = 0; t < m * n; t++) {
    assert.ok(Math.abs(g.arena[cAt + t] - (c0[t] + expected[t])) < 1e-5 * Math.max(1, k), `${g.name} accumulate ${m}×${k}×${n} at ${t}`);
  }
  g.gemm(aAt, bAt, cAt, m, k, n, false);
  for (let t = 0; t < m * n; t++) {
    assert.ok(Math.abs(g.arena[cAt + t] - expected[t]) < 1e-5 * Math.max(1, k), `${g.name} ${m}×${k}×${n} at ${t}`);
  }
  assert.equal(g.arena[cAt + m * n], 0, 'wrote past the end of C');
}

describe('reference: tile kernels (JavaScript and WebAssembly SIMD)', () => {
  it('the assembled module is valid WebAssembly and SIMD runs here', () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    assert.ok(api.validate(tileKernelsModuleBytes()));
    assert.ok(simdAvailable(), 'WebAssembly SIMD should be available in Node ≥ 16');
  });

  const shapes: Array<[number, number, number]> = [[4, 1, 8], [4, 3, 16], [8, 64, 64], [64, 64, 64], [12, 7, 40], [64, 72, 8]];
  for (const [m, k, n] of shapes) {
    it(`C (+)= A·B equals the naive product: ${m}×${k} · ${k}×${n}`, () => {
      check(javascriptTileKernels(), m, k, n, m * 100 + k);
      check(simdTileKernels() as TileKernels, m, k, n, m * 100 + k);
    });
  }

  it('the SIMD arena grows past its first 64 KiB page and keeps working', () => {
    const g = simdTileKernels() as TileKernels;
    check(g, 128, 128, 128, 9); // 3 · 16,384 floats = 3 pages
    assert.ok(g.arena.length >= 3 * 128 * 128);
  });

  it('fast exp: within 1e-8 of Math.exp for x ≤ 0, exactly 0 at −∞ and below float32 range', () => {
    let worst = 0;
    for (let i = 0; i <= 200000; i++) {
      const x = -i * 5.17e-4; // 0 … −103.4
      worst = Math.max(worst, Math.abs(expNonPositive(x) - Math.exp(x)) / Math.exp(x));
    }
    assert.ok(worst < 1e-8, `max relative error ${worst}`);
    assert.equal(expNonPositive(0), 1);
    assert.equal(expNonPositive(-Infinity), 0);
    assert.equal(expNonPositive(-200), 0);
  });

  for (const make of [javascriptTileKernels, () => simdTileKernels() as TileKernels]) {
    it(`expShiftedSum (${make().name}): exp(x − shift) in place, the sum returned, −∞ → 0`, () => {
      const g = make();
      const xs = [0.5, -1, 2, -Infinity, -30, 1.999, -100, -Infinity];
      const mem = g.reserve(3 + xs.length + 1);
      mem.set(xs, 3);
      mem[3 + xs.length] = 42; // must stay untouched
      const sum = g.expShiftedSum(3, xs.length, 2);
      let expected = 0;
      xs.forEach((x, t) => {
        const e = Math.exp(x - 2);
        expected += e;
        const got = g.arena[3 + t];
        assert.ok(x === -Infinity ? got === 0 : Math.abs(got - e) <= 3e-7 * e + 1e-37, `${g.name}: exp(${x} − 2) = ${got}, want ${e}`);
      });
      assert.ok(Math.abs(sum - expected) < 1e-6 * expected, `sum ${sum} vs ${expected}`);
      assert.equal(g.arena[3 + xs.length], 42);
      assert.equal(g.expShiftedSum(0, 0, 0), 0);
    });
  }
});
