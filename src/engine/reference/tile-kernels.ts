// The two inner loops of the tiled attention kernel, on small tiles in a shared arena:
//
//   gemm             C[M×N] = A[M×K] · B[K×N]          (or C += A·B when `accumulate`)
//   expShiftedSum    x_c ← exp(x_c − shift) for a run of scores, returning their sum
//
// Every operand lives in one Float32Array "arena" at element offsets, row-major. The tiled
// kernel calls gemm twice per tile:
//   scores   S[Bq×Bk]  = Q_blk[Bq×D] · K_blkᵀ[D×Bk]    (the K tile is stored transposed)
//   output   O[Bq×Dv] += P[Bq×Bk]    · V_blk[Bk×Dv]
//
// Shapes must be padded by the caller: M a multiple of 4 and N a multiple of 8, and the
// exp run a multiple of 4 long (padded with −∞, whose exp is 0), which lets both
// implementations work in register blocks with no edge cases:
//   - this file: plain JavaScript, 2 rows × 4 columns of C per step (6 loads feed 8
//     multiply-adds; V8 keeps the 8 sums in registers), exp from fast-exp.ts;
//   - tile-kernels-simd.ts: WebAssembly SIMD, 4 rows × 8 columns, exp 4 lanes at a time.

import { expNonPositive } from './fast-exp';

export interface TileKernels {
  /** Name for reports ("javascript", "wasm-simd"). */
  readonly name: string;
  /** The shared memory holding every tile (a view: may be replaced when `reserve` grows it). */
  readonly arena: Float32Array;
  /** Make the arena hold at least `elements` floats; returns the (possibly new) arena. */
  reserve(elements: number): Float32Array;
  /** C = A·B, or C += A·B. M % 4 = 0, N % 8 = 0. */
  gemm(aOffset: number, bOffset: number, cOffset: number, m: number, k: number, n: number, accumulate: boolean): void;
  /** x ← exp(x − shift) for `count` floats at `offset` (count % 4 = 0; every x − shift ≤ 0 or −∞); returns Σ exp. */
  expShiftedSum(offset: number, count: number, shift: number): number;
}

/** The plain-JavaScript tile kernels. */
export function javascriptTileKernels(): TileKernels {
  let arena = new Float32Array(0);
  return {
    name: 'javascript',
    get arena() {
      return arena;
    },
    reserve(elements: number): Float32Array {
      if (arena.length < elements) arena = new Float32Array(elements);
      return arena;
    },
    gemm(aOffset, bOffset, cOffset, m, k, n, accumulate) {
      gemmBlocked(arena, aOffset, bOffset, cOffset, m, k, n, accumulate);
    },
    expShiftedSum(offset, count, shift) {
      let sum = 0;
      for (let t = offset; t < offset + count; t++) {
        const p = expNonPositive(arena[t] - shift);
        arena[t] = p;
        sum += p;
      }
      return sum;
    },
  };
}

/** C[M×N] (+)= A[M×K]·B[K×N] in 2×4 register blocks (M even, N a multiple of 4). */
export function gemmBlocked(mem: Float32Array, a: number, b: number, c: number, m: number, k: number, n: number, accumulate: boolean): void {
  for (let i = 0; i < m; i += 2) {
    const a0 = a + i * k; // row i of A
    const a1 = a0 + k; // row i + 1
    const c0 = c + i * n;
    const c1 = c0 + n;
    for (let j = 0; j < n; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let bp = b + j; // B[p, j…j+3] walks down the rows of B
      for (let p = 0; p < k; p++, bp += n) {
        const x0 = mem[a0 + p];
        const x1 = mem[a1 + p];
        const y0 = mem[bp];
        const y1 = mem[bp + 1];
        const y2 = mem[bp + 2];
        const y3 = mem[bp + 3];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (accumulate) {
        mem[c0 + j] += s00; mem[c0 + j + 1] += s01; mem[c0 + j + 2] += s02; mem[c0 + j + 3] += s03;
        mem[c1 + j] += s10; mem[c1 + j + 1] += s11; mem[c1 + j + 2] += s12; mem[c1 + j + 3] += s13;
      } else {
        mem[c0 + j] = s00; mem[c0 + j + 1] = s01; mem[c0 + j + 2] = s02; mem[c0 + j + 3] = s03;
        mem[c1 + j] = s10; mem[c1 + j + 1] = s11; mem[c1 + j + 2] = s12; mem[c1 + j + 3] = s13;
      }
    }
  }
}
