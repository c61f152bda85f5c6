// KV cache: during generation each step computes keys and values only for the NEW
// tokens and appends them to those of earlier steps along the sequence axis:
//
//   present[B, H, Lpast + Lnew, D] = concat(past[B, H, Lpast, D], new[B, H, Lnew, D], axis = 2)
//
// The new queries are the LAST Lnew positions, so causal masking must then be
// bottom-right aligned (see causal-mask.ts).

import { Tensor, shapeString } from './tensor';

/** Concatenate two [B, H, L, D] tensors along L. */
export function concatSequence(past: Tensor, current: Tensor): Tensor {
  const [b, h, lp, d] = past.shape;
  const [b2, h2, lc, d2] = current.shape;
  if (past.shape.length !== 4 || current.shape.length !== 4 || b !== b2 || h !== h2 || d !== d2) {
    throw new Error(`KV cache: cannot append ${shapeString(current.shape)} to ${shapeString(past.shape)}`);
  }
  const total = lp + lc;
  const out = new Float32Array(b * h * total * d);
  for (let bh = 0; bh < b * h; bh++) {
    out.set(past.data.subarray(bh * lp * d, (bh + 1) * lp * d), bh * total * d);
    out.set(current.data.subarray(bh * lc * d, (bh + 1) * lc * d), (bh * total + lp) * d);
  }
  return { data: out, shape: [b, h, total, d] };
}

/** A growing cache of keys and values for one attention layer. */
export class KvCache {
  private keyTensor: Tensor | undefined;
  private valueTensor: Tensor | undefined;

  /** Number of cached positions. */
  get length(): number {
    return this.keyTensor ? this.keyTensor.shape[2] : 0;
  }

  get key(): Tensor | undefined {
    return this.keyTensor;
  }

  get value(): Tensor | undefined {
    return this.valueTensor;
  }

  /** Append this step's keys/values; returns the present (whole) key and value. */
  append(key: Tensor, value: Tensor): { key: Tensor; value: Tensor } {
    this.keyTensor = this.keyTensor ? concatSequence(this.keyTensor, key) : key;
    this.valueTensor = this.valueTensor ? concatSequence(this.valueTensor, value) : value;
    return { key: this.keyTensor, value: this.valueTensor };
  }
}
