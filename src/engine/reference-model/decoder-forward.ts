// The forward pass of a GPT-style pre-LayerNorm decoder, one layer at a time, on the reference
// kernels. It exists to show attention without ONNX Runtime, so it hands each layer's
// attention probabilities to a callback as soon as that layer is done (the panel can draw
// layer 0 while layer 1 is computed) and stops after the last layer anyone asked for.
//
//   x = E_tok[ids] + E_pos[0..T)                             x: [T, d]   (batch of one)
//   for each layer ℓ:
//     h        = LN1(x)
//     q, k, v  = h·W_q + b_q, h·W_k + b_k, h·W_v + b_v       each [T, d] → [H, T, d/H]
//     (RoPE)     q, k rotated by position                      (RoPE models only)
//     A_h      = softmax(q_h·k_hᵀ / √(d/H) + causal mask)     [H, T, T]  ← reported
//     x        = x + merge_h(A_h·v_h)·W_o + b_o
//     x        = x + GELU(LN2(x)·W_1 + b_1)·W_2 + b_2
//   logits     = LN_f(x)·W_head                                (only when asked for)
import { gelu } from '../reference/gelu';
import { layerNorm } from '../reference/layer-norm';
import { linear } from '../reference/linear';
import { applyRotaryEmbedding } from '../reference/rotary-embedding';
import { scaledDotProductAttention } from '../reference/scaled-dot-product-attention';
import { mergeHeads, splitHeads } from '../reference/split-heads';
import type { Tensor } from '../reference/tensor';
import type { DecoderWeights, LayerNormWeights, LinearWeights } from './decoder-weights';
import { ropeTablesComputed } from './rope-tables';

export class ForwardCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'ForwardCancelled';
  }
}

export interface DecoderForwardOptions {
  /** Layers whose attention is wanted (all when absent); layers after the last one are skipped. */
  layers?: readonly number[];
  /** Receives attention probabilities [heads, T, T] (row-major) for each wanted layer, in order. */
  onLayer?: (layer: number, weights: Float32Array) => void | Promise<void>;
  /** Checked between steps; the event loop gets a turn first so an abort can arrive. */
  signal?: AbortSignal;
  /** Also compute the logits of every position (needs every layer). */
  logits?: boolean;
}

export interface DecoderForwardResult {
  /** [T, V] when asked for and the model has an LM head. */
  logits?: Float32Array;
}

/** Lets pending events (an abort) run, then throws if the run was cancelled. */
async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new ForwardCancelled();
}

function norm(x: Tensor, w: LayerNormWeights): Tensor {
  return layerNorm(x, w.scale, w.bias, { epsilon: w.epsilon }).output;
}

function dense(x: Tensor, w: LinearWeights): Tensor {
  return linear(x, w.weight, w.bias);
}

/** Columns [from, from + width) of a [T, n] tensor (the q | k | v parts of a fused projection). */
function columns(x: Tensor, from: number, width: number): Tensor {
  const [rows, n] = x.shape;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(x.data.subarray(r * n + from, r * n + from + width), r * width);
  return { data: out, shape: [1, rows, width] };
}

function add(a: Tensor, b: Tensor): Tensor {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return { data: out, shape: [...a.shape] };
}

/** x = E_tok[ids] + E_pos[0..T) as [T, d]. */
function embed(w: DecoderWeights, ids: ArrayLike<number>): Tensor {
  const d = w.dModel;
  const t = ids.length;
  const vocab = w.tokenEmbedding.shape[0];
  const x = new Float32Array(t * d);
  for (let p = 0; p < t; p++) {
    const id = ids[p];
    if (!(id >= 0 && id < vocab)) throw new Error(`token id ${id} is outside the embedding's ${vocab} rows`);
    x.set(w.tokenEmbedding.data.subarray(id * d, (id + 1) * d), p * d);
    if (w.positionEmbedding) {
      const pos = w.positionEmbedding.data;
      for (let j = 0; j < d; j++) x[p * d + j] += pos[p * d + j];
    }
  }
  return { data: x, shape: [t, d] };
}

