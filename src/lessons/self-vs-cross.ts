// Lesson 4 — self-attention vs cross-attention.
//
//   self:    Q, K, V all from one sequence X                    weights [Lx, Lx]
//   cross:   Q from the target (decoder) Y, K and V from the source (encoder) X
//            weights [Ly, Lx]: one row per TARGET token, a distribution over SOURCE tokens;
//            the output has Ly rows, one per target token (it stays aligned with the decoder)
//   swapped: Q from the source, K/V from the target: weights [Lx, Ly] and Lx output rows —
//            the source now "asks" and the result no longer lines up with the decoder.
//
// All three run through the engine's multi-head attention layer with the same seeded weights;
// only which sequence feeds the queries and which feeds keys/values changes.
import { multiHeadAttention, type MultiHeadAttentionWeights } from '../engine/reference/multi-head-attention';
import type { Tensor } from '../engine/reference/tensor';
import type { AttentionCase, SelfVsCrossData, SelfVsCrossParams } from '../protocol/lesson-messages';
import { seededMatrix, toyEmbeddings } from './shared/toy-embedding';
import { toyTokens } from './shared/toy-tokens';

export const CROSS_MAX_TOKENS = 12;
export const CROSS_MODEL_WIDTH = 16;
export const CROSS_HEADS = 2;
export const CROSS_DEFAULTS: SelfVsCrossParams = { source: 'The cat sat on the mat .', target: 'Le chat était assis', head: 0 };

function layerWeights(): MultiHeadAttentionWeights {
  const d = CROSS_MODEL_WIDTH;
  return { wq: seededMatrix(d, d, 401), wk: seededMatrix(d, d, 402), wv: seededMatrix(d, d, 403), wo: seededMatrix(d, d, 404) };
}

function runCase(
  queriesFrom: 'target' | 'source',
  keysFrom: 'target' | 'source',
  seqs: Record<'target' | 'source', { tokens: string[]; x: Tensor }>,
  w: MultiHeadAttentionWeights,
): AttentionCase {
  const qs = seqs[queriesFrom];
  const ks = seqs[keysFrom];
  const self = queriesFrom === keysFrom;
  const r = multiHeadAttention(qs.x, w, { numHeads: CROSS_HEADS, memory: self ? undefined : ks.x });
  return {
    queriesFrom,
    keysFrom,
    queryTokens: qs.tokens,
    keyTokens: ks.tokens,
    shapes: [
      { name: `X_q (${queriesFrom})`, shape: [...qs.x.shape.slice(1)] },
      { name: `X_kv (${keysFrom})`, shape: [...ks.x.shape.slice(1)] },
      { name: 'Q per head', shape: r.q.shape.slice(2) },
      { name: 'K per head', shape: r.k.shape.slice(2) },
      { name: 'V per head', shape: r.v.shape.slice(2) },
      { name: 'weights per head', shape: r.weights.shape.slice(2) },
      { name: 'output', shape: r.output.shape.slice(1) },
    ].map((s) => ({ name: s.name, shape: [...s.shape] })),
    weights: r.weights.data,
    outputShape: [...r.output.shape.slice(1)],
  };
}

export function computeSelfVsCross(params: SelfVsCrossParams): SelfVsCrossData {
  const pick = (text: string, fallback: string) => {
    const t = toyTokens(text, CROSS_MAX_TOKENS);
    return t.tokens.length > 0 ? t : toyTokens(fallback, CROSS_MAX_TOKENS);
  };
  const target = pick(params.target, CROSS_DEFAULTS.target);
  const source = pick(params.source, CROSS_DEFAULTS.source);
  // Different seeds per side: the two sequences come from different "languages" (embeddings).
  const seqs = {
    target: { tokens: target.tokens, x: toyEmbeddings(target.tokens, CROSS_MODEL_WIDTH, 11) },
    source: { tokens: source.tokens, x: toyEmbeddings(source.tokens, CROSS_MODEL_WIDTH, 22) },
  };
  const w = layerWeights();
  return {
    heads: CROSS_HEADS,
    head: Math.min(Math.max(0, params.head), CROSS_HEADS - 1),
    dModel: CROSS_MODEL_WIDTH,
    self: runCase('target', 'target', seqs, w),
    cross: runCase('target', 'source', seqs, w),
    swapped: runCase('source', 'target', seqs, w),
    truncated: target.truncated || source.truncated,
  };
}
