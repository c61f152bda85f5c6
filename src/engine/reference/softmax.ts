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

/**
 * Softmax along one axis of a row-major tensor of shape `shape` (ONNX Softmax-13
 * semantics: the axis is a single dimension; every other index is independent).
 *
 * `fullyMaskedRows` says what a row whose entries are all −∞ becomes: 'zeros' (what
 * attention wants) or 'nan' (the plain formula's 0/0, which is what the ONNX Softmax
 * operator's definition yields).
 */
export function softmaxAlongAxis(
  x: Float32Array,
  shape: readonly number[],
  axis: number,
  fullyMaskedRows: 'zeros' | 'nan' = 'zeros',
): Float32Array {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`softmax: axis ${axis} is outside a tensor of rank ${rank}`);
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= shape[i];
  const n = shape[a];
  let inner = 1;
  for (let i = a + 1; i < rank; i++) inner *= shape[i];
  const out = new Float32Array(x.length);
  const row = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      const base = o * n * inner + c; // element k of this row sits at base + k·inner
      let max = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = x[base + k * inner];
        row[k] = v;
        if (v > max || Number.isNaN(v)) max = v;
      }
      if (max === -Infinity) {
        for (let k = 0; k < n; k++) out[base + k * inner] = fullyMaskedRows === 'zeros' ? 0 : NaN;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < n; k++) {
        row[k] = Math.exp(row[k] - max);
        sum += row[k];
      }
      for (let k = 0; k < n; k++) out[base + k * inner] = row[k] / sum;
    }
  }
  return out;
}
