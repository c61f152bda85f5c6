// Head-pattern analysis of a layer (or a whole model): every score of every head, the label
// the labeller gives it, and the masking findings. Entry points:
//   analyzeLayer  — weights [heads, q, k] of one layer → HeadReport per head;
//   analyzeModel  — weights [layers, heads, q, k] → HeadReport[] and MaskingFinding[].
// Everything that depends only on the tokens (segments, repeats) is built once per call and
// shared by the heads; each head allocates a few O(q + k) buffers, nothing per cell.
import { bandScore } from './band-score';
import { blockScore } from './block-score';
import { diagonalScore } from './diagonal-score';
import { duplicateTokenScore } from './duplicate-token-score';
import { entropyScore } from './entropy-score';
import { DEFAULT_THRESHOLDS, HeadScores, LabelThresholds, labelHead } from './head-labeler';
import { HeadShape, Score, headInput, withoutColumns } from './head-rows';
import { inductionScore } from './induction-score';
import { MaskingCheckOptions, checkLayerMasking } from './masking-checks';
import { nextTokenScore } from './next-token-score';
import type { HeadReport, MaskingFinding, ScoreName, TokenInfo } from './pattern-types';
import { previousTokenScore } from './previous-token-score';
import { Segmentation, segmentationTexts, textSegmentations } from './segments';
import { sinkScore, strongSinkColumns } from './sink-score';
import { TokenRepeats, tokenRepeats } from './token-repeats';

export interface AnalyzeOptions {
  /** Query i sees keys 0..i only (requires q === k). */
  causal: boolean;
  /**
   * Padding per key position (true / non-zero = padding). Padded keys are dropped before
   * scoring (and padded query rows too, for self-attention); reported columns keep their
   * original indices. The masking checks report attention paid to them.
   */
  padding?: ArrayLike<boolean | number>;
  thresholds?: Readonly<LabelThresholds>;
}

/** Token-derived inputs shared by every head of a call. */
export interface PatternContext {
  segmentations: Segmentation[];
  repeats?: TokenRepeats;
  texts?: readonly string[];
}

/** Validates token info against a [q, k] head and derives segments and repeats. */
export function patternContext(tokens: TokenInfo | undefined, q: number, k: number): PatternContext {
  if (!tokens) return { segmentations: [] };
  for (const field of ['ids', 'texts', 'offsets'] as const) {
    const v = tokens[field];
    if (v && v.length !== q && !(q !== k && field === 'texts' && v.length === k)) {
      throw new Error(`tokens.${field} has ${v.length} entries but the attention has ${q} query positions`);
    }
  }
  // Segments and repeats describe one sequence, so they only apply to self-attention.
  if (q !== k) return { segmentations: [], texts: tokens.texts?.length === k ? tokens.texts : undefined };
  return {
    segmentations: textSegmentations(segmentationTexts(tokens)),
    repeats: tokens.ids ? tokenRepeats(tokens.ids) : undefined,
    texts: tokens.texts,
  };
}

/** All scores of one head and its label. `keyIndex` maps compacted columns back to the input's. */
export function analyzeHead(
  a: Float32Array,
  shape: HeadShape,
  ctx: PatternContext,
  where: { layer: number; head: number; keyIndex?: Int32Array },
  thresholds: Readonly<LabelThresholds> = DEFAULT_THRESHOLDS,
): HeadReport {
  const h = headInput(a, shape);
  const sink = sinkScore(h);
  // The structural scores see the head without its strong sink columns (a column effect,
  // not a segment, window or spread; see withoutColumns).
  const structural = withoutColumns(h, strongSinkColumns(sink));
  const band = bandScore(structural);
  const block = blockScore(structural, ctx.segmentations);
  const s: HeadScores = {
    rows: h.rows,
    induction: inductionScore(h, ctx.repeats),
    'duplicate-token': duplicateTokenScore(h, ctx.repeats),
    sink,
    'previous-token': previousTokenScore(h),
    'next-token': nextTokenScore(h),
    diagonal: diagonalScore(h),
    block,
    'local-band': band,
    broad: entropyScore(structural),
  };
  const { label, confidence, evidence } = labelHead(s, thresholds);
  const report: HeadReport = { layer: where.layer, head: where.head, label, confidence, scores: {}, chance: {}, evidence: {}, positions: {} };
  for (const name of Object.keys(s) as (keyof HeadScores)[]) {
    if (name === 'rows') continue;
    const score = s[name] as Score;
    if (!(score.positions > 0) || !Number.isFinite(score.value)) continue;
    report.scores[name as ScoreName] = score.value;
    report.chance[name as ScoreName] = score.chance;
    report.evidence[name as ScoreName] = evidence[name as ScoreName];
    report.positions[name as ScoreName] = score.positions;
  }
  const original = (j: number): number => (where.keyIndex ? where.keyIndex[j] : j);
  if (sink.column >= 0) {
    report.sinkColumn = original(sink.column);
    report.sinkColumns = sink.columns.map(original);
    const text = ctx.texts?.[sink.column];
    if (text !== undefined) report.sinkToken = text;
  }
  if (band.width >= 0) report.bandWidth = band.width;
  if (block.source) report.blockSegments = block.source;
  return report;
}

