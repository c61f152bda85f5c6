// GELU, the Gaussian error linear unit (Hendrycks & Gimpel 2016): x weighted by the
// probability that a standard normal variable is below x.
//
//   exact ('none'):  gelu(x) = x · Φ(x) = ½ · x · (1 + erf(x / √2))
//   tanh approx:     gelu(x) ≈ ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
//
// BERT and GPT-2 were trained with the tanh form; PyTorch's default is exact. ONNX
// Gelu (opset 20) selects with approximate = "none" | "tanh".

import { erf } from './erf';
import { Tensor } from './tensor';

export type GeluApproximation = 'none' | 'tanh';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);

export function geluExact(x: number): number {
  return 0.5 * x * (1 + erf(x * SQRT_HALF));
}

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x)));
}

export function gelu(x: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  const f = approximate === 'tanh' ? geluTanh : geluExact;
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return { data: out, shape: [...x.shape] };
}
