// Lesson 1 — scaled dot-product attention, step by step, on the learner's own text:
//
//   Q·Kᵀ  →  · 1/√d_k  →  + mask (−∞ above the diagonal when causal)  →  softmax  →  · V
//
// Q, K and V come either from the configured model (layer 0, one head: the real numbers that
// model computes for this text) or from a seeded toy projection of word tokens (no model
// needed). Every stage is the engine's: the raw scores from its matmul, the rest from the
// staged SDPA kernel, which keeps each intermediate.
import { matmulTransposedB } from '../engine/reference/matmul';
import { linear } from '../engine/reference/linear';
import { scaledDotProductAttentionStages } from '../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../engine/reference/tensor';
import type { SdpaStepsData, SdpaStepsParams } from '../protocol/lesson-messages';
import { tryLessonModel, type LessonEnvironment } from './shared/lesson-model';
import { layerZeroProjections, pickHead } from './shared/model-projections';
import { rowSums } from './shared/statistics';
import { seededMatrix, toyEmbeddings } from './shared/toy-embedding';
import { toyTokens } from './shared/toy-tokens';

/** Longest sequence the lesson shows (an n × n grid must stay readable). */
export const SDPA_MAX_TOKENS = 16;
/** Width of the toy embeddings. */
export const SDPA_TOY_MODEL_WIDTH = 16;
export const DEFAULT_SENTENCE = 'The cat sat on the mat because it was tired.';

export const SDPA_DEFAULTS: SdpaStepsParams = { text: DEFAULT_SENTENCE, source: 'toy', causal: true, headDim: 8, head: 0 };

interface Projected {
  tokens: string[];
  truncated: boolean;
  q: Tensor; // [1, 1, n, d]
  k: Tensor;
  v: Tensor;
  dModel: number;
  heads: number;
  head: number;
  note: string;
}

/** Toy route: word tokens, seeded embeddings, seeded W_q, W_k, W_v of one head. */
function toyProjection(text: string, headDim: number): Projected {
  const { tokens, truncated } = toyTokens(text, SDPA_MAX_TOKENS);
  const d = SDPA_TOY_MODEL_WIDTH;
  const x = toyEmbeddings(tokens, d);
  const head = (w: Tensor): Tensor => {
    const y = linear(x, w); // [1, n, headDim]
    return { data: y.data, shape: [1, 1, tokens.length, headDim] };
  };
  return {
    tokens,
    truncated,
    q: head(seededMatrix(d, headDim, 101)),
    k: head(seededMatrix(d, headDim, 102)),
    v: head(seededMatrix(d, headDim, 103)),
    dModel: d,
    heads: 1,
    head: 0,
    note: `seeded toy projection: word tokens → ${d}-wide embeddings → one head of size ${headDim}`,
  };
}

async function modelProjection(text: string, headIndex: number, env: LessonEnvironment): Promise<Projected | string> {
  const found = await tryLessonModel(env);
  if ('reason' in found) return found.reason;
  const { model } = found;
  const all = await model.tokenizer.encode(text);
  const spans = all.slice(0, SDPA_MAX_TOKENS);
  if (spans.length === 0) return 'the text has no tokens';
  const p = layerZeroProjections(model.weights, spans.map((s) => s.id));
  const head = Math.min(Math.max(0, headIndex), p.heads - 1);
  return {
    tokens: spans.map((s) => s.text),
    truncated: all.length > spans.length,
    q: pickHead(p.q, head),
    k: pickHead(p.k, head),
    v: pickHead(p.v, head),
    dModel: model.weights.dModel,
    heads: p.heads,
    head,
    note: `layer 0, head ${head} of ${model.name} (its tokenizer, embeddings, LayerNorm and W_q, W_k, W_v${model.weights.positions === 'rope' ? ', RoPE' : ''})`,
  };
}

export async function computeSdpaSteps(params: SdpaStepsParams, env: LessonEnvironment = {}): Promise<SdpaStepsData> {
  const text = params.text.trim() === '' ? DEFAULT_SENTENCE : params.text;
  let fallbackReason: string | undefined;
  let p: Projected | undefined;
  if (params.source === 'model') {
    const got = await modelProjection(text, params.head, env);
    if (typeof got === 'string') fallbackReason = got;
    else p = got;
  }
  if (!p) p = toyProjection(text, params.headDim);
  if (p.tokens.length === 0) p = toyProjection(DEFAULT_SENTENCE, params.headDim);

  const n = p.tokens.length;
  const d = p.q.shape[3];
  const flat = (t: Tensor): Tensor => ({ data: t.data, shape: [n, d] });
  const raw = matmulTransposedB(flat(p.q), flat(p.k)); // Q·Kᵀ, [n, n]
  const stages = scaledDotProductAttentionStages(p.q, p.k, p.v, { causal: params.causal ? 'top-left' : false, keepStages: true });
  const scale = 1 / Math.sqrt(d);
  return {
    tokens: p.tokens,
    truncated: p.truncated,
    source: fallbackReason ? 'toy' : params.source,
    sourceNote: p.note,
    fallbackReason,
    n,
    dModel: p.dModel,
    headDim: d,
    heads: p.heads,
    head: p.head,
    scale,
    q: p.q.data,
    k: p.k.data,
    v: p.v.data,
    rawScores: raw.data,
    scaledScores: (stages.scores as Tensor).data,
    maskedScores: (stages.maskedScores as Tensor).data,
    weights: stages.weights.data,
    output: stages.output.data,
    rowSums: rowSums(stages.weights.data, n, n),
    shapes: [
      { name: 'Q', shape: [n, d] },
      { name: 'K', shape: [n, d] },
      { name: 'V', shape: [n, d] },
      { name: 'Q·Kᵀ', shape: [n, n] },
      { name: '· 1/√d_k', shape: [n, n] },
      { name: params.causal ? '+ causal mask' : '(no mask)', shape: [n, n] },
      { name: 'softmax (rows)', shape: [n, n] },
      { name: '· V', shape: [n, d] },
    ],
  };
}
