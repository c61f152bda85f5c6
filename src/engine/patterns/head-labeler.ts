// Turns a head's scores into one label with a confidence.
//
// Every candidate label has an *evidence* value in which 0 means "what uniform attention
// would show" and 1 means "all of the head's attention follows this pattern":
//   induction, duplicate-token, sink, previous-token, next-token, diagonal: the lift
//     (score − chance) / (1 − chance);
//   block: the block kappa (already chance-corrected);
//   local-band: the lift within the effective window;
//   broad: the normalised entropy.
// A label is a candidate when its evidence reaches its threshold (and induction /
// duplicate-token were measured on enough rows, local-band is at least 2 tokens wide).
//
// Precedence, first match wins:
//   1. induction or duplicate-token (whichever has more evidence): they explain what the
//      head does on repeated tokens, even if its other rows rest on a sink;
//   2. sink: attention concentrated on a few columns (a sink at column c also confines
//      later rows to "the segment from c on", so it goes before block);
//   3. previous-token, next-token, diagonal, block: the one with the most evidence (ties
//      in this order);
//   4. local-band;   5. broad;   6. mixed (no pattern explains the head).
//
// Confidence = 0.5 + 0.5·m₁ − 0.25·m₂, clipped to [0, 1], where m = (evidence − threshold) /
// (1 − threshold) is the margin above the threshold, m₁ the winner's and m₂ the best other
// candidate's among the steps 1–3 labels. For `mixed`: 1 − (best evidence / its threshold),
// or 0 when no score could be measured at all.
import { lift, Score } from './head-rows';
import type { BandScore } from './band-score';
import type { PatternLabel, ScoreName } from './pattern-types';
import type { SinkScore } from './sink-score';

export interface LabelThresholds {
  induction: number;
  'duplicate-token': number;
  sink: number;
  'previous-token': number;
  'next-token': number;
  diagonal: number;
  block: number;
  'local-band': number;
  broad: number;
  /** Induction / duplicate-token need max(minRepeatRows, minRepeatFraction · scored rows) rows. */
  minRepeatRows: number;
  minRepeatFraction: number;
  /** Narrowest window called a band (narrower ones are diagonal / previous-token heads). */
  minBandWidth: number;
}

export const DEFAULT_THRESHOLDS: Readonly<LabelThresholds> = Object.freeze({
  induction: 0.5,
  'duplicate-token': 0.5,
  sink: 0.5,
  'previous-token': 0.5,
  'next-token': 0.5,
  diagonal: 0.5,
  block: 0.3,
  'local-band': 0.5,
  broad: 0.75,
  minRepeatRows: 4,
  minRepeatFraction: 0.05,
  minBandWidth: 2,
});

/** Everything the labeller looks at for one head. */
export interface HeadScores {
  rows: number;
  induction: Score;
  'duplicate-token': Score;
  sink: SinkScore;
  'previous-token': Score;
  'next-token': Score;
  diagonal: Score;
  block: Score;
  'local-band': BandScore;
  broad: Score;
}

/** Evidence per label (see the header): 0 = chance, 1 = the whole head follows the pattern. */
export function evidenceOf(s: HeadScores): Record<ScoreName, number> {
  return {
    induction: lift(s.induction),
    'duplicate-token': lift(s['duplicate-token']),
    sink: lift(s.sink),
    'previous-token': lift(s['previous-token']),
    'next-token': lift(s['next-token']),
    diagonal: lift(s.diagonal),
    block: s.block.positions > 0 && Number.isFinite(s.block.value) ? s.block.value : 0,
    'local-band': lift(s['local-band']),
    broad: s.broad.positions > 0 ? s.broad.value : 0,
  };
}

const TIER_REPEAT: ScoreName[] = ['induction', 'duplicate-token'];
const TIER_SINK: ScoreName[] = ['sink'];
const TIER_POSITION: ScoreName[] = ['previous-token', 'next-token', 'diagonal', 'block'];
const TIERS: ScoreName[][] = [TIER_REPEAT, TIER_SINK, TIER_POSITION, ['local-band'], ['broad']];
const COMPETING = new Set<ScoreName>([...TIER_REPEAT, ...TIER_SINK, ...TIER_POSITION]);

export interface HeadLabel {
  label: PatternLabel;
  confidence: number;
  evidence: Record<ScoreName, number>;
}

export function labelHead(s: HeadScores, t: Readonly<LabelThresholds> = DEFAULT_THRESHOLDS): HeadLabel {
  const evidence = evidenceOf(s);
  const minRepeat = Math.max(t.minRepeatRows, Math.ceil(t.minRepeatFraction * s.rows));
  const passes = (name: ScoreName): boolean => {
    if (!(evidence[name] >= t[name])) return false;
    if (name === 'induction' || name === 'duplicate-token') return s[name].positions >= minRepeat;
    if (name === 'local-band') return s['local-band'].width >= t.minBandWidth;
    return true;
  };
  const margin = (name: ScoreName): number => clamp01((evidence[name] - t[name]) / (1 - t[name]));
  for (const tier of TIERS) {
    let winner: ScoreName | undefined;
    for (const name of tier) {
      if (passes(name) && (winner === undefined || evidence[name] > evidence[winner])) winner = name;
    }
    if (winner === undefined) continue;
    let runnerUp = 0;
    for (const name of COMPETING) {
      if (name !== winner && passes(name)) runnerUp = Math.max(runnerUp, margin(name));
    }
    return { label: winner, confidence: clamp01(0.5 + 0.5 * margin(winner) - 0.25 * runnerUp), evidence };
  }
  // Nothing measurable (one key per row, no valid rows): no claim either way.
  const measured = (Object.keys(evidence) as ScoreName[]).some((name) => s[name].positions > 0);
  if (!measured) return { label: 'mixed', confidence: 0, evidence };
  let closest = 0;
  for (const name of Object.keys(evidence) as ScoreName[]) {
    // Labels above their threshold but disqualified (too few repeated rows, a band of width
    // 0–1) are not "close": they are not this pattern.
    if (evidence[name] >= t[name]) continue;
    closest = Math.max(closest, evidence[name] / t[name]);
  }
  return { label: 'mixed', confidence: clamp01(1 - closest), evidence };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
