// The typed message protocol between the extension host and the "Attention Lessons" webview.
// Both bundles import this file; it imports nothing. The webview sends a lesson's interactive
// parameters (`lesson/compute`), the host recomputes the lesson with src/lessons/* (every
// number comes from the reference engine) and replies with that lesson's data (`lesson/data`).
// Matrices travel as typed arrays (raw bytes beside the JSON): masked scores hold −∞, which
// JSON cannot carry. Scalars that may be non-finite are never plain numbers here.

/** The eleven lessons, in teaching order. The same ids as the linter's `Finding.lesson`. */
export const LESSON_IDS = [
  'sdpa-steps',
  'why-sqrt-dk',
  'causal-masking',
  'self-vs-cross',
  'multi-head',
  'mha-mqa-gqa',
  'sparse-attention',
  'flash-attention',
  'positions',
  'before-transformers',
  'complexity',
] as const;
export type LessonId = (typeof LESSON_IDS)[number];

export function isLessonId(v: unknown): v is LessonId {
  return typeof v === 'string' && (LESSON_IDS as readonly string[]).includes(v);
}

export const LESSONS_VIEW_TYPE = 'attentionInspector.lessons';
export const LESSONS_TITLE = 'Attention Lessons';

// ---------------------------------------------------------------------------------------------
// Index and progress

export interface LessonSummary {
  id: LessonId;
  order: number;
  title: string;
  summary: string;
  /** What the learner can explain or do after the lesson. */
  teaches: string[];
}

export interface ExerciseSummary {
  id: string;
  title: string;
  lesson: LessonId;
  language: 'python' | 'typescript';
  /** One line: what the checker verifies. */
  checks: string;
}

export type ExerciseStatus = 'not-started' | 'opened' | 'failed' | 'passed';

export interface LessonProgress {
  /** Lessons opened at least once. */
  visited: LessonId[];
  /** Lessons the learner marked as done. */
  completed: LessonId[];
  exercises: Record<string, ExerciseStatus>;
}

// ---------------------------------------------------------------------------------------------
// Per-lesson parameters (what the controls set) and data (what the view draws)

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8';
export const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8'];

/** Where lesson 1 gets Q, K and V from. */
export type EmbeddingSource = 'model' | 'toy';

// 1. sdpa-steps
export interface SdpaStepsParams {
  /** The text to attend over (the editor selection by default). */
  text: string;
  source: EmbeddingSource;
  causal: boolean;
  /** Head size of the toy projection (ignored for the model: it has its own). */
  headDim: number;
  /** Head of the model's layer 0 (ignored for the toy). */
  head: number;
}
export interface SdpaStepsData {
  tokens: string[];
  /** The text had more tokens than the lesson shows. */
  truncated: boolean;
  source: EmbeddingSource;
  /** Where the numbers come from, in words ("layer 0, head 2 of mini-code", "seeded toy projection"). */
  sourceNote: string;
  /** Why the model could not be used, when a model was asked for but the toy was used. */
  fallbackReason?: string;
  n: number;
  dModel: number;
  headDim: number;
  heads: number;
  head: number;
  scale: number;
  /** Each [n, headDim]. */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** [n, n]: Q·Kᵀ, then · scale, then with the mask added (−∞ where blocked), then softmax. */
  rawScores: Float32Array;
  scaledScores: Float32Array;
  maskedScores: Float32Array;
  weights: Float32Array;
  /** [n, headDim]: weights · V. */
  output: Float32Array;
  /** Σ_j weights[i, j] for each row (1, or 0 for a row that sees nothing). */
  rowSums: Float32Array;
  /** Shapes of each stage, e.g. { Q: [n, d], 'Q·Kᵀ': [n, n], … } in order. */
  shapes: { name: string; shape: number[] }[];
}

