// Independent arithmetic for the lesson tests: plain loops over number arrays, written
// from the formulas, never calling the engine kernels the lessons use.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');
export const GPT2_FUSED = join(REPO, 'test', 'fixtures', 'models', 'gpt2-fused');
export const BUNDLED = join(REPO, 'media', 'models', 'mini-code');
export const hasModel = (dir: string) => existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'tokenizer.json'));

/** A[m×k] · B[n×k]ᵀ. */
export function dotRows(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[j * k + t];
      out.push(s);
    }
  return out;
}

/** A[m×k] · B[k×n]. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + t] * b[t * n + j];
  return out;
}

/** Row softmax with −∞ entries; an all −∞ row gives zeros. */
export function softmaxRows(x: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: cols }, (_, j) => x[i * cols + j]);
    const m = Math.max(...row);
    if (m === -Infinity) {
      out.push(...row.map(() => 0));
      continue;
    }
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // equal infinities
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

/** Plain 2-D slice [rows, cols] of head h of a [H, rows, cols] buffer. */
export function headSlice(x: ArrayLike<number>, h: number, rows: number, cols: number): number[] {
  return Array.from({ length: rows * cols }, (_, i) => x[h * rows * cols + i]);
}
