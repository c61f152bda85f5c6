// What a weight tensor P [B, H, Lq, Lk] says about the softmax that made it:
//   - over which axis it sums to 1 (keys = correct; queries = softmax over the wrong axis);
//   - the effective scale s in P = softmax(s · Q·Kᵀ), fitted from log-ratios.
//
// The scale fit: within one normalised row, log P[i, j] − mean_j log P[i, j] equals
// s · (S[i, j] − mean_j S[i, j]) with S = Q·Kᵀ, whatever the normaliser. Masked cells
// (P = 0) are left out, so the fit does not care how (or whether) the function masks. A
// least-squares slope over every row gives s; R² says whether P really is a softmax of
// scaled dot products (a bug elsewhere makes it drop).
import type { Tensor } from '../../engine/reference/tensor';

export interface AxisSums {
  /** Largest |Σ_j P[i, j] − 1| over all rows. */
  rowDeviation: number;
  /** Largest |Σ_i P[i, j] − 1| over all columns. */
  columnDeviation: number;
  /** Largest deviation when summing over heads (axis 1), when H > 1. */
  headDeviation?: number;
  /** Query rows (of any batch/head) whose sum is off (NaN rows included). */
  badRows: number[];
  /** Query rows holding NaN or ±∞ (left out of the deviations). */
  nonFiniteRows: number[];
  /** Row sums of batch 0, head 0, for the message. */
  firstRowSums: number[];
}

const SUM_TOLERANCE = 1e-3;

export function axisSums(p: Tensor): AxisSums {
  const [b, h, lq, lk] = p.shape;
  let rowDeviation = 0;
  let columnDeviation = 0;
  const badRows = new Set<number>();
  const nonFiniteRows = new Set<number>();
  const firstRowSums: number[] = [];
  const colSums = new Float64Array(lk);
  for (let bh = 0; bh < b * h; bh++) {
    colSums.fill(0);
    for (let i = 0; i < lq; i++) {
      let sum = 0;
      for (let j = 0; j < lk; j++) sum += p.data[(bh * lq + i) * lk + j];
      if (bh === 0) firstRowSums.push(sum);
      if (!Number.isFinite(sum)) {
        // a NaN row (reported by the finiteness check) says nothing about the axis
        badRows.add(i);
        nonFiniteRows.add(i);
        continue;
      }
      for (let j = 0; j < lk; j++) colSums[j] += p.data[(bh * lq + i) * lk + j];
      const dev = Math.abs(sum - 1);
      if (dev > rowDeviation) rowDeviation = dev;
      if (dev > SUM_TOLERANCE) badRows.add(i);
    }
    for (let j = 0; j < lk; j++) {
      const dev = Math.abs(colSums[j] - 1);
      if (dev > columnDeviation) columnDeviation = dev;
    }
  }
  let headDeviation: number | undefined;
  if (h > 1) {
    headDeviation = 0;
    for (let bi = 0; bi < b; bi++) {
      for (let c = 0; c < lq * lk; c++) {
        let sum = 0;
        for (let hi = 0; hi < h; hi++) sum += p.data[(bi * h + hi) * lq * lk + c];
        if (Number.isFinite(sum) && Math.abs(sum - 1) > headDeviation) headDeviation = Math.abs(sum - 1);
      }
    }
  }
  const sorted = (set: Set<number>) => [...set].sort((x, y) => x - y);
  return { rowDeviation, columnDeviation, headDeviation, badRows: sorted(badRows), nonFiniteRows: sorted(nonFiniteRows), firstRowSums };
}

export type NormalisedAxis = 'keys' | 'queries' | 'heads' | 'none';

export function normalisedAxis(s: AxisSums): NormalisedAxis {
  if (s.rowDeviation <= SUM_TOLERANCE) return 'keys';
  if (s.nonFiniteRows.length > 0) return 'none'; // columns cannot be judged with NaN rows left out
  if (s.columnDeviation <= SUM_TOLERANCE) return 'queries';
  if (s.headDeviation !== undefined && s.headDeviation <= SUM_TOLERANCE) return 'heads';
  return 'none';
}

/** Which kv head query head h reads: in place (repeat_interleave) or tiled (repeat). */
export type HeadMapping = 'interleave' | 'tile';

