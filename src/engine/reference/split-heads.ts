// Moving between the "packed" layout projections produce and the per-head layout
// attention works on:
//
//   packed   [B, L, H·D]   one row per token, heads side by side
//   heads    [B, H, L, D]  one [L, D] matrix per head
//
// splitHeads is reshape [B, L, H, D] then transpose(0, 2, 1, 3); mergeHeads undoes it.

import { Tensor, shapeString } from './tensor';

/** [B, L, H·D] → [B, H, L, D]. */
export function splitHeads(x: Tensor, heads: number): Tensor {
  if (x.shape.length !== 3) throw new Error(`splitHeads expects [B, L, H·D], got ${shapeString(x.shape)}`);
  const [batch, length, hidden] = x.shape;
  if (hidden % heads !== 0) throw new Error(`splitHeads: hidden size ${hidden} is not divisible by ${heads} heads`);
  const dim = hidden / heads;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < length; t++)
      for (let h = 0; h < heads; h++) {
        const src = (b * length + t) * hidden + h * dim; // x[b, t, h·D : (h+1)·D]
        const dst = ((b * heads + h) * length + t) * dim; // y[b, h, t, :]
        out.set(x.data.subarray(src, src + dim), dst);
      }
  return { data: out, shape: [batch, heads, length, dim] };
}

/** [B, H, L, D] → [B, L, H·D]. */
export function mergeHeads(x: Tensor): Tensor {
  if (x.shape.length !== 4) throw new Error(`mergeHeads expects [B, H, L, D], got ${shapeString(x.shape)}`);
  const [batch, heads, length, dim] = x.shape;
  const hidden = heads * dim;
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let t = 0; t < length; t++) {
        const src = ((b * heads + h) * length + t) * dim;
        const dst = (b * length + t) * hidden + h * dim;
        out.set(x.data.subarray(src, src + dim), dst);
      }
  return { data: out, shape: [batch, length, hidden] };
}
