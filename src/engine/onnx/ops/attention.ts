// ONNX Attention (opset 23, and opset 24 with nonpad_kv_seqlen) on the reference engine.
//
//   inputs   Q, K, V, attn_mask?, past_key?, past_value?, nonpad_kv_seqlen? (opset 24)
//   outputs  Y, present_key?, present_value?, qk_matmul_output?
//   attrs    is_causal, q_num_heads, kv_num_heads, scale, softcap, softmax_precision,
//            qk_matmul_output_mode
//
// Semantics, step by step (ONNX spec after onnx#7867 / #7913, which fixed the order):
//  1. 3-D inputs [B, L, H·D] are split into heads with q_num_heads / kv_num_heads.
//  2. past_key/past_value [B, Hkv, Lpast, D] are prepended: present = concat(past, new).
//  3. scores = scale · Q·Kᵀ (scale defaults to 1/√D).                  → mode 0 output
//  4. softcap (if > 0): cap · tanh(scores / cap).                       → mode 1 output
//  5. the bias is added: attn_mask (bool: false → −∞; float: as is; a last axis shorter
//     than the total key length is padded with −∞/false), the causal mask when
//     is_causal, and the key padding from nonpad_kv_seqlen.              → mode 2 output
//     Causal alignment: query i sees key j ≤ i + offset, where offset is
//       past length           when past_key is given (the new queries are the last rows),
//       nonpad[b] − Lq        when only nonpad_kv_seqlen is given (external static cache),
//       0                     otherwise (top-left, as PyTorch is_causal).
//  6. softmax over keys; a fully masked row yields zeros, not NaN.       → mode 3 output
//  7. Y = P·V; 3-D inputs give Y back as [B, Lq, Hq·Dv].
// GQA/MQA: query head h reads kv head floor(h / (Hq/Hkv)).
//
// Note: the ONNX Python reference returns the softcapped scores for mode 0 when a
// softcap is set (it overwrites its variable); we follow the written spec: mode 0 is
// the plain Q·Kᵀ product.

import { getFloatAttribute, getIntAttribute } from '../proto/attributes';
import { DataType } from '../proto/data-type';
import type { NodeProto } from '../proto/types';
import { concatSequence } from '../../reference/kv-cache';
import { AttentionMask, keyPaddingMask, padMaskKeys, toAdditiveMask } from '../../reference/masks';
import { broadcastTo } from '../../reference/broadcast';
import { scaledDotProductAttentionStages } from '../../reference/scaled-dot-product-attention';
import { mergeHeads, splitHeads } from '../../reference/split-heads';
import { Tensor, shapeString } from '../../reference/tensor';
import { OpContext, OpInputs, OpOutputs, fromTensor, required, toBoolMask, toNumbers, toTensor, wantsOutput } from './op-values';

