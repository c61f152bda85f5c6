// The tile kernels of tile-kernels.ts (C = A·B, and exp of a run of scores) as WebAssembly
// SIMD functions, assembled here from a few dozen instructions (no toolchain, no binary
// blob in the repository).
//
// WebAssembly SIMD works on 128-bit vectors of four float32 "lanes", so one instruction
// multiplies or adds four numbers; V8 compiles them to the CPU's SSE/AVX instructions.
// gemm computes a 4 × 8 block of C at a time, in eight vector accumulators:
//
//   for i in 0, 4, 8, … < M:                      4 rows of C
//     for j in 0, 8, 16, … < N:                   8 columns of C (two vectors)
//       c[r][0..1] = accumulate ? C[i+r, j…j+7] : 0          r = 0…3
//       for p in 0 … K−1:
//         b0, b1 = B[p, j…j+3], B[p, j+4…j+7]                (two vector loads)
//         for r in 0…3:
//           x = A[i+r, p] in all four lanes                  (v128.load32_splat)
//           c[r][0] += x·b0;  c[r][1] += x·b1                (f32x4.mul, f32x4.add)
//       C[i+r, j…j+7] = c[r][0..1]
//
// 6 loads feed 32 multiply-adds per step of p (vs 8 in the JavaScript version). Sums are
// float32, like onnxruntime's own kernels.
//
// expShiftedSum runs fast-exp.ts's range reduction on four scores at once, in float32:
//
//   x = s − shift;  k = nearest(x·log₂e);  r = x − k·ln2 (two parts);  p = Taylor₇(r)
//   2^k is built from its bits: (k + 127) << 23 is the float32 whose value is 2^k
//   exp = p · 2^k, set to 0 where x < −87 (below float32's normal range, and for −∞)
//
// Pointers are byte offsets into the module's memory, which the caller shares as the
// Float32Array arena of the TileKernels interface.

import type { TileKernels } from './tile-kernels';

// ---- a minimal WebAssembly binary encoder ----------------------------------------------

/** Unsigned LEB128 (sizes, indices). */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const utf8 = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const ALIGN_4 = 2; // memarg alignment hint: 2² bytes

/** The instructions this kernel uses, named as in the WebAssembly text format. */
const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  loop: [0x03, 0x40], // a loop with no result; `br_if 0` inside jumps back to its start
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  v128Load: (offset: number) => [0xfd, ...uleb(0), ALIGN_4, ...uleb(offset)],
  v128Load32Splat: (offset: number) => [0xfd, ...uleb(9), ALIGN_4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, ...uleb(11), ALIGN_4, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(12), ...new Array<number>(16).fill(0)], // v128.const 0
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Sub: [0xfd, ...uleb(229)],
  f32x4Mul: [0xfd, ...uleb(230)],
  f32x4Splat: [0xfd, ...uleb(19)],
  f32x4ExtractLane: (lane: number) => [0xfd, ...uleb(31), lane],
  f32x4Ge: [0xfd, ...uleb(70)],
  f32x4Nearest: [0xfd, ...uleb(106)],
  v128And: [0xfd, ...uleb(78)],
  i32x4TruncSatF32x4S: [0xfd, ...uleb(248)],
  i32x4Add: [0xfd, ...uleb(174)],
  i32x4Shl: [0xfd, ...uleb(171)],
  f32Add: [0x92],
  /** v128.const with the same float32 in all four lanes. */
  f32x4Const: (value: number) => [0xfd, ...uleb(12), ...new Uint8Array(Float32Array.of(value, value, value, value).buffer)],
  /** v128.const with the same int32 in all four lanes. */
  i32x4Const: (value: number) => [0xfd, ...uleb(12), ...new Uint8Array(Int32Array.of(value, value, value, value).buffer)],
};

// ---- the gemm function ------------------------------------------------------------------

