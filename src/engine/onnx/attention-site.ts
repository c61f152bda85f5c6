// What attention discovery records about one attention module of an ONNX graph: where its
// probabilities can be read (route 1, "weights"), and how to recompute them from its Q and K
// (route 2, "qk"): which tensors hold Q and K, in which layout, and the exact elementwise
// steps the graph applies to Q·Kᵀ before the softmax (scale, mask, softcap).
import type { TensorArray } from './proto';

/** A step's other operand: known from the file, or a tensor fetched from the run. */
export type Operand = { value: TensorArray } | { tensor: string };

/**
 * One elementwise operation on the scores S = Q·Kᵀ (shape [.., heads, q, k]), in graph
 * order. Binary steps carry the side the scores are on, because Sub and Div are not
 * symmetric. `causal` and `key-padding` come from fused operators' attributes and inputs.
 */
export type ScoreStep =
  /** Multiply by `factor`; absent means the operator's default 1/√D (D known only at run time). */
  | { kind: 'scale'; factor?: number }
  | { kind: 'binary'; op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Min' | 'Max' | 'Pow'; operand: Operand; scoresOnLeft: boolean }
  /** Where(condition, a, b): the scores are `a` when scoresWhenTrue, else `b`. */
  | { kind: 'where'; condition: Operand; other: Operand; scoresWhenTrue: boolean }
  | { kind: 'unary'; op: 'Tanh' | 'Neg' | 'Identity' }
  | { kind: 'clip'; min: number; max: number }
  /**
   * Key j is hidden from query i when j > i + offset (offset = keyLength − queryLength when
   * bottom-right, 0 when top-left); with a window, also when j ≤ i + offset − window.
   */
  | { kind: 'causal'; alignment: 'top-left' | 'bottom-right'; window?: number }
  /** An attention mask broadcast to the scores: boolean keeps where true (false → −∞); a float mask is added. */
  | { kind: 'mask'; operand: Operand }
  /** A [batch, keyLength] 0/1 mask of keys; 0 → `fill` (fused ops' mask_filter_value) added to the scores. */
  | { kind: 'key-padding'; operand: Operand; fill: number };

/**
 * Where a tensor's rows and head-size axis are:
 *   'rows'     [.., L, D]          heads = product of the leading axes (batch 1)
 *   'columns'  [.., D, L]          the B input of a Q·Kᵀ MatMul (K already transposed)
 *   'hidden'   [B, L, H·D]         fused operators' 3-D inputs; H from the operator's attribute
 *                                  (a 4-D tensor in this slot is read as 'rows' [B, H, L, D])
 */
export type TensorLayout = 'rows' | 'columns' | 'hidden';

export interface TensorRef {
  tensor: string;
  layout: TensorLayout;
  /** Heads for 'hidden' layout. */
  heads?: number;
  /** Added to the projected tensor before splitting heads (fused ops' packed bias): elements [offset, offset + H·D). */
  bias?: { operand: Operand; offset: number };
}

/** Rotary embedding a fused operator applies to Q and K itself (GroupQueryAttention do_rotary). */
export interface FusedRotary {
  cos: Operand;
  sin: Operand;
  interleaved: boolean;
}

export interface QkSpec {
  q: TensorRef;
  k: TensorRef;
  /**
   * How query heads find their key head: 'broadcast' (a MatMul's NumPy broadcasting of the
   * leading axes, the default) or 'groups' (fused operators: query head h reads key head
   * ⌊h / (Hq / Hkv)⌋, i.e. MHA, GQA and MQA).
   */
  heads?: 'broadcast' | 'groups';
  /** Applied to Q·Kᵀ in order, then softmax over keys. */
  steps: ScoreStep[];
  /** The softmax's axis attribute when it is not −1 (checked against the scores' rank at run time). */
  softmaxAxis?: number;
  rotary?: FusedRotary;
  /** For checking a fused operator: its V input and output Y = P·V (compared on a short probe run). */
  check?: { v: TensorRef; output: string; outputLayout: 'hidden' | 'rows' };
}

export type AttentionKind = 'self' | 'cross' | 'encoder';

export interface AttentionSite {
  /** Position among the graph's attention modules (graph order = layer order). */
  index: number;
  kind: AttentionKind;
  /** 'Softmax' for decomposed attention, else the fused operator, e.g. 'com.microsoft.MultiHeadAttention'. */
  op: string;
  node: string;
  /** Tensor holding the probabilities [.., heads, q, k] (route 1), when the graph has or can expose one. */
  probs?: string;
  /** How to recompute the probabilities from Q and K (route 2). */
  qk?: QkSpec;
  /** Why route 2 is not available for this module. */
  qkProblem?: string;
  /**
   * Surgery route 1 needs beyond adding an output (Attention-23's qk_matmul_output); the node
   * is named by its first output, which every node has (node names may be empty).
   */
  enableProbsOutput?: { node: string; outputIndex: number; attribute: string; value: number };
}

export interface AttentionDiscovery {
  sites: AttentionSite[];
  /** Attention-like operators found that neither route can read (with the reason). */
  unsupported: string[];
  /** Facts worth telling the user (e.g. attention inside a subgraph was not searched). */
  notes: string[];
}
