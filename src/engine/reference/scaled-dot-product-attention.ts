// Scaled dot-product attention, the core of every transformer layer:
//
//   Attention(Q, K, V) = softmax( scale · Q·Kᵀ  [softcap]  + mask ) · V
//
// Layouts (per-head, "BHLD"):
//   q        [B, Hq,  Lq, D ]     B batch, Hq query heads, Lq query positions, D head size
//   k        [B, Hkv, Lk, D ]     Lk key positions (Lk ≠ Lq for cross-attention or a KV cache)
//   v        [B, Hkv, Lk, Dv]
//   weights  [B, Hq,  Lq, Lk]     row (b, h, i) is a probability distribution over keys
//   output   [B, Hq,  Lq, Dv]
//
// For every (batch b, query head h), with kv head k = floor(h / (Hq / Hkv)) (MHA/GQA/MQA):
//   1. scores   S[i, j] = scale · Σ_d q[b,h,i,d] · k[b,k,j,d]          (default scale 1/√D)
//   2. softcap  S = cap · tanh(S / cap)                                  (if softcap > 0)
//   3. mask     S[i, j] += mask[…, i, j]  (bool keep-mask: 0 → −∞)      (if a mask is given)
//   4. causal   S[i, j] = −∞ where j > i + offset                        (if causal)
//   5. softmax  P[i, :] = softmax(S[i, :]), a fully masked row → all zeros (no NaN)
//   6. output   O[i, :] = Σ_j P[i, j] · v[b,k,j,:]
//
// Softcap comes before the mask on purpose (as in ONNX opset 23/24 after onnx#7867):
// tanh would otherwise turn a blocked −∞ into a finite −cap.

import { causalOffset, applyCausalMaskInPlace } from './causal-mask';
import type { CausalAlignment } from './causal-mask';
import { headGroupSize } from './head-mapping';
import { BoolMask, toAdditiveMask } from './masks';
import { broadcastTo } from './broadcast';
import { matmulInto, matmulTransposedBInto } from './matmul';
import { softcapInPlace } from './softcap';
import { softmaxRowsInPlace } from './softmax';
import { Tensor, shapeString } from './tensor';

export type { CausalAlignment } from './causal-mask';

export interface AttentionOptions {
  /** Multiplier of Q·Kᵀ; default 1/√D. */
  scale?: number;
  /** Causal masking and where its diagonal is anchored; false/absent for none. */
  causal?: CausalAlignment | false;
  /** Additive float mask, or boolean keep-mask; broadcastable to [B, Hq, Lq, Lk]. */
  mask?: Tensor | BoolMask;
  /** Applied to the scaled scores before masking (as ONNX does); ≤ 0 or absent for none. */
  softcap?: number;
}

export interface AttentionResult {
  /** [B, Hq, Lq, Dv] */
  output: Tensor;
  /** [B, Hq, Lq, Lk] softmax probabilities */
  weights: Tensor;
}

/** Options of the staged variant: everything above plus explicit causal offsets and stage capture. */
export interface AttentionStageOptions extends AttentionOptions {
  /**
   * Explicit causal diagonal: query i sees keys j ≤ i + offset (one number, or one per
   * batch entry). Overrides the alignment given by `causal`; used for ONNX
   * past_key / nonpad_kv_seqlen semantics where the offset is not simply Lk − Lq.
   */
  causalOffset?: number | ArrayLike<number>;
  /** Keep copies of the intermediate score tensors. */
  keepStages?: boolean;
}

export interface AttentionStages extends AttentionResult {
  /** scale · Q·Kᵀ, [B, Hq, Lq, Lk] (when keepStages). */
  scores?: Tensor;
  /** after softcap (equals `scores` without softcap). */
  cappedScores?: Tensor;
  /** after mask and causal masking: the softmax input. */
  maskedScores?: Tensor;
}

function checkShapes(q: Tensor, k: Tensor, v: Tensor): void {
  const bad = (why: string): never => {
    throw new Error(
      `scaledDotProductAttention: ${why} (q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)})`,
    );
  };
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) bad('q, k, v must be 4-D [B, H, L, D]');
  if (q.shape[0] !== k.shape[0] || k.shape[0] !== v.shape[0]) bad('batch sizes differ');
  if (q.shape[3] !== k.shape[3]) bad('q and k head sizes differ');
  if (k.shape[1] !== v.shape[1]) bad('k and v head counts differ');
  if (k.shape[2] !== v.shape[2]) bad('k and v sequence lengths differ');
}

/**
 * The mask stretched to [Bm, Hm, Lq, Lk] where Bm ∈ {1, B} and Hm ∈ {1, Hq}: enough to
 * index per (batch, head) block without materialising a copy for every head.
 */
