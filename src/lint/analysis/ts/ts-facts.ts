// Facts about one TypeScript/JavaScript function: hand-written attention loops over flat
// typed arrays, and tfjs-style calls. JS attention code is mostly loops, so the analysis
// looks at loop variables (outer loop = query position, inner loop = key position), the
// conditions that skip or fill score entries, Math.exp normalisations and tf.* calls.
import type { SyntaxNode } from '../../parser/syntax-node';
import type { Formula } from '../mask-formula';

export interface TsMaskEvent {
  node: SyntaxNode;
  /** Pairs (query i, key j) that end up blocked or skipped. */
  blocked: Formula;
  how: 'loop-bound' | 'continue' | 'fill' | 'ternary' | 'tf-where' | 'tf-add';
  /** A triu-like builder included the diagonal (bandPart(x, 0, -1)). */
  triuNoDiagonal?: SyntaxNode;
  /** Innermost loop the event belongs to (events of one loop act together). */
  loop?: SyntaxNode;
}

export interface TsExpEvent {
  node: SyntaxNode;
  argNode: SyntaxNode;
  stable: boolean;
  /** The exp values are divided by their own sum. */
  normalised: boolean;
}

export interface TsDotLoopEvent {
  /** `acc += q[…] * k[…]` */
  node: SyntaxNode;
  qkNamed: boolean;
}

export interface TsMatMulEvent {
  node: SyntaxNode;
  left: SyntaxNode;
  right: SyntaxNode;
  transposeB: boolean;
  qkNamed: boolean;
  /** Result reaches a softmax; whether it was scaled in between. */
  softmaxed: boolean;
  scaled: boolean;
  argsNode: SyntaxNode;
}

export interface TsSoftmaxEvent {
  node: SyntaxNode;
  dimNode?: SyntaxNode;
  dim?: number;
  /** Input came from a Q·Kᵀ matMul. */
  fromScores: boolean;
}

export interface TsFunctionFacts {
  node: SyntaxNode;
  name: string;
  masks: TsMaskEvent[];
  /** Mask events grouped by loop: conditions in one key loop restrict the same pairs. */
  maskGroups: TsMaskEvent[][];
  exps: TsExpEvent[];
  dotLoops: TsDotLoopEvent[];
  matmuls: TsMatMulEvent[];
  softmaxes: TsSoftmaxEvent[];
  /** sqrt / ** 0.5 / a scale variable somewhere in the function. */
  hasScale: boolean;
  /** Math.exp or a softmax call appears: the loops compute attention weights. */
  hasSoftmax: boolean;
  docText: string;
}
