// Layer normalization (Ba et al. 2016), with ONNX LayerNormalization semantics:
//
//   mean    μ   = mean(X[row])                     over axes [axis, rank)
//   var     σ²  = mean((X[row] − μ)²)              (biased: divide by N, not N − 1)
//   InvStdDev   = 1 / √(σ² + ε)
//   Y           = (X − μ) · InvStdDev · scale + bias
//
// scale and bias broadcast against X by the numpy rules (usually they have the
// normalised shape X.shape[axis:]). Mean and InvStdDev have X's shape with the
// normalised axes set to 1. Statistics are computed in float64 (ONNX stash_type = 1
// asks for at least float32; higher precision only reduces rounding).

import { broadcastTo } from './broadcast';
import { normalizationLayout } from './normalization-axes';
import { Tensor } from './tensor';

export interface LayerNormOptions {
  /** First normalised axis; default −1 (the last). */
  axis?: number;
  /** Added to the variance; default 1e-5. */
  epsilon?: number;
}

export interface LayerNormResult {
  output: Tensor;
  mean: Tensor;
  invStdDev: Tensor;
}

export function layerNorm(x: Tensor, scale?: Tensor, bias?: Tensor, opts: LayerNormOptions = {}): LayerNormResult {
  const { rows, rowSize, statsShape } = normalizationLayout(x.shape, opts.axis ?? -1, 'LayerNormalization');
  const epsilon = opts.epsilon ?? 1e-5;
  const s = scale ? broadcastTo(scale.data, scale.shape, x.shape) : undefined;
  const b = bias ? broadcastTo(bias.data, bias.shape, x.shape) : undefined;
  const out = new Float32Array(x.data.length);
  const means = new Float32Array(rows);
  const invStd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const start = r * rowSize;
    let sum = 0;
    for (let i = 0; i < rowSize; i++) sum += x.data[start + i];
    const mu = sum / rowSize;
    let sq = 0;
    for (let i = 0; i < rowSize; i++) {
      const d = x.data[start + i] - mu;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / rowSize + epsilon);
    means[r] = mu;
    invStd[r] = inv;
    for (let i = 0; i < rowSize; i++) {
      const at = start + i;
      let y = (x.data[at] - mu) * inv;
      if (s) y *= s[at];
      if (b) y += b[at];
      out[at] = y;
    }
  }
  return {
    output: { data: out, shape: [...x.shape] },
    mean: { data: means, shape: statsShape },
    invStdDev: { data: invStd, shape: [...statsShape] },
  };
}
