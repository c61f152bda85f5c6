// The vocabulary of head-pattern analysis: what goes in (tokens), what comes out (a report
// per head, findings per layer). Plain data, so reports survive structured cloning to the
// panel and JSON output from the CLI.

/** What is known about the tokens of a (square) attention matrix; every field is optional. */
export interface TokenInfo {
  /** Token ids: needed for the induction and duplicate-token scores. */
  ids?: number[];
  /** Token texts: used for line / sentence / bracket segments and to name sink columns. */
  texts?: string[];
  /** Character spans [start, end) of each token in `source`. */
  offsets?: [number, number][];
  /**
   * The text the offsets index into. With offsets, segments (lines, sentences) are read from
   * it, including the white space between tokens: tokenizers such as WordPiece drop newlines
   * from the token texts themselves.
   */
  source?: string;
}

/** Every label a head can get; `mixed` means no single pattern explains the head. */
export const PATTERN_LABELS = [
  'induction',
  'duplicate-token',
  'sink',
  'previous-token',
  'next-token',
  'diagonal',
  'block',
  'local-band',
  'broad',
  'mixed',
] as const;
export type PatternLabel = (typeof PATTERN_LABELS)[number];

/** Names of the scores (each one also names the label it supports; `broad` is the normalised entropy). */
export type ScoreName = Exclude<PatternLabel, 'mixed'>;

/** How block segments were found. */
export type SegmentSource = 'lines' | 'sentences' | 'brackets' | 'weights';

export interface HeadReport {
  layer: number;
  head: number;
  label: PatternLabel;
  /** 0.5 at the label's threshold, 1 for a perfect, unopposed pattern (see docs/patterns.md). */
  confidence: number;
  /** Raw scores in [0, 1] (only those that could be measured on this input). */
  scores: Partial<Record<ScoreName, number>>;
  /** What each score would be for uniform attention over the allowed keys (its chance level). */
  chance: Partial<Record<ScoreName, number>>;
  /**
   * What the labeller compared: the lift (score − chance) / (1 − chance) for most scores,
   * the kappa for block, the entropy for broad (see docs/patterns.md). Measured scores only.
   */
  evidence: Partial<Record<ScoreName, number>>;
  /** Number of query rows each score was measured on. */
  positions: Partial<Record<ScoreName, number>>;
  /** Key column that draws the most attention beyond chance, with its text when known. */
  sinkColumn?: number;
  sinkToken?: string;
  /** Columns that each draw at least 10% of the head's attention, strongest first. */
  sinkColumns?: number[];
  /** Effective window (max distance) of the local band, in tokens. */
  bandWidth?: number;
  /** Which segmentation gave the block score. */
  blockSegments?: SegmentSource;
}

export type FindingKind = 'causal-leak' | 'row-sum' | 'non-finite' | 'padding-attended';
export type FindingSeverity = 'error' | 'warning';

export interface MaskingFinding {
  kind: FindingKind;
  severity: FindingSeverity;
  layer: number;
  /** Heads of the layer that show the defect. */
  heads: number[];
  message: string;
  /** A sample (at most 8) of offending [query, key] cells; for row-sum, [query, -1]. */
  cells?: [number, number][];
}