// Local variable indices: the 7 parameters, then 12 i32 locals, then 11 v128 locals.
const [A, B, C, M, K, N, ACC] = [0, 1, 2, 3, 4, 5, 6];
const [ROW, COL, P, AP, BP, CP, K4, K8, K12, N4, N8, N12] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const SUMS = [19, 20, 21, 22, 23, 24, 25, 26]; // c[r][h] at SUMS[2r + h]
const [B0, B1, X] = [27, 28, 29];

/** local = local + value-of(other local) */
const addTo = (local: number, other: number) => [...op.localGet(local), ...op.localGet(other), ...op.i32Add, ...op.localSet(local)];
/** local = a · b (both locals) */
const setProduct = (local: number, a: number, b: number) => [...op.localGet(a), ...op.localGet(b), ...op.i32Mul, ...op.localSet(local)];
/** The byte address of row r of a 4-row group: base + r·stride (stride locals for r = 1, 2, 3). */
const rowAddress = (base: number, r: number, strides: number[]) => (r === 0 ? op.localGet(base) : [...op.localGet(base), ...op.localGet(strides[r - 1]), ...op.i32Add]);

function gemmBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]) => parts.forEach((p) => code.push(...p));

  // k4 = 4k, k8 = 8k, k12 = 12k: byte strides between rows of A; n4, n8, n12 likewise for B and C
  emit(op.localGet(K), op.i32Const(4), op.i32Mul, op.localSet(K4), op.localGet(K4), op.localGet(K4), op.i32Add, op.localSet(K8), op.localGet(K8), op.localGet(K4), op.i32Add, op.localSet(K12));
  emit(op.localGet(N), op.i32Const(4), op.i32Mul, op.localSet(N4), op.localGet(N4), op.localGet(N4), op.i32Add, op.localSet(N8), op.localGet(N8), op.localGet(N4), op.i32Add, op.localSet(N12));

  emit(op.i32Const(0), op.localSet(ROW));
  emit(op.loop); // rows of C, 4 at a time
  {
    emit(op.i32Const(0), op.localSet(COL));
    emit(op.loop); // columns of C, 8 at a time
    {
      // cp = c + (row·n + col)·4: the top-left of this 4×8 block of C
      emit(setProduct(CP, ROW, N), addTo(CP, COL), op.localGet(CP), op.i32Const(4), op.i32Mul, op.localGet(C), op.i32Add, op.localSet(CP));
      // the accumulators start from C (accumulate) or from zero
      emit(op.localGet(ACC), op.if);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) emit(rowAddress(CP, r, [N4, N8, N12]), op.v128Load(16 * h), op.localSet(SUMS[2 * r + h]));
      }
      emit(op.else);
      for (const s of SUMS) emit(op.v128Zero, op.localSet(s));
      emit(op.end);
      // ap = a + row·k·4 (A[row, 0]); bp = b + col·4 (B[0, col])
      emit(setProduct(AP, ROW, K4), addTo(AP, A));
      emit(op.localGet(COL), op.i32Const(4), op.i32Mul, op.localGet(B), op.i32Add, op.localSet(BP));
      emit(op.localGet(K), op.localSet(P));
      emit(op.loop); // p = k … 1
      {
        emit(op.localGet(BP), op.v128Load(0), op.localSet(B0), op.localGet(BP), op.v128Load(16), op.localSet(B1));
        for (let r = 0; r < 4; r++) {
          emit(rowAddress(AP, r, [K4, K8, K12]), op.v128Load32Splat(0), op.localSet(X));
          for (let h = 0; h < 2; h++) {
            const s = SUMS[2 * r + h];
            emit(op.localGet(s), op.localGet(X), op.localGet(h === 0 ? B0 : B1), op.f32x4Mul, op.f32x4Add, op.localSet(s));
          }
        }
        emit(op.localGet(AP), op.i32Const(4), op.i32Add, op.localSet(AP)); // next column of A
        emit(addTo(BP, N4)); // next row of B
        emit(op.localGet(P), op.i32Const(1), op.i32Sub, op.localSet(P));
        emit(op.i32Const(0), op.localGet(P), op.i32LtU, op.brIf(0)); // while p > 0
      }
      emit(op.end);
      for (let r = 0; r < 4; r++) {
        for (let h = 0; h < 2; h++) emit(rowAddress(CP, r, [N4, N8, N12]), op.localGet(SUMS[2 * r + h]), op.v128Store(16 * h));
      }
      emit(op.localGet(COL), op.i32Const(8), op.i32Add, op.localSet(COL));
      emit(op.localGet(COL), op.localGet(N), op.i32LtU, op.brIf(0)); // while col < n
    }
    emit(op.end);
    emit(op.localGet(ROW), op.i32Const(4), op.i32Add, op.localSet(ROW));
    emit(op.localGet(ROW), op.localGet(M), op.i32LtU, op.brIf(0)); // while row < m
  }
  emit(op.end);
  return code;
}

