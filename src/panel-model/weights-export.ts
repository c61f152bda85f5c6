// Serialises a head's [q, k] or a layer's [heads, q, k] weights for the export commands:
// CSV (one row per query, header of key tokens), JSON ({tokens, shape, weights}) and
// NumPy .npy (float32, C order) that `np.load` reads directly.
import type { LayerAttention, TokenSpan } from '../engine/engine-api';
import { encodeNpy } from '../engine/io/npy';

export interface WeightsSlice {
  shape: number[];
  data: Float32Array;
}

export function sliceWeights(layer: LayerAttention, head?: number): WeightsSlice {
  const { heads, queryLength: q, keyLength: k, weights } = layer;
  if (head === undefined) return { shape: [heads, q, k], data: weights };
  if (head < 0 || head >= heads) throw new Error(`head ${head} out of range (layer has ${heads})`);
  return { shape: [q, k], data: weights.subarray(head * q * k, (head + 1) * q * k) };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(slice: WeightsSlice, queryTokens: TokenSpan[], keyTokens: TokenSpan[]): string {
  const [q, k] = slice.shape.slice(-2);
  const blocks = slice.shape.length === 3 ? slice.shape[0] : 1;
  const lines: string[] = [];
  const header = ['head', 'query', ...keyTokens.slice(0, k).map((t, j) => csvField(`${j}:${t.text}`))];
  lines.push(header.join(','));
  for (let h = 0; h < blocks; h++) {
    for (let i = 0; i < q; i++) {
      const row = [String(h), csvField(`${i}:${queryTokens[i]?.text ?? ''}`)];
      const base = h * q * k + i * k;
      for (let j = 0; j < k; j++) row.push(String(slice.data[base + j]));
      lines.push(row.join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function toJson(slice: WeightsSlice, queryTokens: TokenSpan[], keyTokens: TokenSpan[], meta: Record<string, unknown>): string {
  const [q, k] = slice.shape.slice(-2);
  const blocks = slice.shape.length === 3 ? slice.shape[0] : 1;
  const nested: number[][][] = [];
  for (let h = 0; h < blocks; h++) {
    const rows: number[][] = [];
    for (let i = 0; i < q; i++) rows.push(Array.from(slice.data.subarray(h * q * k + i * k, h * q * k + (i + 1) * k)));
    nested.push(rows);
  }
  return JSON.stringify({
    ...meta,
    shape: slice.shape,
    queryTokens: queryTokens.map((t) => ({ text: t.text, start: t.start, end: t.end })),
    keyTokens: keyTokens.map((t) => ({ text: t.text, start: t.start, end: t.end })),
    weights: slice.shape.length === 3 ? nested : nested[0],
  });
}

/** A NumPy .npy file (float32, C order) that `np.load` reads directly. */
export function toNpy(slice: WeightsSlice): Uint8Array {
  return encodeNpy(slice.data, slice.shape, { dtype: 'float32' });
}
