// Numerically stable softmax over the last axis of a row-major buffer.
//
//   softmax(x)_j = exp(x_j - max(x)) / Σ_k exp(x_k - max(x))
//
// Subtracting the row maximum keeps every exponent ≤ 0, so exp never overflows; the
// result is mathematically identical. A row whose entries are all -Infinity (fully
// masked) has no finite maximum: we return zeros for it instead of NaN, which is what
// the ONNX Attention operator specifies for fully masked rows.

/** Softmax in place over consecutive rows of length `rowLength`. */
export function softmaxRowsInPlace(x: Float32Array, rowLength: number): Float32Array {
  if (rowLength <= 0) return x;
  if (x.length % rowLength !== 0) {
    throw new Error(`softmax: buffer of ${x.length} is not a whole number of rows of ${rowLength}`);
  }
  for (let start = 0; start < x.length; start += rowLength) {
    const end = start + rowLength;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
    if (max === -Infinity) {
      x.fill(0, start, end);
      continue;
    }
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = Math.exp(x[i] - max);
      x[i] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let i = start; i < end; i++) x[i] *= inv;
  }
  return x;
}

/** Softmax over consecutive rows, returning a new buffer. */
export function softmaxRows(x: Float32Array, rowLength: number): Float32Array {
  return softmaxRowsInPlace(Float32Array.from(x), rowLength);
}
