// What attention costs: FLOPs, the bytes of the attention matrices, and the KV cache,
// for MHA / MQA / GQA, and how full, windowed, sparse, linear and FlashAttention scale.
//
// Symbols: B batch, L layers, Hq query heads, Hkv key/value heads, d head size,
// Lq query length, Lk key length (= n for self-attention), b bytes per element.
//
//   attention matrices   B · L · Hq · Lq · Lk · b        every head's [Lq, Lk] weights at once
//                        32,000 tokens, 32 heads, float16: 32,000² · 32 · 2 = 65.5 GB (one layer)
//                        one head of 4,096 tokens, float16: 4,096² · 2 = 32 MiB
//   KV cache             2 · B · L · Hkv · Lk · d · b    K and V of every past token
//                        only Hkv appears: GQA with 32 query / 8 kv heads stores 4× less than MHA,
//                        MQA (Hkv = 1) 32× less
//   attention FLOPs      4 · B · L · Hq · P · d          P = (query, key) pairs computed:
//                        2d for the score q·k and 2d for adding p·v (multiply + add each);
//                        P = Lq·Lk for full attention, ≈ half of it with causal tile skipping
//   projections FLOPs    2 · B · L · (Lq·D·Hq·d + 2·Lk·D·Hkv·d + Lq·Hq·d·D)   Q, K, V and output
//                        (D = model width, default Hq·d)
//
// Softmax and masking (a few FLOPs per score) are left out: they are small next to 4d
// per pair, though on CPUs the exp is not free.

import { causalPairs, fullPairs } from './pattern-cost';

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8';

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float16: 2, bfloat16: 2, int8: 1 };

export interface AttentionShape {
  /** Lk: tokens attended over (the sequence length for self-attention). */
  readonly sequenceLength: number;
  /** Lq (default Lk): 1 for a decoding step with a KV cache. */
  readonly queryLength?: number;
  readonly batch?: number;
  readonly layers?: number;
  readonly queryHeads: number;
  /** Hkv (default Hq = MHA; 1 = MQA; in between = GQA). */
  readonly kvHeads?: number;
  readonly headSize: number;
  /** Default float16. */
  readonly dtype?: DType;
  /** Model width D for projection FLOPs (default Hq·d). */
  readonly modelWidth?: number;
}

interface Resolved {
  lk: number;
  lq: number;
  batch: number;
  layers: number;
  hq: number;
  hkv: number;
  d: number;
  bytes: number;
  width: number;
}

function resolve(s: AttentionShape): Resolved {
  const hkv = s.kvHeads ?? s.queryHeads;
  if (s.queryHeads % hkv !== 0) throw new Error(`query heads (${s.queryHeads}) must be a multiple of kv heads (${hkv})`);
  return {
    lk: s.sequenceLength,
    lq: s.queryLength ?? s.sequenceLength,
    batch: s.batch ?? 1,
    layers: s.layers ?? 1,
    hq: s.queryHeads,
    hkv,
    d: s.headSize,
    bytes: BYTES_PER_ELEMENT[s.dtype ?? 'float16'],
    width: s.modelWidth ?? s.queryHeads * s.headSize,
  };
}

/** Bytes of all attention-weight matrices [B, L, Hq, Lq, Lk] held at once. */
export function attentionMatrixBytes(shape: AttentionShape): number {
  const r = resolve(shape);
  return r.batch * r.layers * r.hq * r.lq * r.lk * r.bytes;
}

/** Bytes of the KV cache: 2 · B · L · Hkv · Lk · d · b. */
export function kvCacheBytes(shape: AttentionShape): number {
  const r = resolve(shape);
  return 2 * r.batch * r.layers * r.hkv * r.lk * r.d * r.bytes;
}

/** KV-cache bytes added per token (B = 1): 2 · L · Hkv · d · b. */
export function kvCacheBytesPerToken(shape: AttentionShape): number {
  return kvCacheBytes({ ...shape, sequenceLength: 1, batch: 1 });
}

/** How many times smaller the KV cache is than MHA's with the same query heads: Hq / Hkv. */
export function kvCacheReduction(queryHeads: number, kvHeads: number): number {
  if (queryHeads % kvHeads !== 0) throw new Error(`query heads (${queryHeads}) must be a multiple of kv heads (${kvHeads})`);
  return queryHeads / kvHeads;
}

/** Q·Kᵀ and P·V FLOPs: 4 · B · L · Hq · pairs · d (pairs: full, or causal when `causal`). */
export function attentionFlops(shape: AttentionShape, opts: { causal?: boolean } = {}): number {
  const r = resolve(shape);
  const pairs = opts.causal ? causalPairs(r.lq, r.lk) : fullPairs(r.lq, r.lk);
  return 4 * r.batch * r.layers * r.hq * pairs * r.d;
}

