// Sink / columnar score: how much of the head's attention lands on a few fixed key columns
// (the first token, a newline, a full stop …), whichever query asks.
//
// Column share, over the scored rows R (a row never counts towards its own column, so a
// diagonal head is not a sink; cross-attention has no "own column"):
//
//   c_j = (1 / |R|) Σ_{i ∈ R, j ∈ S_i, j ≠ i} a_ij        e_j = (1 / |R|) Σ_{same i} 1 / |S_i|
//
// e_j is c_j under uniform attention. Dividing by |R| (not by the rows that can see j)
// means a late column in a causal head cannot look like a sink because the two rows that
// see it happen to look at it.
//
// The sink columns C: the column with the largest lift (c_j − e_j) / (1 − e_j), then, in
// order of lift, up to three more among the columns holding at least 10% each. The
// score is the attention they hold together:  sink = Σ_{j∈C} c_j, chance = Σ_{j∈C} e_j.
// A head that sends early rows to the first token and later rows to the first newline is
// one columnar head with two sink columns.
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';

export const SINK_EXTRA_COLUMN_SHARE = 0.1;

/**
 * The sink columns the structural scores leave out: at least 10% of the attention and at
 * least twice their chance share (on a short uniform head every column holds 10%, and none
 * of them is a sink).
 */
export function strongSinkColumns(s: SinkScore): number[] {
  return s.columns.filter((_, x) => s.shares[x] >= SINK_EXTRA_COLUMN_SHARE && s.shares[x] >= 2 * s.chances[x]);
}
export const SINK_MAX_COLUMNS = 4;

export interface SinkScore extends Score {
  /** Best column (largest lift). */
  column: number;
  /** Sink columns C, best first. */
  columns: number[];
  /** Share c_j of each column in C. */
  shares: number[];
  /** Chance e_j of each column in C. */
  chances: number[];
}

export function sinkScore(h: HeadInput): SinkScore {
  if (h.rows === 0 || h.k === 0) return { ...UNMEASURED, column: -1, columns: [], shares: [], chances: [] };
  const { a, q, k, invMass } = h;
  const self = q === k;
  const share = new Float64Array(k);
  for (let i = 0; i < q; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    const end = keyEnd(h, i);
    const base = i * k;
    for (let j = 0; j < end; j++) share[j] += a[base + j] * inv;
    if (self) share[i] -= a[base + i] * inv;
  }
  // Chance per column in O(q + k): for causal heads, column j is seen by rows i ≥ j
  // (minus its own row), so e_j is a suffix sum of 1/(i+1).
  const chance = new Float64Array(k);
  if (h.causal) {
    let suffix = 0;
    for (let j = k - 1; j >= 0; j--) {
      chance[j] = suffix; // rows i > j
      if (invMass[j] !== 0) suffix += 1 / (j + 1);
    }
  } else {
    let all = 0;
    for (let i = 0; i < q; i++) if (invMass[i] !== 0) all += 1 / k;
    for (let j = 0; j < k; j++) chance[j] = self && j < q && invMass[j] !== 0 ? all - 1 / k : all;
  }
  const inv = 1 / h.rows;
  for (let j = 0; j < k; j++) {
    share[j] *= inv;
    chance[j] *= inv;
  }
  const liftOf = (j: number): number => (chance[j] >= 1 ? 0 : (share[j] - chance[j]) / (1 - chance[j]));
  // Best columns by lift: a few selection passes (SINK_MAX_COLUMNS is tiny), no sort of k.
  const columns: number[] = [];
  for (let pick = 0; pick < SINK_MAX_COLUMNS; pick++) {
    let best = -1;
    let bestLift = -Infinity;
    for (let j = 0; j < k; j++) {
      if (columns.includes(j) || (pick > 0 && share[j] < SINK_EXTRA_COLUMN_SHARE)) continue;
      const l = liftOf(j);
      if (l > bestLift) {
        bestLift = l;
        best = j;
      }
    }
    if (best < 0) break;
    columns.push(best);
  }
  let value = 0;
  let ch = 0;
  for (const j of columns) {
    value += share[j];
    ch += chance[j];
  }
  return {
    value,
    chance: ch,
    positions: h.rows,
    column: columns[0],
    columns,
    shares: columns.map((j) => share[j]),
    chances: columns.map((j) => chance[j]),
  };
}
