// Block score: is attention kept inside segments (lines, sentences, bracket spans, or
// blocks read off the weights) beyond what the head's reach alone would keep there?
//
// A local band also keeps most of its attention inside the current line, simply because
// it looks nearby. So the expected in-segment share is not taken from uniform attention
// but from the head's own distance profile (a Toeplitz model of the head):
//
//   P(d)  = mean over the scored rows that can reach offset d = i − j of a_ij
//   obs_i = Σ_{j ∈ S_i, seg(j) = seg(i)} a_ij
//   exp_i = Σ_{j ∈ S_i, seg(j) = seg(i)} P(i − j)  /  Σ_{j ∈ S_i} P(i − j)
//
//   block = (Σ_i obs_i − Σ_i exp_i) / (Σ_i (1 − exp_i))      (a kappa: 1 = all attention
//           that could leave the segment stays in it, 0 = no more than the profile predicts)
//
// For a band, a diagonal or a previous-token head the profile predicts the in-segment share
// exactly (block ≈ 0); for a head that spreads over its segment and stops at its edges the
// profile predicts leaks that do not happen (block → 1). Uniform attention gives 0.
//
// The analysis passes the head without its sink columns (see withoutColumns): most heads of
// real models park part of their attention on the first token, a column effect, not a
// distance effect, which would otherwise distort P at long offsets.
//
// The score is the best over the segmentations given and the one read off the weights; it
// is 0 when no row could leave its segment (less than half a row of room). Self-attention
// only.
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';
import type { SegmentSource } from './pattern-types';
import { CrossingModel, Segmentation, inferSegmentsFromWeights, isInformative } from './segments';

export interface BlockScore extends Score {
  source?: SegmentSource;
}

/**
 * Prefix sums of the offset profile P (offset d = i − j stored at index d + k − 1), and
 * each row's share on the keys before its own position (for the crossing test), in one
 * pass over the cells.
 */
function offsetProfile(h: HeadInput): { cum: Float64Array; beforeSelf: Float64Array } {
  const { a, q, k } = h;
  const inv = h.invMass;
  const size = 2 * k - 1;
  const sum = new Float64Array(size);
  const beforeSelf = new Float64Array(q);
  const reach = new Float64Array(size + 1); // difference array: rows that can reach each offset
  for (let i = 0; i < q; i++) {
    const r = inv[i];
    if (r === 0) continue;
    const end = keyEnd(h, i);
    const base = i * k;
    const shift = i + k - 1; // index of offset i − j is shift − j
    let before = 0;
    const mid = Math.min(i, end);
    for (let j = 0; j < mid; j++) {
      const x = a[base + j];
      sum[shift - j] += x * r;
      before += x;
    }
    for (let j = mid; j < end; j++) sum[shift - j] += a[base + j] * r;
    for (const j of h.excludedColumns) {
      if (j >= end) continue;
      sum[shift - j] -= a[base + j] * r;
      if (j < i) before -= a[base + j];
    }
    beforeSelf[i] = before * r;
    reach[shift - end + 1] += 1;
    reach[shift + 1] -= 1;
  }
  const cum = new Float64Array(size + 1);
  let rows = 0;
  for (let x = 0; x < size; x++) {
    rows += reach[x];
    cum[x + 1] = cum[x] + (rows > 0 ? sum[x] / rows : 0);
  }
  return { cum, beforeSelf };
}

/** Profile mass of row i over keys [lo, hi): offsets i − hi + 1 … i − lo. */
function profileMass(cum: Float64Array, h: HeadInput, i: number, lo: number, hi: number): number {
  if (hi <= lo) return 0;
  const shift = i + h.k - 1;
  return cum[shift - lo + 1] - cum[shift - hi + 1];
}

function kappaFor(h: HeadInput, s: Segmentation, cum: Float64Array): number {
  const { a, q, k, excluded } = h;
  const inv = h.invMass;
  const sinkColumns = h.excludedColumns;
  const seg = s.seg;
  const ranges = s.ranges;
  let obs = 0;
  let exp = 0;
  let room = 0;
  for (let i = 0; i < q; i++) {
    const r = inv[i];
    if (r === 0) continue;
    const end = keyEnd(h, i);
    const base = i * k;
    let den = profileMass(cum, h, i, 0, end);
    let inSeg = 0;
    let num = 0;
    if (ranges) {
      const lo = ranges.start[i];
      const hi = Math.min(ranges.end[i], end);
      for (let j = lo; j < hi; j++) if (!excluded || !excluded[j]) inSeg += a[base + j];
      num = profileMass(cum, h, i, lo, hi);
      // The sink columns' offsets are not keys this model spreads over either.
      for (const j of sinkColumns) {
        if (j >= end) continue;
        const m = profileMass(cum, h, i, j, j + 1);
        den -= m;
        if (j >= lo && j < hi) num -= m;
      }
    } else {
      const own = seg[i];
      for (let j = 0; j < end; j++) {
        if (excluded && excluded[j]) {
          den -= profileMass(cum, h, i, j, j + 1);
          continue;
        }
        if (seg[j] !== own) continue;
        inSeg += a[base + j];
        num += profileMass(cum, h, i, j, j + 1);
      }
    }
    const e = den > 0 ? Math.min(1, num / den) : 1;
    obs += Math.min(1, inSeg * r);
    exp += e;
    room += 1 - e;
  }
  if (room < 0.5) return 0;
  return Math.max(-1, Math.min(1, (obs - exp) / room));
}

/**
 * The block score over the given segmentations plus the one read off the weights. Pass the
 * head without its sink columns (withoutColumns) to leave them out.
 */
export function blockScore(h: HeadInput, fromTexts: readonly Segmentation[]): BlockScore {
  if (h.q !== h.k || h.rows === 0) return UNMEASURED;
  const { cum, beforeSelf } = offsetProfile(h);
  const { a, k, excluded } = h;
  const model: CrossingModel = {
    observedBefore: (i, b) => {
      // Keys < b = keys < i, plus or minus the few cells between i and b.
      let s = 0;
      const base = i * k;
      if (b > i) for (let j = i; j < Math.min(b, keyEnd(h, i)); j++) s += excluded && excluded[j] ? 0 : a[base + j];
      else for (let j = b; j < i; j++) s -= excluded && excluded[j] ? 0 : a[base + j];
      return beforeSelf[i] + s * h.invMass[i];
    },
    predictedBefore: (i, b) => {
      const end = keyEnd(h, i);
      let all = profileMass(cum, h, i, 0, end);
      let before = profileMass(cum, h, i, 0, Math.min(b, end));
      for (const j of h.excludedColumns) {
        if (j >= end) continue;
        const m = profileMass(cum, h, i, j, j + 1);
        all -= m;
        if (j < b) before -= m;
      }
      return all > 0 ? before / all : 0;
    },
  };
  const candidates = fromTexts.filter((s) => s.seg.length === h.q);
  const inferred = inferSegmentsFromWeights(h, model);
  if (isInformative(inferred)) candidates.push(inferred);
  if (candidates.length === 0) return { value: 0, chance: 0, positions: h.rows };
  let best = -Infinity;
  let source: SegmentSource | undefined;
  for (const s of candidates) {
    const kappa = kappaFor(h, s, cum);
    if (kappa > best) {
      best = kappa;
      source = s.source;
    }
  }
  return { value: Math.max(0, best), chance: 0, positions: h.rows, source };
}
