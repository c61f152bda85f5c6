// Masking checks: defects in exported attention probabilities that no pattern score should
// paper over. One finding per layer and kind (and severity), listing the heads it affects
// and a sample of the offending cells.
//
//   non-finite        a weight is NaN or ±Infinity (a softmax over a row of −Infinity with
//                     no guard, an overflow in float16 …);
//   causal-leak       the model is causal but some query i puts weight > leakTolerance on a
//                     key j > i: the causal mask is missing or misaligned in the export;
//   row-sum           |Σ_j A_ij − 1| > rowSumTolerance (softmax over the wrong axis, a
//                     missing normalisation, dropout left on). All-zero rows are reported
//                     apart, as warnings: fully masked rows are legitimately zero in ONNX's
//                     Attention, but elsewhere they mean every key was masked;
//   padding-attended  a query that is not itself padding puts weight > paddingTolerance on a
//                     padded key (the padding mask was not applied).
import type { FindingSeverity, MaskingFinding } from './pattern-types';

export interface MaskingCheckOptions {
  causal: boolean;
  /** Padding per key position (true / non-zero = padding). */
  padding?: ArrayLike<boolean | number>;
  /** Largest weight above the diagonal still taken as zero (default 1e-6). */
  leakTolerance?: number;
  /** Largest |row sum − 1| accepted (default 2e-3: float16 exports round each weight by up to 2⁻¹¹ of itself). */
  rowSumTolerance?: number;
  /** Largest weight on a padded key still taken as zero (default 1e-6). */
  paddingTolerance?: number;
}

export const DEFAULT_LEAK_TOLERANCE = 1e-6;
export const DEFAULT_ROW_SUM_TOLERANCE = 2e-3;
export const DEFAULT_PADDING_TOLERANCE = 1e-6;
const SAMPLE = 8;

/** Collects one kind of defect across the heads of a layer. */
class Tally {
  heads = new Set<number>();
  count = 0;
  worst = 0;
  worstCell: [number, number] | undefined;
  cells: [number, number][] = [];
  extra = 0; // kind-specific total (leaked mass, NaN count …)

  add(head: number, cell: [number, number], size: number): void {
    this.heads.add(head);
    this.count++;
    if (this.cells.length < SAMPLE) this.cells.push(cell);
    if (size > this.worst || this.worstCell === undefined) {
      this.worst = size;
      this.worstCell = cell;
    }
  }

  finding(kind: MaskingFinding['kind'], severity: FindingSeverity, layer: number, message: string): MaskingFinding {
    const cells = this.cells.slice();
    if (this.worstCell && !cells.some((c) => c[0] === this.worstCell![0] && c[1] === this.worstCell![1])) {
      cells[cells.length === SAMPLE ? SAMPLE - 1 : cells.length] = this.worstCell;
    }
    return { kind, severity, layer, heads: [...this.heads].sort((x, y) => x - y), message, cells };
  }
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2);
}

function headList(t: Tally): string {
  const h = [...t.heads].sort((x, y) => x - y);
  return h.length === 1 ? `head ${h[0]}` : `heads ${h.join(', ')}`;
}

