// Rotary position embedding (RoPE, Su et al. 2021) with the semantics of the ONNX
// RotaryEmbedding operator (opset 23).
//
// RoPE rotates pairs of coordinates of each query/key vector by an angle that grows
// with the token's position p:   θ(p, i) = p · base^(−2i / R),  i = 0 … R/2 − 1
//
//   x1' = x1 · cos θ − x2 · sin θ
//   x2' = x1 · sin θ + x2 · cos θ
//
// Because rotations compose, q(p)·k(p') then depends only on the offset p − p' (a
// relative position), which is the whole point.
//
// Which coordinates form a pair:
//   interleaved      (x0, x1), (x2, x3), …              GPT-J / original paper
//   half-split       (x0, x_{R/2}), (x1, x_{R/2+1}), …  GPT-NeoX / Llama ("rotate_half")
// Only the first R = rotary_dim coordinates rotate (partial rotary); the rest pass through.
//
// Inputs follow ONNX: x is [B, H, L, D] or [B, L, H·D] (then numHeads is needed);
// cos/sin caches hold cos θ / sin θ with last axis R/2, indexed either by position_ids
// [B, L] (cache [maxPosition, R/2]) or directly per token (cache [B, L, R/2]).

import { Tensor, shapeString } from './tensor';

export interface RotaryOptions {
  /** Pair adjacent coordinates (GPT-J) instead of the two halves (NeoX/Llama). Default false. */
  interleaved?: boolean;
  /** R: how many leading coordinates of each head rotate; 0/absent = all of them. */
  rotaryDim?: number;
  /** Heads packed in a 3-D [B, L, H·D] input. */
  numHeads?: number;
  /** Position of each token, [B, L] row-major; absent = the caches are already [B, L, R/2]. */
  positionIds?: { data: ArrayLike<number | bigint>; shape: readonly number[] };
}

/** Rotate x by the angles in the cos/sin caches (see header). Returns a new tensor of x's shape. */
export function applyRotaryEmbedding(x: Tensor, cosCache: Tensor, sinCache: Tensor, opts: RotaryOptions = {}): Tensor {
  // View the input as [B, H, L, D] through strides, whatever its layout.
  let batch: number, heads: number, length: number, headSize: number;
  let strideB: number, strideH: number, strideL: number;
  if (x.shape.length === 4) {
    [batch, heads, length, headSize] = x.shape;
    strideB = heads * length * headSize;
    strideH = length * headSize;
    strideL = headSize;
  } else if (x.shape.length === 3) {
    const numHeads = opts.numHeads ?? 0;
    if (!(numHeads > 0)) throw new Error('RotaryEmbedding: a 3-D input [B, L, H·D] needs numHeads');
    [batch, length] = x.shape;
    const hidden = x.shape[2];
    if (hidden % numHeads !== 0) throw new Error(`RotaryEmbedding: hidden size ${hidden} is not divisible by ${numHeads} heads`);
    heads = numHeads;
    headSize = hidden / numHeads;
    strideB = length * hidden;
    strideL = hidden;
    strideH = headSize;
  } else {
    throw new Error(`RotaryEmbedding: input must be 3-D or 4-D, got ${shapeString(x.shape)}`);
  }

  const rotaryDim = opts.rotaryDim && opts.rotaryDim > 0 ? opts.rotaryDim : headSize;
  if (rotaryDim > headSize || rotaryDim % 2 !== 0) {
    throw new Error(`RotaryEmbedding: rotary_dim ${rotaryDim} must be even and ≤ head size ${headSize}`);
  }
  const half = rotaryDim / 2;
  if (cosCache.shape[cosCache.shape.length - 1] !== half || sinCache.shape[sinCache.shape.length - 1] !== half) {
    throw new Error(
      `RotaryEmbedding: cos/sin caches ${shapeString(cosCache.shape)} / ${shapeString(sinCache.shape)} must end in rotary_dim/2 = ${half}`,
    );
  }

  // Row of the caches to use for token (b, t).
  const positions = opts.positionIds;
  let cacheRow: (b: number, t: number) => number;
  if (positions) {
    if (positions.shape.length !== 2 || positions.shape[0] !== batch || positions.shape[1] !== length) {
      throw new Error(`RotaryEmbedding: position_ids ${shapeString(positions.shape)} must be [${batch}, ${length}]`);
    }
    const maxRows = cosCache.shape[0];
    cacheRow = (b, t) => {
      const p = Number(positions.data[b * length + t]);
      if (!(p >= 0 && p < maxRows)) throw new Error(`RotaryEmbedding: position ${p} outside the cache of ${maxRows} rows`);
      return p;
    };
  } else {
    if (cosCache.shape.length !== 3 || cosCache.shape[0] !== batch || cosCache.shape[1] !== length) {
      throw new Error(`RotaryEmbedding: without position_ids the caches must be [${batch}, ${length}, ${half}], got ${shapeString(cosCache.shape)}`);
    }
    cacheRow = (b, t) => b * length + t;
  }

  const out = Float32Array.from(x.data); // non-rotated coordinates pass through
  const interleaved = opts.interleaved === true;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      const c = cacheRow(b, t) * half;
      for (let h = 0; h < heads; h++) {
        const base = b * strideB + h * strideH + t * strideL;
        for (let i = 0; i < half; i++) {
          const i1 = base + (interleaved ? 2 * i : i);
          const i2 = base + (interleaved ? 2 * i + 1 : i + half);
          const cos = cosCache.data[c + i];
          const sin = sinCache.data[c + i];
          const x1 = x.data[i1];
          const x2 = x.data[i2];
          out[i1] = x1 * cos - x2 * sin;
          out[i2] = x1 * sin + x2 * cos;
        }
      }
    }
  }
  return { data: out, shape: [...x.shape] };
}

/** Inverse frequencies base^(−2i/R) for i = 0 … R/2 − 1. */
export function rotaryInverseFrequencies(rotaryDim: number, base = 10000): Float64Array {
  const half = rotaryDim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) out[i] = Math.pow(base, (-2 * i) / rotaryDim);
  return out;
}

/** cos/sin caches [maxPositions, R/2] with cos[p, i] = cos(p · base^(−2i/R)). */
export function buildRotaryCache(maxPositions: number, rotaryDim: number, base = 10000): { cos: Tensor; sin: Tensor } {
  if (rotaryDim % 2 !== 0) throw new Error(`buildRotaryCache: rotary dim ${rotaryDim} must be even`);
  const inv = rotaryInverseFrequencies(rotaryDim, base);
  const half = rotaryDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * inv[i];
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos: { data: cos, shape: [maxPositions, half] }, sin: { data: sin, shape: [maxPositions, half] } };
}