// ---- the expShiftedSum function ---------------------------------------------------------

// Parameters ptr, count (i32), shift (f32); then i32 end, and v128 sum, x, k, r, p, keep, shift4.
const [PTR, COUNT, SHIFT, END] = [0, 1, 2, 3];
const [SUM, XV, KV, RV, PV, KEEP, SHIFT4] = [4, 5, 6, 7, 8, 9, 10];
const LN2_HI_F32 = 0.693359375; // few significant bits: k·LN2_HI is exact in float32
const LN2_LO_F32 = -2.12194440e-4; // ln 2 − LN2_HI
const TAYLOR = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1]; // r⁷/7! … r + 1, highest first

function expBody(): number[] {
  const code: number[] = [];
  const emit = (...parts: number[][]) => parts.forEach((p) => code.push(...p));
  // end = ptr + 4·count; sum = 0; shift4 = splat(shift)
  emit(op.localGet(COUNT), op.i32Const(4), op.i32Mul, op.localGet(PTR), op.i32Add, op.localSet(END));
  emit(op.v128Zero, op.localSet(SUM), op.localGet(SHIFT), op.f32x4Splat, op.localSet(SHIFT4));
  emit(op.loop);
  {
    // x = s − shift; keep = (x ≥ −87)
    emit(op.localGet(PTR), op.v128Load(0), op.localGet(SHIFT4), op.f32x4Sub, op.localSet(XV));
    emit(op.localGet(XV), op.f32x4Const(-87), op.f32x4Ge, op.localSet(KEEP));
    // k = nearest(x · log₂e)
    emit(op.localGet(XV), op.f32x4Const(Math.LOG2E), op.f32x4Mul, op.f32x4Nearest, op.localSet(KV));
    // r = (x − k·LN2_HI) − k·LN2_LO
    emit(op.localGet(XV), op.localGet(KV), op.f32x4Const(LN2_HI_F32), op.f32x4Mul, op.f32x4Sub);
    emit(op.localGet(KV), op.f32x4Const(LN2_LO_F32), op.f32x4Mul, op.f32x4Sub, op.localSet(RV));
    // p = Taylor polynomial of exp(r), by Horner: p = c7; p = p·r + c6; …; p = p·r + 1
    emit(op.f32x4Const(TAYLOR[0]), op.localSet(PV));
    for (const c of TAYLOR.slice(1)) emit(op.localGet(PV), op.localGet(RV), op.f32x4Mul, op.f32x4Const(c), op.f32x4Add, op.localSet(PV));
    // e = p · 2^k, with 2^k = bits((k + 127) << 23); zero where not kept
    emit(op.localGet(PV), op.localGet(KV), op.i32x4TruncSatF32x4S, op.i32x4Const(127), op.i32x4Add, op.i32Const(23), op.i32x4Shl, op.f32x4Mul);
    emit(op.localGet(KEEP), op.v128And, op.localSet(XV));
    // store, add to the sum, advance
    emit(op.localGet(PTR), op.localGet(XV), op.v128Store(0));
    emit(op.localGet(SUM), op.localGet(XV), op.f32x4Add, op.localSet(SUM));
    emit(op.localGet(PTR), op.i32Const(16), op.i32Add, op.localSet(PTR));
    emit(op.localGet(PTR), op.localGet(END), op.i32LtU, op.brIf(0)); // while ptr < end
  }
  emit(op.end);
  // the four lane sums added: the function's f32 result
  emit(op.localGet(SUM), op.f32x4ExtractLane(0), op.localGet(SUM), op.f32x4ExtractLane(1), op.f32Add);
  emit(op.localGet(SUM), op.f32x4ExtractLane(2), op.f32Add, op.localGet(SUM), op.f32x4ExtractLane(3), op.f32Add);
  return code;
}