// 2. why-sqrt-dk
export interface WhySqrtDkParams {
  /** d_k of the slider. */
  dk: number;
  /** Keys per query for the softmax statistics. */
  keys: number;
  seed: number;
}
export interface WhySqrtDkData {
  dk: number;
  keys: number;
  samples: number;
  /** Sample variance of q·k (q, k ~ N(0, I)) at the slider's d_k, unscaled and divided by √d_k. */
  varianceUnscaled: number;
  varianceScaled: number;
  /** The sweep of d_k the curves are drawn over. */
  sweepDk: Float64Array;
  sweepVarianceUnscaled: Float64Array;
  sweepVarianceScaled: Float64Array;
  /** Mean softmax entropy (nats) of a row of `keys` scores; the maximum is ln(keys). */
  sweepEntropyUnscaled: Float64Array;
  sweepEntropyScaled: Float64Array;
  /** Mean Frobenius norm of the softmax Jacobian diag(p) − p·pᵀ (how much gradient gets through). */
  sweepGradientUnscaled: Float64Array;
  sweepGradientScaled: Float64Array;
  maxEntropy: number;
  /** One example row of weights at the slider's d_k: [keys]. */
  exampleUnscaled: Float32Array;
  exampleScaled: Float32Array;
  entropyUnscaled: number;
  entropyScaled: number;
  gradientUnscaled: number;
  gradientScaled: number;
  /** Histogram of q·k at the slider's d_k (unscaled and scaled) over shared bins. */
  histogramEdges: Float64Array;
  histogramUnscaled: Float64Array;
  histogramScaled: Float64Array;
}

// 3. causal-masking
/** Which keep-mask the lesson applies: the right one and the usual mistakes. */
export type CausalVariant = 'correct' | 'upper' | 'strict-lower' | 'none';
export const CAUSAL_VARIANTS: readonly CausalVariant[] = ['correct', 'upper', 'strict-lower', 'none'];
export interface CausalMaskingParams {
  text: string;
  variant: CausalVariant;
  /** The (future) token that gets replaced in the leak demo. */
  changedPosition: number;
}
export interface CausalMaskingData {
  tokens: string[];
  truncated: boolean;
  n: number;
  variant: CausalVariant;
  /** [n, n] keep-mask the variant applies (1 = may attend). */
  keepMask: Uint8Array;
  /** [n, n] keep-mask of correct causal attention, for comparison. */
  correctKeepMask: Uint8Array;
  /** [n, n] the additive mask: 0 where kept, −∞ where blocked (the UPPER triangle when correct). */
  additiveMask: Float32Array;
  /** [n, n] softmax weights (non-zero only in the LOWER triangle when correct). */
  weights: Float32Array;
  rowSums: Float32Array;
  /** Rows that see no key at all (their output is 0 here, NaN in a naive softmax). */
  fullyMaskedRows: number[];
  /** Leak demo: token `changedPosition` replaced by `replacement`. */
  changedPosition: number;
  replacement: string;
  /** Max |Δ output| at each position after the change: [n]. */
  outputChange: Float64Array;
  /** Positions before the changed one whose output changed: a leak from the future. */
  leakedPositions: number[];
  /** The same measurement with the correct mask (always empty). */
  correctLeakedPositions: number[];
  /** What the engine's masking checks (the panel's Findings) say about these weights. */
  engineFindings: { kind: string; severity: string; message: string }[];
}

// 4. self-vs-cross
export interface SelfVsCrossParams {
  /** The sequence being produced (decoder side): the queries of cross-attention. */
  target: string;
  /** The sequence read from (encoder side): the keys and values of cross-attention. */
  source: string;
  head: number;
}
export interface AttentionCase {
  /** Which tokens ask (one output row each) and which are read. */
  queriesFrom: 'target' | 'source';
  keysFrom: 'target' | 'source';
  queryTokens: string[];
  keyTokens: string[];
  shapes: { name: string; shape: number[] }[];
  /** [heads, Lq, Lk]. */
  weights: Float32Array;
  /** Output of the layer: [Lq, dModel]. */
  outputShape: number[];
}
export interface SelfVsCrossData {
  heads: number;
  head: number;
  dModel: number;
  self: AttentionCase;
  cross: AttentionCase;
  swapped: AttentionCase;
  truncated: boolean;
}

