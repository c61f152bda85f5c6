// Attention masks come in two conventions:
//
//   boolean keep-mask   1 = this query may attend to this key, 0 = blocked
//                       (ONNX `attn_mask` of type bool; PyTorch's bool mask for SDPA)
//   additive float mask added to the scores before softmax: 0 keeps a pair, −∞ blocks
//                       it, and finite values bias it (ALiBi, relative positions)
//
// Both may have any rank up to 4 and broadcast to the scores' [B, Hq, Lq, Lk] by the
// numpy rules (see broadcast.ts): a 2-D mask is [Lq, Lk] for everyone, a 3-D mask's
// leading axis lines up with the HEADS axis, not the batch.

import { broadcastTo } from './broadcast';
import { Tensor, shapeString, sizeOf } from './tensor';

export interface BoolMask {
  readonly data: Uint8Array;
  readonly shape: readonly number[];
}

export type AttentionMask = Tensor | BoolMask;

/** A boolean keep-mask over existing 0/1 data (any non-zero byte counts as 1). */
export function boolMask(data: Uint8Array | ArrayLike<number | boolean>, shape: readonly number[]): BoolMask {
  const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0));
  if (bytes.length !== sizeOf(shape)) {
    throw new Error(`boolMask: ${bytes.length} values do not fill shape ${shapeString(shape)}`);
  }
  return { data: bytes, shape: [...shape] };
}

export function isBoolMask(mask: AttentionMask): mask is BoolMask {
  return mask.data instanceof Uint8Array;
}

/** keep (1) → 0, blocked (0) → −∞: the additive form of a boolean keep-mask. */
export function boolMaskToAdditive(mask: BoolMask): Tensor {
  const out = new Float32Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] ? 0 : -Infinity;
  return { data: out, shape: [...mask.shape] };
}

/** The additive form of either kind of mask. */
export function toAdditiveMask(mask: AttentionMask): Tensor {
  return isBoolMask(mask) ? boolMaskToAdditive(mask) : mask;
}

/**
 * A mask stretched to the full scores shape [B, Hq, Lq, Lk] as an additive Float32Array.
 * Throws with both shapes named when the mask does not broadcast.
 */
export function expandMask(mask: AttentionMask, scoresShape: readonly number[]): Float32Array {
  if (mask.shape.length > scoresShape.length) {
    throw new Error(`mask of rank ${mask.shape.length} ${shapeString(mask.shape)} exceeds scores ${shapeString(scoresShape)}`);
  }
  try {
    return broadcastTo(toAdditiveMask(mask).data, mask.shape, scoresShape);
  } catch {
    throw new Error(`attention mask ${shapeString(mask.shape)} does not broadcast to scores ${shapeString(scoresShape)}`);
  }
}

/**
 * ONNX lets attn_mask's last axis be SHORTER than the key length (e.g. a mask written
 * for the new tokens only); the missing keys count as blocked. Pad with −∞ / false.
 */
export function padMaskKeys(mask: AttentionMask, keyLength: number): AttentionMask {
  const shape = mask.shape;
  const have = shape[shape.length - 1];
  if (have === keyLength || have === 1) return mask;
  if (have > keyLength) {
    throw new Error(`attention mask covers ${have} keys but there are only ${keyLength}`);
  }
  const rows = sizeOf(shape) / have;
  const outShape = [...shape.slice(0, -1), keyLength];
  if (isBoolMask(mask)) {
    const out = new Uint8Array(rows * keyLength); // zeros = blocked
    for (let r = 0; r < rows; r++) out.set(mask.data.subarray(r * have, (r + 1) * have), r * keyLength);
    return { data: out, shape: outShape };
  }
  const out = new Float32Array(rows * keyLength).fill(-Infinity);
  for (let r = 0; r < rows; r++) out.set(mask.data.subarray(r * have, (r + 1) * have), r * keyLength);
  return { data: out, shape: outShape };
}

/** Elementwise AND of boolean keep-masks that broadcast together (e.g. causal ∧ padding). */
export function combineKeepMasks(a: BoolMask, b: BoolMask, shape: readonly number[]): BoolMask {
  const ea = broadcastTo(a.data, a.shape, shape);
  const eb = broadcastTo(b.data, b.shape, shape);
  const out = new Uint8Array(ea.length);
  for (let i = 0; i < out.length; i++) out[i] = ea[i] && eb[i] ? 1 : 0;
  return { data: out, shape: [...shape] };
}

/** Padding keep-mask [B, 1, 1, Lk]: key j of batch b is real when j < validLengths[b]. */
export function keyPaddingMask(validLengths: ArrayLike<number>, keyLength: number): BoolMask {
  const batch = validLengths.length;
  const out = new Uint8Array(batch * keyLength);
  for (let b = 0; b < batch; b++) {
    const valid = validLengths[b];
    for (let j = 0; j < keyLength; j++) out[b * keyLength + j] = j < valid ? 1 : 0;
  }
  return { data: out, shape: [batch, 1, 1, keyLength] };
}