// ---- the module -------------------------------------------------------------------------

/** The module: imports its memory as env.memory, exports gemm(a, b, c, m, k, n, accumulate) and expShiftedSum(ptr, count, shift). */
export function tileKernelsModuleBytes(): Uint8Array {
  const gemmType = [0x60, ...vec(new Array<number[]>(7).fill([I32])), ...vec([])];
  const expType = [0x60, ...vec([[I32], [I32], [F32]]), ...vec([[F32]])];
  const gemm = [...vec([[...uleb(12), I32], [...uleb(11), V128]]), ...gemmBody(), ...op.end];
  const exp = [...vec([[...uleb(1), I32], [...uleb(7), V128]]), ...expBody(), ...op.end];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vec([gemmType, expType])), // types
    ...section(2, vec([[...utf8('env'), ...utf8('memory'), 0x02, 0x00, ...uleb(1)]])), // import memory (min 1 page)
    ...section(3, vec([uleb(0), uleb(1)])), // two functions, of types 0 and 1
    ...section(7, vec([[...utf8('gemm'), 0x00, ...uleb(0)], [...utf8('expShiftedSum'), 0x00, ...uleb(1)]])), // exports
    ...section(10, vec([[...uleb(gemm.length), ...gemm], [...uleb(exp.length), ...exp]])), // code
  ];
  return Uint8Array.from(bytes);
}

type GemmExport = (a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number) => void;
type ExpExport = (ptr: number, count: number, shift: number) => number;

// The slice of the WebAssembly JavaScript API used here. The engine compiles without the DOM
// library, whose declarations are the only ones TypeScript ships for the WebAssembly global.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly kind?: 'module';
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly (SIMD) is unavailable. */
function kernelsModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      const bytes = tileKernelsModuleBytes();
      compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** True when this runtime can run the SIMD kernel. */
export function simdAvailable(): boolean {
  return kernelsModule() !== null;
}

/** The WebAssembly SIMD tile kernels, or undefined where SIMD is unavailable. */
export function simdTileKernels(): TileKernels | undefined {
  const module = kernelsModule();
  if (!module || !wasm) return undefined;
  const memory = new wasm.Memory({ initial: 1 });
  const instance = new wasm.Instance(module, { env: { memory } });
  const gemm = instance.exports.gemm as unknown as GemmExport;
  const expShiftedSum = instance.exports.expShiftedSum as unknown as ExpExport;
  let arena = new Float32Array(memory.buffer);
  return {
    name: 'wasm-simd',
    get arena() {
      return arena;
    },
    reserve(elements: number): Float32Array {
      const needPages = Math.ceil((elements * 4) / 65536);
      const havePages = memory.buffer.byteLength / 65536;
      if (needPages > havePages) memory.grow(needPages - havePages);
      if (arena.buffer !== memory.buffer) arena = new Float32Array(memory.buffer); // growing detaches the old view
      return arena;
    },
    gemm(aOffset, bOffset, cOffset, m, k, n, accumulate) {
      gemm(aOffset * 4, bOffset * 4, cOffset * 4, m, k, n, accumulate ? 1 : 0);
    },
    expShiftedSum(offset, count, shift) {
      return count > 0 ? expShiftedSum(offset * 4, count, shift) : 0;
    },
  };
}
