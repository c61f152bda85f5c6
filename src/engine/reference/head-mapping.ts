// Which key/value head serves which query head.
//
//   MHA (multi-head):         Hkv = Hq      query head h uses kv head h
//   GQA (grouped-query):      Hq = g · Hkv  query heads [g·k, g·k + g) share kv head k
//   MQA (multi-query):        Hkv = 1       every query head uses kv head 0
//
// All three are one rule: kvHead(h) = floor(h / (Hq / Hkv)). This is the order of
// PyTorch's repeat_interleave and of ONNX Attention ([k0, k0, k1, k1, …]), NOT a
// tiling ([k0, k1, k0, k1, …]); getting this wrong silently mixes up heads.

import { Tensor, shapeString } from './tensor';

export type HeadSharing = 'MHA' | 'GQA' | 'MQA';

/** Query heads per kv head; throws when Hq is not a multiple of Hkv. */
export function headGroupSize(queryHeads: number, kvHeads: number): number {
  if (!(kvHeads > 0) || !(queryHeads > 0) || queryHeads % kvHeads !== 0) {
    throw new Error(
      `query heads (${queryHeads}) must be a positive multiple of key/value heads (${kvHeads}) for MHA/GQA/MQA`,
    );
  }
  return queryHeads / kvHeads;
}

/** The kv head read by query head `h`. */
export function kvHeadFor(h: number, queryHeads: number, kvHeads: number): number {
  return Math.floor(h / headGroupSize(queryHeads, kvHeads));
}

export function headSharing(queryHeads: number, kvHeads: number): HeadSharing {
  headGroupSize(queryHeads, kvHeads);
  if (kvHeads === queryHeads) return 'MHA';
  return kvHeads === 1 ? 'MQA' : 'GQA';
}

/** [B, Hkv, L, D] → [B, Hq, L, D] by repeating each kv head g times in place (repeat_interleave). */
export function repeatKvHeads(x: Tensor, queryHeads: number): Tensor {
  if (x.shape.length !== 4) throw new Error(`repeatKvHeads expects [B, H, L, D], got ${shapeString(x.shape)}`);
  const [batch, kvHeads, length, dim] = x.shape;
  const group = headGroupSize(queryHeads, kvHeads);
  const headSize = length * dim;
  const out = new Float32Array(batch * queryHeads * headSize);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < queryHeads; h++) {
      const src = (b * kvHeads + Math.floor(h / group)) * headSize;
      out.set(x.data.subarray(src, src + headSize), (b * queryHeads + h) * headSize);
    }
  }
  return { data: out, shape: [batch, queryHeads, length, dim] };
}
