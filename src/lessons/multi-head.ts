// Lesson 5 — multi-head attention on a real model.
//
// The model's engine runs the learner's text; every head of every layer is labelled by the
// engine's pattern analysis (previous-token, induction, sink, …), so the lesson shows which
// heads specialised in what. It also counts parameters: W_q, W_k, W_v and W_o are d × d
// whatever the number of heads h, because splitting into heads only reshapes d = h · d_head.
// The table builds the four weight tensors for each h dividing d and counts their entries;
// the model's own count comes from its weights.
import type { AttentionEngine, EngineEvent, TokenSpan } from '../engine/engine-api';
import { analyzeLayer } from '../engine/patterns/analyze-model';
import type { HeadReport } from '../engine/patterns/pattern-types';
import type { MultiHeadAttentionWeights } from '../engine/reference/multi-head-attention';
import { sizeOf, zeros, type Tensor } from '../engine/reference/tensor';
import type { DecoderLayerWeights } from '../engine/reference-model/decoder-weights';
import { ReferenceEngine } from '../engine/reference-model/reference-engine';
import type { HeadPatternSummary, MultiHeadData, MultiHeadParams, ParameterCountRow } from '../protocol/lesson-messages';
import { tryLessonModel, type LessonEnvironment } from './shared/lesson-model';

export const MULTI_HEAD_MAX_TOKENS = 96;
/** Code with a repeated block: induction heads need a second occurrence to copy from. */
export const MULTI_HEAD_DEFAULT_TEXT =
  'def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n\ndef add(a, b):\n    return a + b\n';
export const MULTI_HEAD_DEFAULTS: MultiHeadParams = { text: MULTI_HEAD_DEFAULT_TEXT, layer: 0 };

/** The weights of one multi-head attention layer with h heads of size d/h (with biases), as the engine's layer takes them. */
export function attentionLayerShapes(dModel: number, heads: number): MultiHeadAttentionWeights {
  if (dModel % heads !== 0) throw new Error(`${heads} heads do not divide d_model ${dModel}`);
  const hd = dModel / heads;
  return {
    wq: zeros([dModel, heads * hd]),
    wk: zeros([dModel, heads * hd]),
    wv: zeros([dModel, heads * hd]),
    wo: zeros([heads * hd, dModel]),
    bq: zeros([heads * hd]),
    bk: zeros([heads * hd]),
    bv: zeros([heads * hd]),
    bo: zeros([dModel]),
  };
}

function count(tensors: (Tensor | undefined)[]): number {
  return tensors.reduce((acc, t) => acc + (t ? sizeOf(t.shape) : 0), 0);
}

/** Parameters and score work for every head count h dividing d_model (h ≤ 64). */
export function parameterTable(dModel: number, tokens: number): ParameterCountRow[] {
  const rows: ParameterCountRow[] = [];
  for (let h = 1; h <= Math.min(dModel, 64); h++) {
    if (dModel % h !== 0) continue;
    const w = attentionLayerShapes(dModel, h);
    const hd = dModel / h;
    rows.push({ heads: h, headDim: hd, parameters: count([w.wq, w.wk, w.wv, w.wo, w.bq, w.bk, w.bv, w.bo]), scoreMultiplyAdds: h * tokens * tokens * hd });
  }
  return rows;
}

/** Attention parameters of one decoder layer, counted from its weights. */
export function layerAttentionParameters(layer: DecoderLayerWeights): number {
  const qkv = 'fused' in layer.qkv ? [layer.qkv.fused] : [layer.qkv.q, layer.qkv.k, layer.qkv.v];
  return count([...qkv.flatMap((l) => [l.weight, l.bias]), layer.proj.weight, layer.proj.bias]);
}

function summarise(r: HeadReport): HeadPatternSummary {
  const score = r.label === 'mixed' ? undefined : r.scores[r.label];
  return { layer: r.layer, head: r.head, label: r.label, confidence: r.confidence, ...(score === undefined ? {} : { score }) };
}

export async function computeMultiHead(params: MultiHeadParams, env: LessonEnvironment = {}): Promise<MultiHeadData> {
  const found = await tryLessonModel(env);
  if ('reason' in found) {
    const d = 64;
    return { available: false, reason: found.reason, parameterTable: parameterTable(d, 32), dModel: d };
  }
  const { model } = found;
  const text = params.text.trim() === '' ? MULTI_HEAD_DEFAULT_TEXT : params.text;
  const all = await model.tokenizer.encode(text);
  const cap = Math.min(MULTI_HEAD_MAX_TOKENS, model.weights.contextLength ?? MULTI_HEAD_MAX_TOKENS);
  const truncated = all.length > cap;
  // Cut the text at the last token that fits, so the engine tokenizes exactly what is shown.
  const kept: TokenSpan[] = all.slice(0, cap);
  const input = truncated ? text.slice(0, kept[kept.length - 1].end) : text;

  const engine: AttentionEngine = env.engine?.() ?? new ReferenceEngine();
  const ownEngine = !env.engine;
  let tokens: TokenSpan[] = [];
  let providerNote = '';
  let error: string | undefined;
  const layers: { layer: number; weights: Float32Array; q: number; k: number; heads: number }[] = [];
  try {
    await engine.inspect(
      { runId: 1, text: input, modelDir: model.dir, backend: 'reference', executionProvider: 'cpu', maxTokens: cap },
      (e: EngineEvent) => {
        if (e.type === 'tokens') {
          tokens = e.tokens;
          providerNote = `${e.model.name} on ${e.provider.backend === 'reference' ? 'the TypeScript reference engine' : `ONNX Runtime (${e.provider.provider})`}`;
        } else if (e.type === 'layer' && e.kind === 'self') {
          layers.push({ layer: e.layer, weights: e.weights, q: e.queryLength, k: e.keyLength, heads: e.heads });
        } else if (e.type === 'error') error = e.message;
      },
    );
  } finally {
    if (ownEngine) await engine.dispose();
  }
  const w = model.weights;
  if (error || layers.length === 0) {
    return { available: false, reason: error ?? 'the engine returned no attention', parameterTable: parameterTable(w.dModel, kept.length), dModel: w.dModel };
  }
  const info = { ids: tokens.map((t) => t.id), texts: tokens.map((t) => t.text), offsets: tokens.map((t): [number, number] => [t.start, t.end]), source: input };
  const patterns: HeadPatternSummary[] = [];
  for (const l of layers) {
    for (const r of analyzeLayer(l.weights, l.heads, l.q, l.k, l.layer, info, { causal: w.causal })) patterns.push(summarise(r));
  }
  const layerIndex = Math.min(Math.max(0, params.layer), layers.length - 1);
  const chosen = layers[layerIndex];
  return {
    available: true,
    modelName: model.name,
    layers: layers.length,
    heads: chosen.heads,
    dModel: w.dModel,
    headDim: w.dModel / w.heads,
    tokens: tokens.map((t) => t.text),
    truncated,
    layer: chosen.layer,
    weights: chosen.weights,
    patterns,
    modelAttentionParameters: layerAttentionParameters(w.layers[0]),
    parameterTable: parameterTable(w.dModel, tokens.length),
    providerNote,
  };
}