export function kvHead(h: number, queryHeads: number, kvHeads: number, mapping: HeadMapping): number {
  return mapping === 'interleave' ? Math.floor(h / (queryHeads / kvHeads)) : h % kvHeads;
}

export interface ScaleFit {
  scale: number;
  /** Coefficient of determination of the log-ratio fit (1 = exact). */
  r2: number;
  mapping: HeadMapping;
  cells: number;
}

/**
 * Fits s in P = normalise(exp(s · Q·Kᵀ)) along `axis` ('keys': each row normalised,
 * 'queries': each column). q [B, Hq, Lq, D], k [B, Hkv, Lk, D].
 */
export function fitScale(p: Tensor, q: Tensor, k: Tensor, axis: 'keys' | 'queries', mapping: HeadMapping): ScaleFit | undefined {
  const [b, hq, lq, d] = q.shape;
  const [, hkv, lk] = k.shape;
  if (p.shape[2] !== lq || p.shape[3] !== lk || hq % hkv !== 0) return undefined;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  let cells = 0;
  const dot = (bi: number, h: number, i: number, j: number) => {
    const kh = kvHead(h, hq, hkv, mapping);
    let s = 0;
    for (let e = 0; e < d; e++) s += q.data[((bi * hq + h) * lq + i) * d + e] * k.data[((bi * hkv + kh) * lk + j) * d + e];
    return s;
  };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const base = (bi * hq + h) * lq * lk;
      const lines = axis === 'keys' ? lq : lk;
      const along = axis === 'keys' ? lk : lq;
      for (let line = 0; line < lines; line++) {
        const lx: number[] = [];
        const ly: number[] = [];
        for (let t = 0; t < along; t++) {
          const i = axis === 'keys' ? line : t;
          const j = axis === 'keys' ? t : line;
          const w = p.data[base + i * lk + j];
          if (!(w > 1e-9) || !Number.isFinite(w)) continue;
          lx.push(dot(bi, h, i, j));
          ly.push(Math.log(w));
        }
        if (lx.length < 2) continue;
        const mx = lx.reduce((a, c) => a + c, 0) / lx.length;
        const my = ly.reduce((a, c) => a + c, 0) / ly.length;
        for (let t = 0; t < lx.length; t++) {
          xs.push(lx[t] - mx);
          ys.push(ly[t] - my);
        }
      }
    }
  }
  for (let t = 0; t < xs.length; t++) {
    sxy += xs[t] * ys[t];
    sxx += xs[t] * xs[t];
    syy += ys[t] * ys[t];
    cells++;
  }
  if (sxx === 0 || cells < 4) return undefined;
  const scale = sxy / sxx;
  let sse = 0;
  for (let t = 0; t < xs.length; t++) {
    const r = ys[t] - scale * xs[t];
    sse += r * r;
  }
  const r2 = syy > 0 ? 1 - sse / syy : 0;
  return { scale, r2, mapping, cells };
}

/** The best fit over both kv-head mappings (they are the same when Hkv = 1 or Hkv = Hq). */
export function bestScaleFit(p: Tensor, q: Tensor, k: Tensor, axis: 'keys' | 'queries'): ScaleFit | undefined {
  const a = fitScale(p, q, k, axis, 'interleave');
  const hq = q.shape[1];
  const hkv = k.shape[1];
  if (hkv === 1 || hkv === hq) return a;
  const b = fitScale(p, q, k, axis, 'tile');
  if (!a) return b;
  if (!b) return a;
  return b.r2 > a.r2 + 1e-6 ? b : a;
}

/** What an effective scale amounts to, relative to the expected 1/√d_k. */
export function describeScale(scale: number, headSize: number, modelWidth: number): string {
  const close = (x: number, y: number) => Math.abs(x - y) <= 0.01 * Math.abs(y);
  const d = headSize;
  if (close(scale, 1 / Math.sqrt(d))) return `1/√d_k = 1/√${d}`;
  if (close(scale, 1)) return 'no scaling at all';
  if (close(scale, 1 / d)) return `1/d_k = 1/${d}: divided by d_k instead of √d_k, or scaled twice`;
  if (modelWidth !== d && close(scale, 1 / Math.sqrt(modelWidth))) return `1/√d_model = 1/√${modelWidth}: the model width instead of the head size`;
  if (close(scale, Math.sqrt(d))) return `√d_k = √${d}: multiplied instead of divided`;
  return `1/${formatNumber(1 / scale)}`;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}