/** FLOPs of the Q, K, V and output projections. */
export function projectionFlops(shape: AttentionShape): number {
  const r = resolve(shape);
  const q = r.lq * r.width * r.hq * r.d;
  const kv = 2 * r.lk * r.width * r.hkv * r.d;
  const o = r.lq * r.hq * r.d * r.width;
  return 2 * r.batch * r.layers * (q + kv + o);
}

// ---------------------------------------------------------------------------------------
// How the variants scale with n (self-attention, one layer, batch 1), for plots.
//
//   variant          pairs / work                         extra memory beyond Q, K, V, output
//   full             n² pairs                             Hq · n² scores           O(n²)
//   sliding-window   n·w − w(w−1)/2 pairs (causal w)      Hq · n · w banded scores O(n·w)
//   sparse (BigBird) ≈ n · b·(wb + g + r) pairs           Hq · pairs               O(n)
//                    (+ the g·b global rows, which see all n keys)
//   linear           no pairs: 4 · n · d · dv per head    Hq · d · dv state        O(1) in n
//                    (kernelised: φ(Q)·(φ(K)ᵀV), Katharopoulos et al. 2020)
//   flash            n² pairs (the full work, causal skips half)
//                                                         Hq · n · 4 (row log-sum-exp)  O(n)
//                    plus a fixed Bq·Bk tile: exact attention, never the n×n matrix

export type AttentionVariant = 'full' | 'sliding-window' | 'sparse' | 'linear' | 'flash';

export interface VariantOptions {
  readonly heads: number;
  readonly headSize: number;
  readonly dtype?: DType;
  /** Causal masking (full and flash count the lower triangle only). */
  readonly causal?: boolean;
  /** Causal window w for 'sliding-window' (default 512). */
  readonly window?: number;
  /** BigBird block size b, window blocks wb, global blocks g, random blocks r for 'sparse' (default 64, 3, 2, 3). */
  readonly blockSize?: number;
  readonly windowBlocks?: number;
  readonly globalBlocks?: number;
  readonly randomBlocks?: number;
}

export interface VariantCost {
  readonly variant: AttentionVariant;
  readonly n: number;
  /** (query, key) pairs scored (0 for linear attention, which never forms a score). */
  readonly pairs: number;
  readonly flops: number;
  /** Extra memory the method needs beyond its inputs and output (see the table above). */
  readonly memoryBytes: number;
}

/** Pairs of the BigBird layout estimate: global rows see everything, other rows a fixed number of blocks. */
export function bigBirdPairsEstimate(n: number, blockSize: number, windowBlocks: number, globalBlocks: number, randomBlocks: number): number {
  const globalRows = Math.min(n, globalBlocks * blockSize);
  const keysPerRow = Math.min(n, blockSize * (windowBlocks + globalBlocks + randomBlocks));
  return globalRows * n + (n - globalRows) * keysPerRow;
}

/** Cost of one attention layer of n tokens with the given method. */
export function variantCost(variant: AttentionVariant, n: number, opts: VariantOptions): VariantCost {
  const h = opts.heads;
  const d = opts.headSize;
  const bytes = BYTES_PER_ELEMENT[opts.dtype ?? 'float16'];
  const dense = opts.causal ? causalPairs(n) : fullPairs(n);
  switch (variant) {
    case 'full':
      return { variant, n, pairs: dense, flops: 4 * h * dense * d, memoryBytes: h * n * n * bytes };
    case 'sliding-window': {
      const w = Math.min(opts.window ?? 512, n);
      const pairs = n * w - (w * (w - 1)) / 2;
      return { variant, n, pairs, flops: 4 * h * pairs * d, memoryBytes: h * n * w * bytes };
    }
    case 'sparse': {
      const pairs = bigBirdPairsEstimate(n, opts.blockSize ?? 64, opts.windowBlocks ?? 3, opts.globalBlocks ?? 2, opts.randomBlocks ?? 3);
      return { variant, n, pairs, flops: 4 * h * pairs * d, memoryBytes: h * pairs * bytes };
    }
    case 'linear':
      return { variant, n, pairs: 0, flops: 4 * h * n * d * d, memoryBytes: h * d * d * bytes };
    case 'flash':
      return { variant, n, pairs: dense, flops: 4 * h * dense * d, memoryBytes: h * n * 4 };
  }
}

/** One row per n and variant, e.g. for lesson 11's plot. */
export function complexityTable(ns: readonly number[], variants: readonly AttentionVariant[], opts: VariantOptions): VariantCost[] {
  return ns.flatMap((n) => variants.map((v) => variantCost(v, n, opts)));
}
