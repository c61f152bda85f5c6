// Small statistics the lessons report about engine outputs.

/** Unbiased sample variance. */
export function sampleVariance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  return ss / (n - 1);
}

/** Shannon entropy (nats) of a probability row; 0·log 0 counts as 0. */
export function entropy(p: ArrayLike<number>, from = 0, to = p.length): number {
  let h = 0;
  for (let i = from; i < to; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Largest |x|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Row sums of an [rows, cols] row-major matrix. */
export function rowSums(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += m[i * cols + j];
    out[i] = s;
  }
  return out;
}

/** Counts of values per bin over the given edges (bins [e_i, e_{i+1}); the last bin is closed). */
export function histogram(values: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  const lo = edges[0];
  const hi = edges[bins];
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    out[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return out;
}
