// Abstract values computed for Python/TS expressions inside one function. A value keeps
// only what the rules need: its role in attention (query/key/value, scores, probabilities,
// mask), its layout, scale factors, mask meaning and fill constants.
import type { SyntaxNode } from '../parser/syntax-node';
import type { Shape } from './axes';
import type { Formula } from './mask-formula';

export type Role = 'q' | 'k' | 'v' | 'x' | 'ctx';

/** Classes of a dimension size used as a scale: per-head width, model width, or unclear. */
export type DimClass = 'head' | 'model' | 'dim';

/** One multiplicative factor: size^exp, where `size` is a dimension of the given class. */
export interface ScaleTerm {
  cls: DimClass;
  exp: number;
  node: SyntaxNode;
  name: string;
}

/** A product of dimension powers and constants; `opaque` when an unknown quantity is involved. */
export interface ScaleExpr {
  terms: ScaleTerm[];
  opaque: boolean;
  /** true when a literal number takes part (e.g. 1.0 / sqrt(d), 0.125). */
  constant?: number;
}

/** Large constants used to block attention. */
export type FillKind = 'neg-inf' | 'pos-inf' | 'neg-large' | 'neg-finite' | 'finfo-dtype' | 'finfo-f32' | 'zero' | 'other';
export interface FillInfo {
  kind: FillKind;
  node: SyntaxNode;
  value?: number;
}

export type MaskForm = 'bool' | 'float01' | 'additive' | 'unknown';

export interface MaskInfo {
  /** For bool/0-1 masks: where the mask is True. For additive masks: where it is very negative. */
  set: Formula;
  form: MaskForm;
  /** Fill value of an additive mask. */
  fill?: FillInfo;
  /** Builder nodes (triu without diagonal, comparisons) kept for rule messages and fixes. */
  builders: MaskBuilder[];
  /** Square (T, T) structural mask: both size arguments are the same expression. */
  square?: { size: string; node: SyntaxNode };
  /** Query and key lengths differ symbolically (ones(Tq, Tk)). */
  rect?: { rows: string; cols: string };
  /** Built by combining masks with & or |: the operator node and the combined formula. */
  combine?: { op: '&' | '|'; node: SyntaxNode; parts: MaskInfo[]; formula: Formula }[];
  /** Some atoms come from a left-padding context (docstring/name). */
  leftPadding?: boolean;
  /** Mask derived from segment ids compared for equality. */
  segments?: boolean;
}

export type MaskBuilder =
  | { kind: 'triu'; node: SyntaxNode; diagonal: number | 'symbolic'; api: 'torch' | 'numpy' | 'jax' | 'method' | 'triu_indices'; diagNode?: SyntaxNode }
  | { kind: 'tril'; node: SyntaxNode; diagonal: number | 'symbolic' }
  | { kind: 'compare'; node: SyntaxNode; set: Formula }
  | { kind: 'band'; node: SyntaxNode };

/** Scores S = Q·Kᵀ and what happened to them before softmax. */
export interface ScoreInfo {
  node: SyntaxNode;
  q?: Val;
  k?: Val;
  /** Key axis as a negative index, if known. */
  keyAxis?: number;
  queryAxis?: number;
  rank?: number;
  factors: { expr: ScaleExpr; node: SyntaxNode; side: 'q' | 'k' | 'scores' }[];
  /** Scaling handled by an API argument (scale=, alpha=) or folded by a helper. */
  scaledByApi?: boolean;
  einsum?: { spec: string; node: SyntaxNode; keyLabel: string; queryLabel: string; output: string; specNode: SyntaxNode };
  /** Whether both operands are recognisably query and key. */
  qkNamed: boolean;
  api: 'torch' | 'numpy' | 'jax' | 'tf' | 'unknown';
  /** Masks applied to these scores so far, in order. */
  uses?: import('./facts').MaskUseEvent[];
}

export interface ProbsInfo {
  node: SyntaxNode;
  scores: Val;
  /** Softmax axis as written (negative normalised when possible). */
  dim?: number;
  renormalised?: boolean;
  /** Variable whose scores were normalised (to catch later writes to it). */
  scoresName?: string;
}