export async function runDecoder(w: DecoderWeights, ids: ArrayLike<number>, options: DecoderForwardOptions = {}): Promise<DecoderForwardResult> {
  const t = ids.length;
  const d = w.dModel;
  const heads = w.heads;
  const headDim = d / heads;
  if (t === 0) return {};
  if (w.contextLength !== undefined && w.positions === 'learned' && t > w.contextLength) {
    throw new Error(`the model has position embeddings for ${w.contextLength} tokens, the input has ${t}`);
  }
  const wanted = new Set(options.layers ?? w.layers.map((_, i) => i));
  const lastNeeded = options.logits ? w.layers.length - 1 : Math.max(-1, ...[...wanted].filter((l) => l < w.layers.length));
  const rope = w.positions === 'rope' ? (w.ropeTables ?? ropeTablesComputed(t, headDim, w.ropeTheta)) : undefined;
  if (rope && rope.cos.shape[0] < t) throw new Error(`the model has rotary tables for ${rope.cos.shape[0]} positions, the input has ${t}`);
  const positionIds = rope ? { data: Array.from({ length: t }, (_, i) => i), shape: [1, t] } : undefined;

  let x = embed(w, ids);
  for (let l = 0; l <= lastNeeded; l++) {
    const layer = w.layers[l];
    const h = norm(x, layer.ln1);
    await checkpoint(options.signal);

    // Projections, split into heads: [1, T, d] → [1, H, T, d/H].
    let qPacked: Tensor;
    let kPacked: Tensor;
    let vPacked: Tensor;
    if ('fused' in layer.qkv) {
      const qkv = dense(h, layer.qkv.fused); // [T, 3d] = [q | k | v]
      qPacked = columns(qkv, 0, d);
      kPacked = columns(qkv, d, d);
      vPacked = columns(qkv, 2 * d, d);
    } else {
      qPacked = { data: dense(h, layer.qkv.q).data, shape: [1, t, d] };
      kPacked = { data: dense(h, layer.qkv.k).data, shape: [1, t, d] };
      vPacked = { data: dense(h, layer.qkv.v).data, shape: [1, t, d] };
    }
    let q = splitHeads(qPacked, heads);
    let k = splitHeads(kPacked, heads);
    const v = splitHeads(vPacked, heads);
    if (rope && positionIds) {
      q = applyRotaryEmbedding(q, rope.cos, rope.sin, { positionIds });
      k = applyRotaryEmbedding(k, rope.cos, rope.sin, { positionIds });
    }
    await checkpoint(options.signal);

    // Attention one head at a time, so a cancel is noticed within a head's worth of work.
    const block = t * t;
    const slab = t * headDim;
    const weights = new Float32Array(heads * block);
    const outHeads = new Float32Array(heads * slab);
    for (let hd = 0; hd < heads; hd++) {
      const view = (z: Tensor): Tensor => ({ data: z.data.subarray(hd * slab, (hd + 1) * slab), shape: [1, 1, t, headDim] });
      const r = scaledDotProductAttention(view(q), view(k), view(v), { causal: w.causal ? 'top-left' : false, scale: 1 / Math.sqrt(headDim) });
      weights.set(r.weights.data, hd * block);
      outHeads.set(r.output.data, hd * slab);
      await checkpoint(options.signal);
    }
    if (wanted.has(l)) await options.onLayer?.(l, weights);
    if (l === lastNeeded && !options.logits) break; // nothing after this layer is needed

    const attnOut = dense({ data: mergeHeads({ data: outHeads, shape: [1, heads, t, headDim] }).data, shape: [t, d] }, layer.proj);
    x = add(x, attnOut);
    await checkpoint(options.signal);
    const mlp = dense(gelu(dense(norm(x, layer.ln2), layer.fc), w.activation === 'gelu_tanh' ? 'tanh' : 'none'), layer.fcOut);
    x = add(x, mlp);
    await checkpoint(options.signal);
  }

  if (!options.logits || !w.lmHead) return {};
  const final = w.finalNorm ? norm(x, w.finalNorm) : x;
  return { logits: dense(final, w.lmHead).data };
}
