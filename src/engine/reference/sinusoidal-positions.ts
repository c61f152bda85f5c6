// Sinusoidal position encodings (Vaswani et al., 2017, "Attention Is All You Need" §3.5).
//
// Position pos gets a vector of d numbers, pairs of a sine and a cosine at geometrically
// spaced frequencies ω_i = 1 / base^(2i/d), base = 10000:
//
//   PE[pos, 2i]     = sin(pos · ω_i)
//   PE[pos, 2i + 1] = cos(pos · ω_i)                       i = 0 … ⌈d/2⌉ − 1
//
// The first pair turns fastest (wavelength 2π), the last slowest (wavelength up to
// 2π·base). It is added to the token embeddings before the first layer.
//
// Why it encodes RELATIVE position: for a fixed offset k, PE[pos + k] is PE[pos]
// rotated pair by pair by the angle k·ω_i (a linear map that does not depend on pos),
// and the dot product of two encodings depends only on the offset:
//
//   PE[p] · PE[q] = Σ_i cos((p − q) · ω_i)
//
// (RoPE applies the same rotation to queries and keys instead of adding it to the input.)

import { Tensor } from './tensor';

/** ω_i = base^(−2i/d) for each sin/cos pair. */
export function sinusoidalFrequencies(d: number, base = 10000): Float64Array {
  const pairs = Math.ceil(d / 2);
  const omega = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) omega[i] = Math.pow(base, (-2 * i) / d);
  return omega;
}

/** The [positions, d] table: PE[pos, 2i] = sin(pos·ω_i), PE[pos, 2i+1] = cos(pos·ω_i). */
export function sinusoidalPositions(positions: number, d: number, base = 10000): Tensor {
  if (!Number.isInteger(positions) || positions < 0 || !Number.isInteger(d) || d < 1) {
    throw new Error(`sinusoidal positions: need whole numbers (positions ${positions}, d ${d})`);
  }
  const omega = sinusoidalFrequencies(d, base);
  const out = new Float32Array(positions * d);
  for (let pos = 0; pos < positions; pos++) {
    for (let i = 0; i < omega.length; i++) {
      const angle = pos * omega[i];
      out[pos * d + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < d) out[pos * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return { data: out, shape: [positions, d] };
}

/** PE[p] · PE[q] in closed form: Σ_i cos((p − q)·ω_i) (even d). Depends on p − q only. */
export function sinusoidalDotProduct(offset: number, d: number, base = 10000): number {
  if (d % 2 !== 0) throw new Error('sinusoidalDotProduct: the closed form needs an even d');
  let sum = 0;
  for (const w of sinusoidalFrequencies(d, base)) sum += Math.cos(offset * w);
  return sum;
}