function prepareMask(mask: Tensor | BoolMask, b: number, hq: number, lq: number, lk: number) {
  const additive = toAdditiveMask(mask);
  const shape = additive.shape;
  if (shape.length > 4) throw new Error(`attention mask ${shapeString(shape)} has more than 4 axes`);
  const full = [1, 1, 1, 1];
  for (let i = 1; i <= shape.length; i++) full[4 - i] = shape[shape.length - i];
  const [mb, mh] = full;
  const ok =
    (mb === 1 || mb === b) && (mh === 1 || mh === hq) && (full[2] === 1 || full[2] === lq) && (full[3] === 1 || full[3] === lk);
  if (!ok) throw new Error(`attention mask ${shapeString(shape)} does not broadcast to scores ${shapeString([b, hq, lq, lk])}`);
  const data = broadcastTo(additive.data, shape, [mb, mh, lq, lk]);
  return { data, perBatch: mb !== 1, perHead: mh !== 1, heads: mh };
}

/** Scaled dot-product attention (see the header for the exact steps). */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): AttentionResult {
  const { output, weights } = scaledDotProductAttentionStages(q, k, v, opts);
  return { output, weights };
}

/** The same computation, optionally keeping each intermediate and taking explicit causal offsets. */
export function scaledDotProductAttentionStages(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionStageOptions = {},
): AttentionStages {
  checkShapes(q, k, v);
  const [batch, qHeads, lq, dim] = q.shape;
  const [, kvHeads, lk] = k.shape;
  const dv = v.shape[3];
  const group = headGroupSize(qHeads, kvHeads);
  const scale = opts.scale ?? 1 / Math.sqrt(dim);
  const cap = opts.softcap ?? 0;
  const mask = opts.mask ? prepareMask(opts.mask, batch, qHeads, lq, lk) : undefined;

  let offsets: ArrayLike<number> | undefined;
  if (opts.causalOffset !== undefined) {
    offsets = typeof opts.causalOffset === 'number' ? new Array<number>(batch).fill(opts.causalOffset) : opts.causalOffset;
    if (offsets.length !== batch) throw new Error(`causalOffset has ${offsets.length} entries for batch ${batch}`);
  } else if (opts.causal) {
    offsets = new Array<number>(batch).fill(causalOffset(opts.causal, lq, lk));
  }

  const block = lq * lk;
  const weights = new Float32Array(batch * qHeads * block);
  const output = new Float32Array(batch * qHeads * lq * dv);
  const keep = opts.keepStages === true;
  const scores = keep ? new Float32Array(weights.length) : undefined;
  const capped = keep && cap > 0 ? new Float32Array(weights.length) : undefined;
  const masked = keep ? new Float32Array(weights.length) : undefined;

  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const kvHead = Math.floor(h / group);
      const bh = b * qHeads + h;
      const s = weights.subarray(bh * block, (bh + 1) * block); // this head's [Lq, Lk] scores, softmaxed in place

      // 1. S = scale · Q·Kᵀ
      matmulTransposedBInto(s, 0, q.data, bh * lq * dim, k.data, (b * kvHeads + kvHead) * lk * dim, lq, dim, lk);
      for (let i = 0; i < block; i++) s[i] *= scale;
      scores?.set(s, bh * block);

      // 2. softcap
      if (cap > 0) {
        softcapInPlace(s, cap);
        capped?.set(s, bh * block);
      }

      // 3. additive mask (bool masks were turned into 0 / −∞)
      if (mask) {
        const mOffset = ((mask.perBatch ? b : 0) * mask.heads + (mask.perHead ? h : 0)) * block;
        for (let i = 0; i < block; i++) s[i] += mask.data[mOffset + i];
      }

      // 4. causal: hide keys after the diagonal
      if (offsets) applyCausalMaskInPlace(s, lq, lk, offsets[b]);
      masked?.set(s, bh * block);

      // 5. softmax over keys; fully masked rows become zeros
      softmaxRowsInPlace(s, lk);

      // 6. O = P · V
      matmulInto(output, bh * lq * dv, s, 0, v.data, (b * kvHeads + kvHead) * lk * dv, lq, lk, dv);
    }
  }

  const scoreShape = [batch, qHeads, lq, lk];
  const result: AttentionStages = {
    output: { data: output, shape: [batch, qHeads, lq, dv] },
    weights: { data: weights, shape: scoreShape },
  };
  if (keep) {
    result.scores = { data: scores as Float32Array, shape: scoreShape };
    result.cappedScores = { data: capped ?? (scores as Float32Array), shape: scoreShape };
    result.maskedScores = { data: masked as Float32Array, shape: [...scoreShape] };
  }
  return result;
}
