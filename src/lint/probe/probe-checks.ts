// Building blocks of a probe report: check records, list wording, and weight-tensor helpers
// shared by the kernel probe (q, k, v) and the module probe (x).
import type { Tensor } from '../../engine/reference/tensor';
import { permute } from './tensor-ops';
import type { ProbeCell, ProbeCheck, ProbeCheckId, ProbeMatrix } from './probe-types';

type Details = ProbeCheck['details'];

export function pass(id: ProbeCheckId, message: string, details?: Details): ProbeCheck {
  return { id, passed: true, status: 'pass', message, details };
}

export function fail(id: ProbeCheckId, message: string, details?: Details): ProbeCheck {
  return { id, passed: false, status: 'fail', message, details };
}

export function skip(id: ProbeCheckId, message: string, details?: Details): ProbeCheck {
  return { id, passed: true, status: 'skipped', message, details };
}

/** "0, 2 and 5" (at most `max` items, then "…"). */
export function listOf(items: readonly (number | string)[], max = 6): string {
  const shown = items.slice(0, max).map(String);
  const more = items.length > max ? ', …' : '';
  if (shown.length <= 1) return shown.join('') + more;
  return more ? shown.join(', ') + more : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 160 ? line.slice(0, 157) + '…' : line;
}

/** Rows (positions along axis `axis`) holding a NaN or ±∞. */
export function nonFiniteRows(t: Tensor, axis: number): number[] {
  const length = t.shape[axis];
  let outer = 1;
  for (let a = 0; a < axis; a++) outer *= t.shape[a];
  let inner = 1;
  for (let a = axis + 1; a < t.shape.length; a++) inner *= t.shape[a];
  const rows = new Set<number>();
  for (let o = 0; o < outer; o++) {
    for (let l = 0; l < length; l++) {
      const start = (o * length + l) * inner;
      for (let i = 0; i < inner; i++) {
        if (!Number.isFinite(t.data[start + i])) {
          rows.add(l);
          break;
        }
      }
    }
  }
  return [...rows].sort((a, b) => a - b);
}

export interface WeightsView {
  /** [B, H, Lq, Lk] */
  p: Tensor;
  source: 'returned' | 'recovered' | 'captured';
  /** The function produced [.., Lk, Lq] (keys × queries); p has been transposed back. */
  transposed?: boolean;
}

/**
 * A returned or captured tensor read as weights [B, H, Lq, Lk]. Accepts [B, H, Lq, Lk],
 * [B·H, Lq, Lk], [B, Lq, Lk] (one head or head-averaged), [Lq, Lk], [B, Lq, H, Lk], a flat
 * array of the right size, and the key-major transposes of these.
 */
export function asWeights(t: Tensor, b: number, h: number, lq: number, lk: number): { p: Tensor; transposed: boolean } | undefined {
  const s = t.shape;
  const n = t.data.length;
  const as4 = (heads: number, data: Float32Array, rows: number, cols: number) => ({ data, shape: [b, heads, rows, cols] });
  const tryOrder = (rows: number, cols: number): Tensor | undefined => {
    if (s.length === 4 && s[0] === b && s[1] === h && s[2] === rows && s[3] === cols) return t;
    if (s.length === 4 && s[0] === b && s[1] === rows && s[2] === h && s[3] === cols && rows !== h) return permute(t, [0, 2, 1, 3]);
    if (s.length === 3 && s[0] === b * h && s[1] === rows && s[2] === cols) return as4(h, t.data, rows, cols);
    if (s.length === 3 && s[0] === b && s[1] === rows && s[2] === cols) return as4(1, t.data, rows, cols);
    if (s.length === 2 && b === 1 && s[0] === rows && s[1] === cols) return as4(1, t.data, rows, cols);
    if (s.length === 1 && n === b * h * rows * cols) return as4(h, t.data, rows, cols);
    return undefined;
  };
  const direct = tryOrder(lq, lk);
  if (direct) return { p: direct, transposed: false };
  if (lq !== lk) {
    const flipped = tryOrder(lk, lq);
    if (flipped && flipped.shape.length === 4) return { p: permute(flipped, [0, 1, 3, 2]), transposed: true };
  }
  return undefined;
}

/** One head of batch 0 as a display matrix. */
export function headMatrix(p: Tensor, head: number, source: ProbeMatrix['source']): ProbeMatrix {
  const [, h, lq, lk] = p.shape;
  const hh = Math.min(head, h - 1);
  const start = hh * lq * lk;
  return { rows: lq, cols: lk, data: Array.from(p.data.subarray(start, start + lq * lk)), source, head: hh };
}

/** Cells of batch 0 / head `head` where two weight tensors differ by more than `tol`. */
export function differingCells(a: Tensor, b: Tensor, head: number, tol = 1e-3): ProbeCell[] {
  const [, h, lq, lk] = a.shape;
  const hh = Math.min(head, h - 1);
  const out: ProbeCell[] = [];
  for (let i = 0; i < lq; i++) {
    for (let j = 0; j < lk; j++) {
      const x = a.data[(hh * lq + i) * lk + j];
      const y = b.data[(hh * lq + i) * lk + j];
      if (!(Math.abs(x - y) <= tol)) out.push({ query: i, key: j, head: hh });
    }
  }
  return out;
}

/**
 * Determinism from three calls on the same inputs: `same` with the same seed, `other` with
 * another seed (Python only: the harness seeds random, NumPy and PyTorch). `unstable` means
 * even a fixed seed does not reproduce the output, so dependency maps cannot be measured.
 */
export function determinismCheck(base: Tensor, same: Tensor | undefined, other: Tensor | undefined): { check: ProbeCheck; unstable: boolean } {
  const diff = (t: Tensor) => {
    let m = 0;
    for (let i = 0; i < base.data.length; i++) {
      const a = base.data[i];
      const b = t.data[i];
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      const d = Math.abs(a - b);
      if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
    return m;
  };
  if (same) {
    const d = diff(same);
    if (d !== 0) {
      return {
        check: fail('deterministic', `two calls with the same inputs (and the same seed) differ (max |Δ| = ${formatDiff(d)}): the output is random at inference — an unseeded generator or dropout that ignores the training flag`, {
          values: { maxAbsDiff: d },
        }),
        unstable: true,
      };
    }
  }
  if (other) {
    const d = diff(other);
    if (d !== 0) {
      return {
        check: fail('deterministic', `the output changes with the random seed (max |Δ| = ${formatDiff(d)}): dropout is still active at inference — F.dropout(p) needs training=self.training`, {
          values: { maxAbsDiff: d },
        }),
        unstable: false,
      };
    }
  }
  return { check: pass('deterministic', 'two calls with the same inputs give the same output (no dropout or randomness at inference)'), unstable: false };
}

function formatDiff(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x);
}
