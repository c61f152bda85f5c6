// Layer 0's queries, keys and values of a real decoder, computed with the engine's kernels
// exactly as its forward pass does (embed → LayerNorm → Q/K/V projection → split heads →
// RoPE when the model uses it). Lesson 1 shows these numbers; a test checks that softmax of
// their scaled scores is the attention the forward pass reports for layer 0.
import { layerNorm } from '../../engine/reference/layer-norm';
import { linear } from '../../engine/reference/linear';
import { applyRotaryEmbedding } from '../../engine/reference/rotary-embedding';
import { splitHeads } from '../../engine/reference/split-heads';
import type { Tensor } from '../../engine/reference/tensor';
import type { DecoderWeights } from '../../engine/reference-model/decoder-weights';
import { ropeTablesComputed } from '../../engine/reference-model/rope-tables';

export interface LayerZeroProjections {
  /** Each [1, H, T, D]. */
  q: Tensor;
  k: Tensor;
  v: Tensor;
  heads: number;
  headDim: number;
}

/** x = E_tok[ids] + E_pos[0..T): [1, T, d]. */
function embed(w: DecoderWeights, ids: readonly number[]): Tensor {
  const d = w.dModel;
  const vocab = w.tokenEmbedding.shape[0];
  const x = new Float32Array(ids.length * d);
  ids.forEach((id, p) => {
    if (!(id >= 0 && id < vocab)) throw new Error(`token id ${id} is outside the embedding's ${vocab} rows`);
    x.set(w.tokenEmbedding.data.subarray(id * d, (id + 1) * d), p * d);
    if (w.positionEmbedding) for (let j = 0; j < d; j++) x[p * d + j] += w.positionEmbedding.data[p * d + j];
  });
  return { data: x, shape: [1, ids.length, d] };
}

/** Columns [from, from + width) of a [1, T, n] tensor. */
function columns(x: Tensor, from: number, width: number): Tensor {
  const [, rows, n] = x.shape;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(x.data.subarray(r * n + from, r * n + from + width), r * width);
  return { data: out, shape: [1, rows, width] };
}

export function layerZeroProjections(w: DecoderWeights, ids: readonly number[]): LayerZeroProjections {
  const layer = w.layers[0];
  if (!layer) throw new Error('the model has no layers');
  const d = w.dModel;
  const heads = w.heads;
  const headDim = d / heads;
  const t = ids.length;
  const h = layerNorm(embed(w, ids), layer.ln1.scale, layer.ln1.bias, { epsilon: layer.ln1.epsilon }).output;
  let qp: Tensor, kp: Tensor, vp: Tensor;
  if ('fused' in layer.qkv) {
    const qkv = linear(h, layer.qkv.fused.weight, layer.qkv.fused.bias); // [1, T, 3d] = [q | k | v]
    qp = columns(qkv, 0, d);
    kp = columns(qkv, d, d);
    vp = columns(qkv, 2 * d, d);
  } else {
    qp = linear(h, layer.qkv.q.weight, layer.qkv.q.bias);
    kp = linear(h, layer.qkv.k.weight, layer.qkv.k.bias);
    vp = linear(h, layer.qkv.v.weight, layer.qkv.v.bias);
  }
  let q = splitHeads(qp, heads);
  let k = splitHeads(kp, heads);
  const v = splitHeads(vp, heads);
  if (w.positions === 'rope') {
    const rope = w.ropeTables ?? ropeTablesComputed(t, headDim, w.ropeTheta);
    const positionIds = { data: Array.from({ length: t }, (_, i) => i), shape: [1, t] };
    q = applyRotaryEmbedding(q, rope.cos, rope.sin, { positionIds });
    k = applyRotaryEmbedding(k, rope.cos, rope.sin, { positionIds });
  }
  return { q, k, v, heads, headDim };
}

/** Head `head` of a [1, H, T, D] tensor as [1, 1, T, D]. */
export function pickHead(x: Tensor, head: number): Tensor {
  const [, h, t, d] = x.shape;
  if (!(head >= 0 && head < h)) throw new Error(`head ${head} does not exist (the layer has ${h})`);
  return { data: x.data.slice(head * t * d, (head + 1) * t * d), shape: [1, 1, t, d] };
}