export function checkLayerMasking(
  weights: Float32Array,
  heads: number,
  q: number,
  k: number,
  layer: number,
  opts: MaskingCheckOptions,
): MaskingFinding[] {
  if (weights.length !== heads * q * k) {
    throw new Error(`layer ${layer}: ${weights.length} weights do not fill [heads ${heads}, q ${q}, k ${k}]`);
  }
  if (opts.causal && q !== k) throw new Error(`layer ${layer}: a causal layer must be square, got q = ${q} and k = ${k}`);
  const leakTol = opts.leakTolerance ?? DEFAULT_LEAK_TOLERANCE;
  const sumTol = opts.rowSumTolerance ?? DEFAULT_ROW_SUM_TOLERANCE;
  const padTol = opts.paddingTolerance ?? DEFAULT_PADDING_TOLERANCE;
  const pad = opts.padding;
  if (pad && pad.length !== k) throw new Error(`padding mask has ${pad.length} entries, expected ${k} key positions`);
  // Read the mask once into bytes: the loop below visits every cell.
  const padMask = new Uint8Array(k);
  if (pad) for (let j = 0; j < k; j++) padMask[j] = pad[j] ? 1 : 0;
  const anyPad = padMask.includes(1);

  const nonFinite = new Tally();
  const leak = new Tally();
  const badSum = new Tally();
  const zeroRow = new Tally();
  const padAttended = new Tally();
  let leakRows = 0;
  let scoredRows = 0;

  for (let head = 0; head < heads; head++) {
    const base = head * q * k;
    for (let i = 0; i < q; i++) {
      const row = base + i * k;
      // A padded query row's content is irrelevant (it is discarded downstream).
      const padQuery = q === k && padMask[i] === 1;
      let sum = 0;
      let finite = true;
      let leaked = 0;
      let onPad = 0;
      for (let j = 0; j < k; j++) {
        const x = weights[row + j];
        if (!Number.isFinite(x)) {
          finite = false;
          nonFinite.add(head, [i, j], 1);
          if (Number.isNaN(x)) nonFinite.extra++;
          continue;
        }
        sum += x;
        if (opts.causal && j > i && x > leakTol) {
          leak.add(head, [i, j], x);
          leaked += x;
        }
        if (anyPad && !padQuery && padMask[j] === 1 && x > padTol) {
          padAttended.add(head, [i, j], x);
          onPad += x;
        }
      }
      if (!finite || padQuery) continue;
      scoredRows++;
      if (leaked > 0) {
        leakRows++;
        leak.extra += leaked;
      }
      padAttended.extra += onPad;
      if (sum === 0) zeroRow.add(head, [i, -1], 1);
      else if (Math.abs(sum - 1) > sumTol) badSum.add(head, [i, -1], Math.abs(sum - 1));
    }
  }

  const findings: MaskingFinding[] = [];
  if (nonFinite.count > 0) {
    const nan = nonFinite.extra;
    findings.push(
      nonFinite.finding('non-finite', 'error', layer,
        `${nonFinite.count} weight(s) are not finite (${nan} NaN, ${nonFinite.count - nan} ±Infinity) in ${headList(nonFinite)}; ` +
          'a softmax over a fully masked row or a float16 overflow produces these'),
    );
  }
  if (leak.count > 0) {
    const share = scoredRows > 0 ? leak.extra / scoredRows : 0;
    const [wi, wj] = leak.worstCell!;
    findings.push(
      leak.finding('causal-leak', 'error', layer,
        `causal model attends to future tokens in ${headList(leak)}: ${leak.count} weight(s) above the diagonal ` +
          `(> ${fmt(leakTol)}) in ${leakRows} row(s), the largest ${fmt(leak.worst)} at query ${wi} → key ${wj}, ` +
          `${(100 * share).toFixed(2)}% of all attention; the causal mask is missing or misaligned in the export`),
    );
  }
  if (badSum.count > 0) {
    const [wi] = badSum.worstCell!;
    findings.push(
      badSum.finding('row-sum', 'error', layer,
        `${badSum.count} row(s) do not sum to 1 (tolerance ${fmt(sumTol)}) in ${headList(badSum)}; ` +
          `worst: query ${wi} is off by ${fmt(badSum.worst)}. Softmax over the wrong axis or a missing normalisation?`),
    );
  }
  if (zeroRow.count > 0) {
    findings.push(
      zeroRow.finding('row-sum', 'warning', layer,
        `${zeroRow.count} row(s) are all zero in ${headList(zeroRow)}: every key of those queries was masked`),
    );
  }
  if (padAttended.count > 0) {
    const [wi, wj] = padAttended.worstCell!;
    findings.push(
      padAttended.finding('padding-attended', 'error', layer,
        `${padAttended.count} weight(s) fall on padding keys in ${headList(padAttended)}, ` +
          `the largest ${fmt(padAttended.worst)} at query ${wi} → key ${wj}; the padding mask was not applied`),
    );
  }
  return findings;
}
