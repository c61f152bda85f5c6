// Lesson 6 — MHA vs MQA vs GQA and the KV cache.
//
//   KV cache = 2 (K and V) · batch · layers · kv heads · head size · tokens · bytes per value
//
// Only the number of KEY/VALUE heads appears: MHA keeps one K/V head per query head, MQA one
// for all of them, GQA one per group (query head h reads kv head ⌊h / (Hq/Hkv)⌋). The sizes
// come from the engine's cost calculator, the head mapping from its head-mapping module.
//
// The other side of the trade-off is measured, not asserted: take a layer's real per-head keys
// and values, mean-pool them into G groups (how GQA checkpoints are made from MHA ones, before
// any further training) and run the engine's GQA attention; the relative change of the output
// against MHA is what sharing costs on this text, untrained.
import { kvCacheBytes, kvCacheBytesPerToken } from '../engine/reference/attention-cost';
import { headSharing, kvHeadFor } from '../engine/reference/head-mapping';
import { scaledDotProductAttention } from '../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../engine/reference/tensor';
import type { KvCacheData, KvCacheParams, KvCacheRow } from '../protocol/lesson-messages';
import { tryLessonModel, type LessonEnvironment } from './shared/lesson-model';
import { layerZeroProjections } from './shared/model-projections';
import { seededNormals } from './shared/toy-embedding';
import { MULTI_HEAD_DEFAULT_TEXT } from './multi-head';

/** Llama-2-7B-sized defaults with 8 kv heads (as Mistral 7B). */
export const KV_CACHE_DEFAULTS: KvCacheParams = { layers: 32, queryHeads: 32, kvHeads: 8, headDim: 128, length: 4096, batch: 1, dtype: 'float16' };
const GROWTH_POINTS = 33;

/** [1, H, T, D] → [1, G, T, D]: the mean of each group of H/G consecutive heads. */
export function poolKvHeads(x: Tensor, groups: number): Tensor {
  const [b, h, t, d] = x.shape;
  const size = h / groups;
  const slab = t * d;
  const out = new Float32Array(b * groups * slab);
  for (let bi = 0; bi < b; bi++)
    for (let g = 0; g < groups; g++)
      for (let m = 0; m < size; m++) {
        const src = (bi * h + g * size + m) * slab;
        const dst = (bi * groups + g) * slab;
        for (let i = 0; i < slab; i++) out[dst + i] += x.data[src + i] / size;
      }
  return { data: out, shape: [b, groups, t, d] };
}

/** ‖a − b‖ / ‖b‖. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

/** Output change when K/V heads are pooled into each possible number of groups. */
export function poolingErrors(q: Tensor, k: Tensor, v: Tensor, causal: boolean): { kvHeads: number; relativeError: number }[] {
  const h = q.shape[1];
  const mha = scaledDotProductAttention(q, k, v, { causal: causal ? 'top-left' : false }).output.data;
  const rows: { kvHeads: number; relativeError: number }[] = [];
  for (let g = h; g >= 1; g--) {
    if (h % g !== 0) continue;
    const out = scaledDotProductAttention(q, poolKvHeads(k, g), poolKvHeads(v, g), { causal: causal ? 'top-left' : false }).output.data;
    rows.push({ kvHeads: g, relativeError: relativeError(out, mha) });
  }
  return rows;
}

async function measuredPooling(env: LessonEnvironment): Promise<{ rows: { kvHeads: number; relativeError: number }[]; note: string }> {
  const found = await tryLessonModel(env);
  if ('model' in found) {
    const { model } = found;
    const ids = (await model.tokenizer.encode(MULTI_HEAD_DEFAULT_TEXT)).slice(0, 64).map((t) => t.id);
    const p = layerZeroProjections(model.weights, ids);
    return {
      rows: poolingErrors(p.q, p.k, p.v, model.weights.causal),
      note: `Layer 0 of ${model.name} (${p.heads} heads) on ${ids.length} tokens of code: keys and values mean-pooled into groups, no retraining.`,
    };
  }
  // Without a model: independent random heads share nothing, so pooling loses the most here.
  const h = 8, t = 32, d = 16;
  const g = (seed: number): Tensor => ({ data: seededNormals(h * t * d, seed), shape: [1, h, t, d] });
  return {
    rows: poolingErrors(g(601), g(602), g(603), true),
    note: `No model available (${found.reason}) — measured on 8 independent random heads, which share no structure: a trained model loses less.`,
  };
}

export async function computeKvCache(params: KvCacheParams, env: LessonEnvironment = {}): Promise<KvCacheData> {
  const shape = (kvHeads: number, length = params.length) => ({
    sequenceLength: length,
    batch: params.batch,
    layers: params.layers,
    queryHeads: params.queryHeads,
    kvHeads,
    headSize: params.headDim,
    dtype: params.dtype,
  });
  const mhaBytes = kvCacheBytes(shape(params.queryHeads));
  const kvs = [...new Set([params.queryHeads, params.kvHeads, 1])];
  const comparison: KvCacheRow[] = kvs.map((kv) => {
    const bytes = kvCacheBytes(shape(kv));
    return { kind: headSharing(params.queryHeads, kv), kvHeads: kv, bytes, fractionOfMha: bytes / mhaBytes };
  });
  const growthLengths = Float64Array.from({ length: GROWTH_POINTS }, (_, i) => Math.round((params.length * i) / (GROWTH_POINTS - 1)));
  const growthBytes = kvs.map((kv) => Float64Array.from(growthLengths, (len) => kvCacheBytes(shape(kv, len))));
  const pooling = await measuredPooling(env);
  return {
    params,
    kind: headSharing(params.queryHeads, params.kvHeads),
    bytes: kvCacheBytes(shape(params.kvHeads)),
    bytesPerToken: kvCacheBytesPerToken(shape(params.kvHeads)),
    comparison,
    kvHeadOfQueryHead: Int32Array.from({ length: params.queryHeads }, (_, h) => kvHeadFor(h, params.queryHeads, params.kvHeads)),
    growthLengths,
    growthBytes,
    pooling: pooling.rows,
    poolingNote: pooling.note,
  };
}