// 5. multi-head
export interface MultiHeadParams {
  text: string;
  layer: number;
}
export interface HeadPatternSummary {
  layer: number;
  head: number;
  label: string;
  confidence: number;
  /** The score behind the label (e.g. the induction score), when measured. */
  score?: number;
}
export interface ParameterCountRow {
  heads: number;
  headDim: number;
  /** Parameters of W_q, W_k, W_v, W_o (+ biases) counted from the shapes of the built weights. */
  parameters: number;
  /** Multiply-adds of the attention scores Q·Kᵀ over all heads for the text's length. */
  scoreMultiplyAdds: number;
}
export type MultiHeadData =
  | {
      available: true;
      modelName: string;
      layers: number;
      heads: number;
      dModel: number;
      headDim: number;
      tokens: string[];
      truncated: boolean;
      layer: number;
      /** [heads, n, n] of the chosen layer. */
      weights: Float32Array;
      /** Every head of every layer, labelled by the engine's pattern analysis. */
      patterns: HeadPatternSummary[];
      /** The model's attention parameters per layer, counted from its weights. */
      modelAttentionParameters: number;
      /** The same count for any head count h dividing d_model. */
      parameterTable: ParameterCountRow[];
      providerNote: string;
    }
  | { available: false; reason: string; parameterTable: ParameterCountRow[]; dModel: number };

// 6. mha-mqa-gqa
export interface KvCacheParams {
  layers: number;
  queryHeads: number;
  kvHeads: number;
  headDim: number;
  /** Tokens held in the cache (prompt + generated). */
  length: number;
  batch: number;
  dtype: DType;
}
export interface KvCacheRow {
  kind: 'MHA' | 'GQA' | 'MQA';
  kvHeads: number;
  bytes: number;
  /** bytes of this row / bytes of MHA. */
  fractionOfMha: number;
}
export interface KvCacheData {
  params: KvCacheParams;
  kind: 'MHA' | 'GQA' | 'MQA';
  bytes: number;
  /** Cache bytes each token of one sequence adds. */
  bytesPerToken: number;
  /** MHA, this GQA setting and MQA side by side (same query heads). */
  comparison: KvCacheRow[];
  /** kv head read by each query head: [queryHeads]. */
  kvHeadOfQueryHead: Int32Array;
  /** Cache size as the sequence grows, for each row of `comparison`: lengths and bytes. */
  growthLengths: Float64Array;
  growthBytes: Float64Array[];
  /** Quality side of the trade-off, measured: output error when MHA keys/values are mean-pooled into groups. */
  pooling: { kvHeads: number; relativeError: number }[];
  poolingNote: string;
}

// 7. sparse-attention
export type SparseKind = 'sliding-window' | 'longformer' | 'bigbird';
export const SPARSE_KINDS: readonly SparseKind[] = ['sliding-window', 'longformer', 'bigbird'];
export interface SparseAttentionParams {
  kind: SparseKind;
  n: number;
  /** Causal window w for sliding-window; radius r for Longformer; ignored for BigBird. */
  window: number;
  /** Longformer: number of global tokens (the first ones). */
  globalTokens: number;
  /** BigBird: tokens per block, random blocks per row, seed. */
  blockSize: number;
  randomBlocks: number;
  seed: number;
  /** Stacked layers for the receptive field. */
  layers: number;
  /** The query followed through the layers. */
  query: number;
  /** A key whose value is changed, to see if the query notices. */
  dependencyKey: number;
}
export interface SparseAttentionData {
  params: SparseAttentionParams;
  /** [n, n] keep-mask of the pattern. */
  keepMask: Uint8Array;
  pairs: number;
  fullPairs: number;
  causalPairs: number;
  fractionOfFull: number;
  /** [layers, n]: 1 where key j can influence `query` after ℓ + 1 layers (mask composed ℓ + 1 times). */
  reach: Uint8Array;
  /** Keys reachable after each layer: [layers]. */
  reachCount: Int32Array;
  /** The closed-form receptive field of a causal window after each layer (sliding-window only). */
  formulaReach?: Int32Array;
  dependency: {
    query: number;
    key: number;
    inPattern: boolean;
    /** First layer count at which the key reaches the query, or 0 when it never does within `layers`. */
    reachedAfterLayers: number;
    /** Max |Δ output[query]| in one layer when v[key] changes: sparse kernel vs full attention. */
    sparseChange: number;
    fullChange: number;
  };
  /** Max |sparse kernel − dense attention with the keep-mask| over all outputs. */
  sparseVsDenseMaxDiff: number;
  /** Dot products the sparse kernel actually computed. */
  pairsComputed: number;
}