/** Positions kept after dropping padding (undefined when nothing is padded). */
function keptPositions(padding: ArrayLike<boolean | number> | undefined, n: number): Int32Array | undefined {
  if (!padding) return undefined;
  if (padding.length !== n) throw new Error(`padding mask has ${padding.length} entries, expected ${n} key positions`);
  const keep: number[] = [];
  for (let j = 0; j < n; j++) if (!padding[j]) keep.push(j);
  return keep.length === n ? undefined : Int32Array.from(keep);
}

function pick<T>(values: readonly T[] | undefined, keep: Int32Array): T[] | undefined {
  return values ? Array.from(keep, (j) => values[j]) : undefined;
}

/**
 * Reports for every head of one layer. `weights` is row-major [heads, q, k]; `tokens`
 * describes the q query positions (for cross-attention, texts may describe the k keys).
 */
export function analyzeLayer(
  weights: Float32Array,
  heads: number,
  q: number,
  k: number,
  layer: number,
  tokens: TokenInfo | undefined,
  opts: AnalyzeOptions,
): HeadReport[] {
  if (weights.length !== heads * q * k) {
    throw new Error(`layer ${layer}: ${weights.length} weights do not fill [heads ${heads}, q ${q}, k ${k}]`);
  }
  if (opts.causal && q !== k) {
    throw new Error(`layer ${layer}: a causal layer must be square, got q = ${q} and k = ${k}`);
  }
  const self = q === k;
  const keepKeys = keptPositions(opts.padding, k);
  const keepRows = self ? keepKeys : undefined;
  const q2 = keepRows ? keepRows.length : q;
  const k2 = keepKeys ? keepKeys.length : k;
  let tok = tokens;
  if (tokens && keepRows) {
    tok = { ids: pick(tokens.ids, keepRows), texts: pick(tokens.texts, keepRows), offsets: pick(tokens.offsets, keepRows), source: tokens.source };
  } else if (tokens && keepKeys && tokens.texts?.length === k && !self) {
    tok = { ...tokens, texts: pick(tokens.texts, keepKeys) };
  }
  const ctx = patternContext(tok, q2, k2);
  const shape: HeadShape = { q: q2, k: k2, causal: opts.causal };
  const reports: HeadReport[] = [];
  const compact = keepKeys ? new Float32Array(q2 * k2) : undefined;
  for (let head = 0; head < heads; head++) {
    let a = weights.subarray(head * q * k, (head + 1) * q * k);
    if (compact && keepKeys) {
      for (let r = 0; r < q2; r++) {
        const i = keepRows ? keepRows[r] : r;
        for (let c = 0; c < k2; c++) compact[r * k2 + c] = a[i * k + keepKeys[c]];
      }
      a = compact;
    }
    reports.push(analyzeHead(a, shape, ctx, { layer, head, keyIndex: keepKeys }, opts.thresholds));
  }
  return reports;
}

export interface ModelAnalysis {
  heads: HeadReport[];
  findings: MaskingFinding[];
}

/** Analyses weights of shape [layers, heads, q, k] (or [heads, q, k] as one layer 0). */
export function analyzeModel(
  weights: Float32Array,
  shape: readonly number[],
  tokens: TokenInfo | undefined,
  opts: AnalyzeOptions & Omit<MaskingCheckOptions, 'causal' | 'padding'>,
): ModelAnalysis {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new Error(`attention weights must have shape [layers, heads, q, k] or [heads, q, k]; got rank ${shape.length} [${shape.join(', ')}]`);
  }
  const [layers, heads, q, k] = shape.length === 4 ? shape : [1, ...shape];
  const per = heads * q * k;
  if (weights.length !== layers * per) {
    throw new Error(`${weights.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const out: ModelAnalysis = { heads: [], findings: [] };
  for (let layer = 0; layer < layers; layer++) {
    const w = weights.subarray(layer * per, (layer + 1) * per);
    out.findings.push(...checkLayerMasking(w, heads, q, k, layer, opts));
    out.heads.push(...analyzeLayer(w, heads, q, k, layer, tokens, opts));
  }
  return out;
}