export interface Val {
  node: SyntaxNode;
  name?: string;
  role?: Role;
  shape?: Shape;
  scores?: ScoreInfo;
  probs?: ProbsInfo;
  mask?: MaskInfo;
  /** A plain number (literal or constant-folded). */
  num?: number;
  bool?: boolean;
  str?: string;
  /** The value is a dimension size or a scale built from sizes. */
  scale?: ScaleExpr;
  fill?: FillInfo;
  /** A per-position index vector broadcast along the query (i) or key (j) axis, plus an offset. */
  index?: { axis: 'i' | 'j' | 'vec'; k: number; sym?: string };
  /** Callable objects: nn modules created in __init__, helper functions. */
  callable?: CallableInfo;
  /** exp(x) result: whether x had its maximum subtracted / is ≤ 0. */
  exp?: { stable: boolean; node: SyntaxNode; argNode: SyntaxNode; api: string };
  /** x − max(x) or ≤ 0 by construction. */
  nonPositive?: boolean;
  /** Sum of an exp along an axis (the normaliser of a hand-written softmax). */
  expSum?: { exp: Val };
  tuple?: Val[];
  /** Keys/values concatenated with a cache. */
  cached?: boolean;
  /** Positions built with arange(T) without a cache offset. */
  positionsNoOffset?: SyntaxNode;
  /** Rotary applications on this tensor. */
  rotations?: SyntaxNode[];
  /** A size tuple like (T, T) or (Tq, Tk): the dimension texts. */
  sizes?: string[];
  /** Projection that produced this tensor (to_q, k_proj, …). */
  projection?: { kind: 'q' | 'k' | 'v' | 'kv' | 'qkv'; node: SyntaxNode; arg?: Val };
  /** Values derived from a tokenizer attention mask / token ids etc. */
  tokenIds?: boolean;
  dtype?: 'float16' | 'bfloat16' | 'float32' | 'bool';
  /** Output of a nan guard (nan_to_num, isnan…). */
  nanGuard?: boolean;

  // Evaluator bookkeeping (see py-evaluator.ts).
  /** `x.shape` of this tensor. */
  shapeOf?: Val;
  /** max/amax/logsumexp of this tensor. */
  maxOf?: Val;
  /** torch/np/jnp.finfo(dtype): which dtype. */
  finfo?: string;
  /** Difference of two index vectors (i − j). */
  diff?: { a: NonNullable<Val['index']>; b: NonNullable<Val['index']> };
  /** Output of probabilities · V. */
  attnOut?: Val;
  scoresCandidate?: boolean;
  /** Consumer einsum of the probabilities. */
  einsumConsumer?: { spec: { inputs: string[]; output: string; ellipsis: boolean }; probsIndex: number; specNode: SyntaxNode };
  /** exp(x): x. */
  expOf?: Val;
  /** Reduction axis of a sum. */
  axis?: number;
  axisText?: string;
  sumOfProbs?: boolean;
  /** Scale factors folded into q or k before the product. */
  prescale?: { expr: ScaleExpr; node: SyntaxNode }[];
  /** Probabilities masked after softmax: the event (to mark renormalisation). */
  maskedEvent?: import('./facts').ProbsMaskEvent;
  permuteNode?: SyntaxNode;
  permuteIdentity?: boolean;
  /** The last transpose(d0, d1) applied. */
  swapInfo?: { node: SyntaxNode; d0: number; d1: number; rank?: number };
  /** `.T` applied (reverses every axis). */
  transposedAll?: SyntaxNode;
  rankBefore?: number;
  /** Result of chunk/split/unbind: unpacking gives same-layout parts (not rows of axis 0). */
  splitCopies?: boolean;
  /** Tensor constructors: ones/zeros/full/empty, their sizes and fill. */
  base?: 'ones' | 'zeros' | 'full' | 'empty';
  baseSizes?: string[];
  baseFill?: FillInfo;
  baseBool?: boolean;
}

export type CallableInfo =
  | { kind: 'softmax'; dim?: number; node: SyntaxNode; dimNode?: SyntaxNode; hasDim: boolean }
  | { kind: 'dropout'; node: SyntaxNode }
  | { kind: 'mha'; node: SyntaxNode; batchFirst?: boolean }
  | { kind: 'transformer'; node: SyntaxNode }
  | { kind: 'linear'; node: SyntaxNode; outName?: string }
  | { kind: 'projection'; which: 'q' | 'k' | 'v' | 'kv' | 'qkv'; node: SyntaxNode }
  | { kind: 'function'; name: string; node: SyntaxNode }
  | { kind: 'module'; name: string; node: SyntaxNode };

export function val(node: SyntaxNode, extra: Partial<Val> = {}): Val {
  return { node, ...extra };
}

export function emptyScale(): ScaleExpr {
  return { terms: [], opaque: false };
}

export function scaleMul(a: ScaleExpr, b: ScaleExpr): ScaleExpr {
  const constant = a.constant !== undefined || b.constant !== undefined ? (a.constant ?? 1) * (b.constant ?? 1) : undefined;
  return { terms: [...a.terms, ...b.terms], opaque: a.opaque || b.opaque, constant };
}

export function scalePow(a: ScaleExpr, p: number): ScaleExpr {
  return {
    terms: a.terms.map((t) => ({ ...t, exp: t.exp * p })),
    opaque: a.opaque,
    constant: a.constant !== undefined ? Math.pow(a.constant, p) : undefined,
  };
}

/** Sum of exponents per class. */
export function exponentSum(s: ScaleExpr): number {
  return s.terms.reduce((acc, t) => acc + t.exp, 0);
}
