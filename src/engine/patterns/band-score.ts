// Local-band score and its effective window width.
//
// Distance profile of the head and of uniform attention, over the scored rows R:
//
//   G(d) = (1/|R|) Σ_i Σ_{j ∈ S_i, |i−j| = d} a_ij        U(d) = the same with a_ij = 1/|S_i|
//   M(w) = Σ_{d ≤ w} G(d)                                 V(w) = Σ_{d ≤ w} U(d)
//
// M(w) is the share of attention within distance w of the query, V(w) what uniform
// attention would put there. The effective window is the distance that separates the head
// most from uniform attention,  bandWidth = argmax_w (M(w) − V(w))  (smallest on ties);
// for a window of width W plus noise, M − V rises up to W and falls after it. The score is
// the share within that window beyond chance:
//
//   local-band = (M(W) − V(W)) / (1 − V(W)),   reported with chance = V(W) and value = M(W)
//
// A previous-token head is a band of width 1 and a diagonal head one of width 0: the
// labeller only calls a head a band when the width is at least 2. Like broad, it is computed
// on the head without its sink columns (see withoutColumns). The window searched is at
// most a quarter of the sequence (MAX_WIDTH_FRACTION; at least 2). Self-attention only.
import { HeadInput, Score, UNMEASURED, keyCount, keyEnd } from './head-rows';

export const MAX_WIDTH_FRACTION = 0.25;
const MIN_SEARCHED_WIDTH = 2;

export interface BandScore extends Score {
  width: number;
  /** (M(W) − V(W)) / (1 − V(W)): the share within the window beyond chance. */
  lift: number;
}

export function bandScore(h: HeadInput): BandScore {
  if (h.q !== h.k || h.rows === 0) return { ...UNMEASURED, width: -1, lift: 0 };
  const { a, q, k, invMass } = h;
  const g = new Float64Array(k);
  // Uniform profile through a difference array: each row adds 1/|S_i| to every distance it
  // can reach on each side, so building U costs O(q + k), not O(q·k).
  const du = new Float64Array(k + 1);
  for (let i = 0; i < q; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    const end = keyEnd(h, i);
    const base = i * k;
    for (let j = 0; j < end; j++) {
      const d = i > j ? i - j : j - i;
      g[d] += a[base + j] * inv;
    }
    const u = 1 / keyCount(h, i);
    for (const j of h.excludedColumns) {
      if (j >= end) continue;
      const d = i > j ? i - j : j - i;
      g[d] -= a[base + j] * inv; // cheaper than testing every cell against the mask
      du[d] -= u;
      du[d + 1] += u;
    }
    du[0] += u; // d = 0 (own position)
    du[1] += u; // left side: d = 1 … i
    du[i + 1] -= u;
    if (end > i + 1) {
      du[1] += u; // right side: d = 1 … end − 1 − i
      du[end - i] -= u;
    }
    du[1] -= u; // undo the d = 0 entry beyond 0
  }
  const norm = 1 / h.rows;
  let m = 0;
  let v = 0;
  let running = 0;
  let bestW = 0;
  let bestExcess = -Infinity;
  let bestM = 0;
  let bestV = 0;
  // A band is local: its window may span at most a quarter of the sequence (at least 2).
  // Without the cap, far windows where uniform attention leaves almost no room
  // (1 − V(w) → 0) would turn tiny excesses into large lifts.
  const maxWidth = Math.min(k - 1, Math.max(MIN_SEARCHED_WIDTH, Math.floor((k - 1) * MAX_WIDTH_FRACTION)));
  for (let d = 0; d <= maxWidth; d++) {
    running += du[d];
    m += g[d] * norm;
    v += running * norm;
    const excess = m - v;
    if (excess > bestExcess + 1e-12) {
      bestExcess = excess;
      bestW = d;
      bestM = m;
      bestV = v;
    }
  }
  const liftValue = bestV >= 1 ? 0 : (bestM - bestV) / (1 - bestV);
  return { value: bestM, chance: bestV, positions: h.rows, width: bestW, lift: liftValue };
}
