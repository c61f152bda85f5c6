// What the evaluator records about one function: the attention operations it saw, with the
// abstract values of their operands. Rules read these facts; they never re-evaluate code.
import type { SyntaxNode } from '../parser/syntax-node';
import type { FillInfo, MaskInfo, Val } from './values';
import type { Formula } from './mask-formula';

export interface SoftmaxEvent {
  seq: number;
  node: SyntaxNode;
  input: Val;
  /** Axis argument as written; undefined when the call has none. */
  dim?: number;
  /** Node to replace to change the axis, or the node after which to insert one. */
  dimNode?: SyntaxNode;
  /** How the axis is defaulted when absent. */
  defaultDim: 'last' | 'implicit' | 'all';
  api: 'torch' | 'numpy' | 'jax' | 'scipy' | 'tf' | 'module' | 'hand';
  /** For nn.Softmax modules, where the module was created. */
  moduleNode?: SyntaxNode;
  output: Val;
}

export type MaskUseVia = 'masked_fill' | 'where-keep' | 'where-block' | 'additive' | 'index-assign' | 'multiply' | 'sdpa' | 'mha' | 'mha-kpm';

export interface MaskUseEvent {
  seq: number;
  node: SyntaxNode;
  /** The tensor being masked (scores or probabilities). */
  target: Val;
  mask: Val;
  maskNode: SyntaxNode;
  /** Pairs that end up blocked. */
  blocked?: Formula;
  via: MaskUseVia;
  fill?: FillInfo;
  /** Info of the mask as built (before the consumer's inversion). */
  info?: MaskInfo;
  /** For SDPA/MHA: the keyword name used. */
  keyword?: string;
  /** Enclosing if-conditions (text) at the point of use. */
  guards: string[];
}

export interface ScoreEvent {
  seq: number;
  node: SyntaxNode;
  q: Val;
  k: Val;
  /** The right-hand operand expression as written (to fix a missing transpose). */
  kNode: SyntaxNode;
  result: Val;
  api: 'torch' | 'numpy' | 'jax' | 'tf' | 'unknown';
  via: 'matmul' | 'einsum';
}

export interface CallEvent {
  seq: number;
  node: SyntaxNode;
  callee: string;
  positional: Val[];
  positionalNodes: SyntaxNode[];
  keywords: Map<string, { val: Val; node: SyntaxNode; nameNode: SyntaxNode }>;
  guards: string[];
}

export interface DropoutEvent {
  seq: number;
  node: SyntaxNode;
  kind: 'functional' | 'sdpa' | 'flax';
  /** The training argument (training=, 3rd positional, deterministic=) or dropout_p. */
  control?: SyntaxNode;
  /** Where to insert `, training=…` when missing. */
  argsNode?: SyntaxNode;
  input?: Val;
}

export interface RopeEvent {
  seq: number;
  node: SyntaxNode;
  /** Tensor arguments (q, k, v, x …). */
  args: { val: Val; node: SyntaxNode }[];
  /** Every argument, positions and cos/sin tables included. */
  all: { val: Val; node: SyntaxNode }[];
  inverse: boolean;
  /** rotate_half(x)-style inner rotation rather than a full RoPE application. */
  inner: boolean;
}

export interface RepeatEvent {
  seq: number;
  node: SyntaxNode;
  kind: 'repeat' | 'tile' | 'repeat_interleave' | 'expand' | 'einops';
  input: Val;
  args: SyntaxNode[];
  dim?: number;
  result: Val;
}

export interface ProjectionEvent {
  seq: number;
  node: SyntaxNode;
  which: 'q' | 'k' | 'v' | 'kv' | 'qkv';
  arg: Val;
  argNode: SyntaxNode;
}

export interface ProbsMaskEvent {
  seq: number;
  node: SyntaxNode;
  probs: Val;
  mask?: Val;
  fill?: FillInfo;
  renormalised: boolean;
  guard: boolean;
}

export interface ScoresWriteAfterSoftmaxEvent {
  seq: number;
  node: SyntaxNode;
  name: string;
  softmaxSeq: number;
}

export interface HandSoftmaxEvent {
  seq: number;
  node: SyntaxNode;
  exp: Val;
  sum: Val;
  /** Axis text of the sum, e.g. "-1" / "dim=-1" / "" (all). */
  axisText?: string;
  api: 'torch' | 'numpy' | 'jax' | 'math' | 'tf';
  stable: boolean;
}

export interface ComparisonEvent {
  seq: number;
  node: SyntaxNode;
  result: Val;
}

export interface FunctionFacts {
  node: SyntaxNode;
  name: string;
  className?: string;
  /** Method of an nn.Module (torch or flax). */
  inModule: boolean;
  params: string[];
  softmaxes: SoftmaxEvent[];
  maskUses: MaskUseEvent[];
  scores: ScoreEvent[];
  matmuls: { seq: number; node: SyntaxNode; left: Val; right: Val; result: Val; rightNode: SyntaxNode }[];
  einsums: { seq: number; node: SyntaxNode; spec: string; specNode: SyntaxNode; operands: Val[]; result: Val }[];
  sdpa: CallEvent[];
  mha: (CallEvent & { module: 'mha' | 'transformer' })[];
  flashAttn: CallEvent[];
  dropouts: DropoutEvent[];
  ropes: RopeEvent[];
  repeats: RepeatEvent[];
  projections: ProjectionEvent[];
  probsMasks: ProbsMaskEvent[];
  scoreWrites: ScoresWriteAfterSoftmaxEvent[];
  handSoftmax: HandSoftmaxEvent[];
  comparisons: ComparisonEvent[];
  /**
   * Mask uses grouped by the score tensor they successively apply to (a causal masked_fill
   * followed by a window masked_fill on the same scores is one lineage). Rules judge the
   * combined effect and blame the use that would fix it.
   */
  lineages: MaskUseEvent[][];
  permutes: { node: SyntaxNode; identity: boolean; feedsMatmul: boolean }[];
  /** Evidence that keys include a cache (parameter names, cat with past, cache slices). */
  kvCache?: SyntaxNode;
  /** Structural evidence only: keys concatenated with / sliced from a cache (not just a parameter name). */
  kvCacheKeys?: SyntaxNode;
  /** Guards against NaN rows seen in the function. */
  nanGuard?: SyntaxNode;
  /** Comments and docstring text inside the function, lower-cased. */
  docText: string;
  /** Values of variables at the end of the function. */
  env: Map<string, Val>;
  returns: Val[];
}

export function emptyFacts(node: SyntaxNode, name: string, params: string[]): FunctionFacts {
  return {
    node,
    name,
    inModule: false,
    params,
    softmaxes: [],
    maskUses: [],
    scores: [],
    matmuls: [],
    einsums: [],
    sdpa: [],
    mha: [],
    flashAttn: [],
    dropouts: [],
    ropes: [],
    repeats: [],
    projections: [],
    probsMasks: [],
    scoreWrites: [],
    handSoftmax: [],
    comparisons: [],
    lineages: [],
    permutes: [],
    docText: '',
    env: new Map(),
    returns: [],
  };
}
