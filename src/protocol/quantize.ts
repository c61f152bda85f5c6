// Display-precision encodings of attention weights, shared by host (encode) and webview
// (decode). Attention weights lie in [0, 1]; for display we store weight / scale as 8- or
// 16-bit integers, where `scale` is the block's maximum so faint heads still use the full
// range. Exact values travel as Float32Array when asked for.

export function maxOf(values: Float32Array, start = 0, end = values.length): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v > m) m = v;
  }
  return m;
}

/** Quantise to bytes of value / scale (scale = max when 0 is passed). */
export function quantizeU8(values: Float32Array, scale = maxOf(values)): { data: Uint8Array; scale: number } {
  const data = new Uint8Array(values.length);
  if (scale > 0) {
    const k = 255 / scale;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] * k;
      data[i] = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0;
    }
  }
  return { data, scale };
}

export function quantizeU16(values: Float32Array, scale = maxOf(values)): { data: Uint16Array; scale: number } {
  const data = new Uint16Array(values.length);
  if (scale > 0) {
    const k = 65535 / scale;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] * k;
      data[i] = v >= 65535 ? 65535 : v > 0 ? Math.round(v) : 0;
    }
  }
  return { data, scale };
}

/** The weight a quantised cell stands for. */
export function dequantize(value: number, precision: 'u8' | 'u16' | 'f32', scale: number): number {
  if (precision === 'f32') return value;
  return (value / (precision === 'u8' ? 255 : 65535)) * scale;
}

/**
 * Max-pools a [rows, cols] matrix into an [outRows, outCols] tile (outRows ≤ rows,
 * outCols ≤ cols). Max, not mean: a thumbnail must still show a single strong key.
 */
export function maxPool(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  outRows: number,
  outCols: number,
  out: Float32Array,
  outOffset: number,
): void {
  for (let r = 0; r < outRows; r++) {
    const r0 = Math.floor((r * rows) / outRows);
    const r1 = Math.max(r0 + 1, Math.floor(((r + 1) * rows) / outRows));
    for (let c = 0; c < outCols; c++) {
      const c0 = Math.floor((c * cols) / outCols);
      const c1 = Math.max(c0 + 1, Math.floor(((c + 1) * cols) / outCols));
      let m = 0;
      for (let i = r0; i < r1; i++) {
        const base = srcOffset + i * cols;
        for (let j = c0; j < c1; j++) if (src[base + j] > m) m = src[base + j];
      }
      out[outOffset + r * outCols + c] = m;
    }
  }
}

/** Thumbnail tiles of every head of a layer ([heads, q, k] → [heads, size', size'] bytes). */
export function layerThumbnails(
  weights: Float32Array,
  heads: number,
  q: number,
  k: number,
  size: number,
): { rows: number; cols: number; pixels: Uint8Array; tileMax: Float32Array } {
  const rows = Math.min(q, size);
  const cols = Math.min(k, size);
  const pooled = new Float32Array(heads * rows * cols);
  for (let h = 0; h < heads; h++) maxPool(weights, h * q * k, q, k, rows, cols, pooled, h * rows * cols);
  const pixels = new Uint8Array(pooled.length);
  const tileMax = new Float32Array(heads);
  for (let h = 0; h < heads; h++) {
    const start = h * rows * cols;
    const end = start + rows * cols;
    const m = maxOf(pooled, start, end);
    tileMax[h] = m;
    if (m > 0) for (let i = start; i < end; i++) pixels[i] = Math.round((pooled[i] / m) * 255);
  }
  return { rows, cols, pixels, tileMax };
}