// 8. flash-attention
export interface FlashAttentionParams {
  n: number;
  headDim: number;
  blockQ: number;
  blockK: number;
  causal: boolean;
  /** The query row whose running max and sum are followed. */
  row: number;
  seed: number;
  /** Memory calculator. */
  memoryTokens: number;
  memoryHeads: number;
  memoryDtype: DType;
}
export interface FlashTileStep {
  keyStart: number;
  keyEnd: number;
  /** Causal masking hid the whole tile: nothing was computed. */
  skipped: boolean;
  /** The followed row's scores in this tile (−∞ where masked): [keyEnd − keyStart]. */
  scores: Float32Array;
}
export interface FlashAttentionData {
  params: FlashAttentionParams;
  /** Tiles the followed row went through, left to right. */
  steps: FlashTileStep[];
  /**
   * The online-softmax state of the followed row after each step (typed arrays: the max starts
   * at −∞): running max before and after the tile, running sum after it, and the correction
   * exp(m_before − m_after) applied to what was summed before.
   */
  stepMaxBefore: Float64Array;
  stepMaxAfter: Float64Array;
  stepSumAfter: Float64Array;
  stepCorrection: Float64Array;
  /** The followed row's final weights from standard attention: [n]. */
  standardWeights: Float32Array;
  tilesComputed: number;
  tilesSkipped: number;
  /** Max |tiled − standard| over the whole output, and the largest |standard| value for scale. */
  maxAbsDiff: number;
  maxAbsOutput: number;
  /** Working memory of the tiled kernel vs the n×n weights standard attention allocated. */
  tiledWorkingBytes: number;
  standardScoreBytes: number;
  /** Calculator: bytes of every head's attention matrix at memoryTokens × memoryHeads × dtype (one layer). */
  memoryBytes: number;
  /** What FlashAttention keeps instead: one log-sum-exp per row and head (float32). */
  memoryFlashBytes: number;
}

// 9. positions
export interface PositionsParams {
  /** Embedding / head size (even). */
  dim: number;
  /** Positions shown. */
  length: number;
  /** RoPE demo: key offset from the query, and a shift applied to both. */
  offset: number;
  shift: number;
  /** ALiBi heads. */
  alibiHeads: number;
  seed: number;
}
export interface PositionsData {
  dim: number;
  length: number;
  /** [length, dim] sinusoidal encodings. */
  sinusoidal: Float32Array;
  /** [length, length] dot products of sinusoidal encodings (depends on |p − p'| only). */
  sinusoidalSimilarity: Float32Array;
  /** RoPE: [length, length] scores of one fixed q and k content placed at positions (p, p'). */
  ropeScores: Float32Array;
  /** Largest spread (max − min) of the scores along any diagonal p − p' = const (≈ 0: relative only). */
  ropeDiagonalSpread: number;
  /** The same matrix without rotation (content only) for contrast. */
  plainScores: Float32Array;
  /** Live check: score(q at p, k at p + offset) for p = 0 and p = shift. */
  ropeScoreAt: { queryPosition: number; keyPosition: number; score: number }[];
  /** ALiBi: per-head slopes and the [length, length] bias of the first and last head. */
  alibiSlopes: Float64Array;
  alibiBiasFirst: Float32Array;
  alibiBiasLast: Float32Array;
  /** Learned absolute positions from the bundled model, when it has them: cosine similarity [P, P]. */
  learned: { available: true; modelName: string; positions: number; similarity: Float32Array } | { available: false; reason: string };
}

// 10. before-transformers
export interface BeforeTransformersParams {
  /** Source sentence (encoder states, one per token). */
  source: string;
  /** Decoder step t (1-based, ≥ 1): Bahdanau reads s_{t−1}, Luong reads s_t. */
  step: number;
  hidden: number;
  seed: number;
}
export interface BeforeTransformersData {
  sourceTokens: string[];
  truncated: boolean;
  step: number;
  hidden: number;
  /** [Ls] weights over the source for each scoring function. */
  bahdanau: Float32Array;
  luongDot: Float32Array;
  luongGeneral: Float32Array;
  luongConcat: Float32Array;
  /** The raw scores behind each: [Ls]. */
  bahdanauScores: Float32Array;
  luongDotScores: Float32Array;
  luongGeneralScores: Float32Array;
  luongConcatScores: Float32Array;
  /** Which decoder state each used: index into the decoder states. */
  bahdanauState: number;
  luongState: number;
  /** The dot-product score equals SDPA with scale 1 on one query: max |difference|. */
  dotVsSdpaMaxDiff: number;
  /** Learned parameter counts of each scoring function at this hidden size. */
  parameterCounts: { name: string; parameters: number }[];
}