export function runAttention(node: NodeProto, inputs: OpInputs, context: OpContext): OpOutputs {
  const Q = required(inputs, 0, node, 'Q');
  const K = required(inputs, 1, node, 'K');
  const V = required(inputs, 2, node, 'V');
  const maskInput = inputs[3];
  const pastKeyInput = inputs[4];
  const pastValueInput = inputs[5];
  const nonpadInput = inputs[6];
  if (nonpadInput && context.opset < 24) throw new Error('Attention: nonpad_kv_seqlen needs opset 24');
  if (!!pastKeyInput !== !!pastValueInput) throw new Error('Attention: past_key and past_value come together');

  const isCausal = getIntAttribute(node, 'is_causal', 0) !== 0;
  const qHeadsAttr = getIntAttribute(node, 'q_num_heads');
  const kvHeadsAttr = getIntAttribute(node, 'kv_num_heads');
  const scale = getFloatAttribute(node, 'scale');
  const softcap = getFloatAttribute(node, 'softcap', 0);
  const mode = getIntAttribute(node, 'qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) throw new Error(`Attention: qk_matmul_output_mode ${mode} is not 0, 1, 2 or 3`);
  if (scale !== undefined && !(scale > 0)) throw new Error(`Attention: scale must be > 0, got ${scale}`);
  // softmax_precision only raises the precision of the softmax; ours runs in float64.

  // 1. Bring Q, K, V to [B, H, L, D].
  const rank = Q.dims.length;
  if (K.dims.length !== rank || V.dims.length !== rank || (rank !== 3 && rank !== 4)) {
    throw new Error(`Attention: Q, K, V must all be 3-D or all 4-D (${shapeString(Q.dims)}, ${shapeString(K.dims)}, ${shapeString(V.dims)})`);
  }
  let q = toTensor(Q, 'Attention Q');
  let k = toTensor(K, 'Attention K');
  let v = toTensor(V, 'Attention V');
  if (rank === 3) {
    if (!qHeadsAttr || !kvHeadsAttr) throw new Error('Attention: 3-D inputs need the q_num_heads and kv_num_heads attributes');
    q = splitHeads(q, qHeadsAttr);
    k = splitHeads(k, kvHeadsAttr);
    v = splitHeads(v, kvHeadsAttr);
  }
  const [batch, qHeads, lq] = q.shape;

  // 2. KV cache.
  let pastLength = 0;
  if (pastKeyInput && pastValueInput) {
    const pk = toTensor(pastKeyInput, 'Attention past_key');
    const pv = toTensor(pastValueInput, 'Attention past_value');
    pastLength = pk.shape[2];
    k = concatSequence(pk, k);
    v = concatSequence(pv, v);
  }
  const lk = k.shape[2];

  // 5. Bias: attn_mask (+ padding from nonpad_kv_seqlen) as one additive tensor.
  let mask: AttentionMask | undefined;
  if (maskInput) {
    const m: AttentionMask = maskInput.dataType === DataType.BOOL ? toBoolMask(maskInput) : toTensor(maskInput, 'Attention attn_mask');
    mask = padMaskKeys(m, lk);
  }
  let nonpad: number[] | undefined;
  if (nonpadInput) {
    nonpad = toNumbers(nonpadInput);
    if (nonpad.length !== batch) throw new Error(`Attention: nonpad_kv_seqlen has ${nonpad.length} entries for batch ${batch}`);
    const padding = toAdditiveMask(keyPaddingMask(nonpad, lk)); // [B, 1, 1, Lk]
    mask = mask ? addMasks(toAdditiveMask(mask), padding, [batch, qHeads, lq, lk]) : padding;
  }

  let causalOffset: number | number[] | undefined;
  if (isCausal) {
    if (pastKeyInput) causalOffset = pastLength;
    else if (nonpad) causalOffset = nonpad.map((n) => n - lq);
    else causalOffset = 0;
  }

  const stages = scaledDotProductAttentionStages(q, k, v, {
    scale,
    softcap,
    mask,
    causalOffset,
    keepStages: wantsOutput(node, 3),
  });

  // 7. Outputs.
  const y = rank === 3 ? mergeHeads(stages.output) : stages.output;
  const outputs: OpOutputs = [fromTensor(y, Q.dataType)];
  outputs[1] = wantsOutput(node, 1) ? fromTensor(k, K.dataType) : undefined;
  outputs[2] = wantsOutput(node, 2) ? fromTensor(v, V.dataType) : undefined;
  if (wantsOutput(node, 3)) {
    const chosen = [stages.scores, stages.cappedScores, stages.maskedScores, stages.weights][mode] as Tensor;
    outputs[3] = fromTensor(chosen, Q.dataType);
  }
  return outputs;
}

/** Sum of two additive masks, broadcast to the smallest shape that holds both within `scores`. */
function addMasks(a: Tensor, b: Tensor, scores: number[]): Tensor {
  const ea = broadcastTo(a.data, a.shape, scores);
  const eb = broadcastTo(b.data, b.shape, scores);
  const out = new Float32Array(ea.length);
  for (let i = 0; i < out.length; i++) out[i] = ea[i] + eb[i];
  return { data: out, shape: scores };
}
