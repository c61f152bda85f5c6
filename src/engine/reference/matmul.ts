// Matrix products, batched over leading axes.
//
//   matmul:            C[..., i, j] = Σ_k A[..., i, k] · B[..., k, j]
//   matmulTransposedB: C[..., i, j] = Σ_k A[..., i, k] · B[..., j, k]     (A·Bᵀ, e.g. Q·Kᵀ)
//
// Loop order matters in JavaScript as much as in C: in `matmul` the innermost loop
// runs along a row of B and a row of C (both contiguous), so memory is read in order;
// in `matmulTransposedB` each output is a dot product of two contiguous rows. Sums
// accumulate in JS numbers (float64) and are stored as float32.

import { Tensor, shapeString, sizeOf } from './tensor';

/** C[M×N] (+)= A[M×K] · B[K×N] on flat buffers at given offsets. */
export function matmulInto(
  c: Float32Array, cOffset: number,
  a: Float32Array, aOffset: number,
  b: Float32Array, bOffset: number,
  m: number, k: number, n: number,
): void {
  const row = new Float64Array(n); // one output row, accumulated in double
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aRow = aOffset + i * k;
    for (let p = 0; p < k; p++) {
      const aip = a[aRow + p];
      if (aip === 0) continue;
      const bRow = bOffset + p * n;
      for (let j = 0; j < n; j++) row[j] += aip * b[bRow + j];
    }
    const cRow = cOffset + i * n;
    for (let j = 0; j < n; j++) c[cRow + j] = row[j];
  }
}

/** C[M×N] = A[M×K] · B[N×K]ᵀ on flat buffers at given offsets. */
export function matmulTransposedBInto(
  c: Float32Array, cOffset: number,
  a: Float32Array, aOffset: number,
  b: Float32Array, bOffset: number,
  m: number, k: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * k;
    for (let j = 0; j < n; j++) {
      const bRow = bOffset + j * k;
      let dot = 0;
      for (let p = 0; p < k; p++) dot += a[aRow + p] * b[bRow + p];
      c[cOffset + i * n + j] = dot;
    }
  }
}

/**
 * Batch layout shared by both products: A is [...batch, M, K]; B is either
 * [...batch, ·, ·] with the same batch axes, or a plain matrix shared by every batch.
 */
function batchPlan(a: Tensor, b: Tensor, what: string): { batch: number[]; count: number; bShared: boolean } {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`${what}: operands need rank ≥ 2, got ${shapeString(a.shape)} and ${shapeString(b.shape)}`);
  }
  const batch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const bShared = bBatch.length === 0 || sizeOf(bBatch) === 1;
  if (!bShared && (bBatch.length !== batch.length || bBatch.some((d, i) => d !== batch[i]))) {
    throw new Error(`${what}: batch axes differ: ${shapeString(a.shape)} vs ${shapeString(b.shape)}`);
  }
  return { batch, count: sizeOf(batch), bShared };
}

/** A[..., M, K] · B[..., K, N] → [..., M, N] (B may be a single shared [K, N] matrix). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const { batch, count, bShared } = batchPlan(a, b, 'matmul');
  const [m, k] = a.shape.slice(-2);
  const [kb, n] = b.shape.slice(-2);
  if (k !== kb) throw new Error(`matmul: inner sizes differ: ${shapeString(a.shape)} · ${shapeString(b.shape)}`);
  const out = new Float32Array(count * m * n);
  for (let t = 0; t < count; t++) {
    matmulInto(out, t * m * n, a.data, t * m * k, b.data, bShared ? 0 : t * k * n, m, k, n);
  }
  return { data: out, shape: [...batch, m, n] };
}

/** A[..., M, K] · B[..., N, K]ᵀ → [..., M, N] (B may be a single shared [N, K] matrix). */
export function matmulTransposedB(a: Tensor, b: Tensor): Tensor {
  const { batch, count, bShared } = batchPlan(a, b, 'matmulTransposedB');
  const [m, k] = a.shape.slice(-2);
  const [n, kb] = b.shape.slice(-2);
  if (k !== kb) throw new Error(`matmulTransposedB: inner sizes differ: ${shapeString(a.shape)} · ${shapeString(b.shape)}ᵀ`);
  const out = new Float32Array(count * m * n);
  for (let t = 0; t < count; t++) {
    matmulTransposedBInto(out, t * m * n, a.data, t * m * k, b.data, bShared ? 0 : t * n * k, m, k, n);
  }
  return { data: out, shape: [...batch, m, n] };
}

/** Transpose the last two axes: [..., R, C] → [..., C, R]. */
export function transposeLastTwo(x: Tensor): Tensor {
  const [r, c] = x.shape.slice(-2);
  const batch = x.shape.slice(0, -2);
  const count = sizeOf(batch);
  const out = new Float32Array(x.data.length);
  for (let t = 0; t < count; t++) {
    const base = t * r * c;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[base + j * r + i] = x.data[base + i * c + j];
  }
  return { data: out, shape: [...batch, c, r] };
}