// 11. complexity
export interface ComplexityParams {
  /** Largest sequence length of the sweep. */
  maxN: number;
  headDim: number;
  heads: number;
  window: number;
  blockSize: number;
  dtype: DType;
}
export interface ComplexitySeries {
  name: string;
  /** (query, key) pairs scored at each n (0 for linear attention). */
  pairs: Float64Array;
  /** FLOPs per layer at each n of the sweep. */
  flops: Float64Array;
  /** Bytes of attention-specific memory at each n. */
  bytes: Float64Array;
  /** Growth in words: "n²", "n·w", "n". */
  growth: string;
}
export interface ComplexityData {
  params: ComplexityParams;
  lengths: Float64Array;
  series: ComplexitySeries[];
  /** Pairs counted on patterns the engine actually built, for the smaller lengths: the formulas' check. */
  measured: { name: string; lengths: Float64Array; pairs: Float64Array; formulaPairs: Float64Array }[];
}

export interface LessonParamsMap {
  'sdpa-steps': SdpaStepsParams;
  'why-sqrt-dk': WhySqrtDkParams;
  'causal-masking': CausalMaskingParams;
  'self-vs-cross': SelfVsCrossParams;
  'multi-head': MultiHeadParams;
  'mha-mqa-gqa': KvCacheParams;
  'sparse-attention': SparseAttentionParams;
  'flash-attention': FlashAttentionParams;
  positions: PositionsParams;
  'before-transformers': BeforeTransformersParams;
  complexity: ComplexityParams;
}

export interface LessonDataMap {
  'sdpa-steps': SdpaStepsData;
  'why-sqrt-dk': WhySqrtDkData;
  'causal-masking': CausalMaskingData;
  'self-vs-cross': SelfVsCrossData;
  'multi-head': MultiHeadData;
  'mha-mqa-gqa': KvCacheData;
  'sparse-attention': SparseAttentionData;
  'flash-attention': FlashAttentionData;
  positions: PositionsData;
  'before-transformers': BeforeTransformersData;
  complexity: ComplexityData;
}

/** A compute request for lesson L. */
export type LessonComputeRequest<L extends LessonId = LessonId> = {
  [K in L]: { type: 'lesson/compute'; requestId: number; lesson: K; params: LessonParamsMap[K] };
}[L];

/** The reply carrying lesson L's data. */
export type LessonDataReply<L extends LessonId = LessonId> = {
  [K in L]: { type: 'lesson/data'; requestId: number; lesson: K; data: LessonDataMap[K] };
}[L];

// ---------------------------------------------------------------------------------------------
// Messages

export type HostToLessons =
  /** The lesson list, exercises and progress; sent after `ready` and when progress changes. */
  | { type: 'lessons/index'; lessons: LessonSummary[]; exercises: ExerciseSummary[]; progress: LessonProgress; defaults: LessonParamsMap }
  /** Open this lesson (from a command or a linter hover). `params` pre-fills controls (e.g. the editor selection). */
  | { type: 'lesson/open'; lesson: LessonId; text?: string }
  /** Reply to `lesson/compute`. */
  | LessonDataReply
  /** A compute request failed; the message is for the learner. */
  | { type: 'lesson/error'; requestId: number; lesson: LessonId; message: string }
  /** Result of an exercise action. */
  | { type: 'exercise/result'; id: string; status: ExerciseStatus; message: string };

export type LessonsToHost =
  /** The webview loaded and listens. `lesson` is the one it restored from its state, if any. */
  | { type: 'ready'; lesson?: LessonId }
  /** Recompute a lesson with these parameters (validated by the host before use). */
  | LessonComputeRequest
  /** The learner opened a lesson (progress). */
  | { type: 'lesson/visited'; lesson: LessonId }
  /** The learner marked a lesson as done, or undid it. */
  | { type: 'lesson/completed'; lesson: LessonId; completed: boolean }
  /** Open an exercise's practice file in the scratch folder. */
  | { type: 'exercise/open'; id: string }
  /** Check the learner's solution of an exercise. */
  | { type: 'exercise/check'; id: string }
  /** Open the getting-started walkthrough. */
  | { type: 'walkthrough/open' };
