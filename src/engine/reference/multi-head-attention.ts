// A complete multi-head attention layer, as in "Attention Is All You Need" §3.2.2,
// generalised to GQA/MQA, cross-attention, rotary positions and a KV cache:
//
//   x [B, Lq, Dm]                    the tokens that ask (queries)
//   memory [B, Lk, Dmem]             the tokens that answer (keys/values); x itself for self-attention
//
//   Q = x · Wq (+ bq)         [B, Lq, Hq·D]   → split → [B, Hq, Lq, D]
//   K = memory · Wk (+ bk)    [B, Lk, Hkv·D]  → split → [B, Hkv, Lk, D]
//   V = memory · Wv (+ bv)    [B, Lk, Hkv·Dv] → split → [B, Hkv, Lk, Dv]
//   (RoPE rotates Q and K here, when given)
//   (a KV cache prepends the keys/values of earlier steps here)
//   O = SDPA(Q, K, V)         [B, Hq, Lq, Dv] → merge → [B, Lq, Hq·Dv]
//   y = O · Wo (+ bo)         [B, Lq, Dm]
//
// Weights are input-major ([in, out]), see linear.ts.

import { KvCache } from './kv-cache';
import { linear } from './linear';
import { RotaryOptions, applyRotaryEmbedding } from './rotary-embedding';
import { AttentionOptions, scaledDotProductAttention } from './scaled-dot-product-attention';
import { mergeHeads, splitHeads } from './split-heads';
import { Tensor } from './tensor';

export interface MultiHeadAttentionWeights {
  /** [Dm, Hq·D] */
  wq: Tensor;
  /** [Dmem, Hkv·D] */
  wk: Tensor;
  /** [Dmem, Hkv·Dv] */
  wv: Tensor;
  /** [Hq·Dv, Dm] */
  wo: Tensor;
  bq?: Tensor;
  bk?: Tensor;
  bv?: Tensor;
  bo?: Tensor;
}

export interface MultiHeadAttentionOptions extends AttentionOptions {
  /** Hq */
  numHeads: number;
  /** Hkv (default Hq: plain MHA; 1: MQA; a divisor of Hq: GQA). */
  numKvHeads?: number;
  /** Keys/values come from here (cross-attention); default: x (self-attention). */
  memory?: Tensor;
  /** Rotary embedding of Q and K: cos/sin caches and options (positions of the NEW tokens). */
  rotary?: { cos: Tensor; sin: Tensor } & Omit<RotaryOptions, 'numHeads'>;
  /**
   * Self-attention decoding cache: this step's K/V are appended, and attention runs
   * over everything cached. Use causal 'bottom-right' with it.
   */
  cache?: KvCache;
}

export interface MultiHeadAttentionResult {
  /** [B, Lq, Dm] */
  output: Tensor;
  /** [B, Hq, Lq, Lk] */
  weights: Tensor;
  /** Per-head projections actually used: q [B, Hq, Lq, D], k/v [B, Hkv, Lk, ·] (after RoPE and cache). */
  q: Tensor;
  k: Tensor;
  v: Tensor;
}

export function multiHeadAttention(
  x: Tensor,
  w: MultiHeadAttentionWeights,
  opts: MultiHeadAttentionOptions,
): MultiHeadAttentionResult {
  const hq = opts.numHeads;
  const hkv = opts.numKvHeads ?? hq;
  const memory = opts.memory ?? x;
  if (opts.cache && opts.memory) throw new Error('multiHeadAttention: a KV cache is for self-attention; omit memory');

  // Projections and head split: [B, L, H·D] → [B, H, L, D]
  let q = splitHeads(linear(x, w.wq, w.bq), hq);
  let k = splitHeads(linear(memory, w.wk, w.bk), hkv);
  let v = splitHeads(linear(memory, w.wv, w.bv), hkv);

  if (opts.rotary) {
    const { cos, sin, ...rotaryOptions } = opts.rotary;
    q = applyRotaryEmbedding(q, cos, sin, rotaryOptions);
    k = applyRotaryEmbedding(k, cos, sin, rotaryOptions);
  }

  if (opts.cache) ({ key: k, value: v } = opts.cache.append(k, v));

  const { output, weights } = scaledDotProductAttention(q, k, v, {
    scale: opts.scale,
    causal: opts.causal,
    mask: opts.mask,
    softcap: opts.softcap,
  });

  // [B, Hq, Lq, Dv] → [B, Lq, Hq·Dv] → output projection
  const y = linear(mergeHeads(output), w.wo, w.bo);
  return { output: y, weights, q, k, v };
}
