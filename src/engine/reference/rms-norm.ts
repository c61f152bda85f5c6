// Root-mean-square normalization (Zhang & Sennrich 2019), ONNX RMSNormalization:
//
//   RMS = √( mean(X[row]²) + ε )        over axes [axis, rank)
//   Y   = X / RMS · scale
//
// Unlike LayerNorm there is no mean subtraction and no bias: only the scale of each
// row is normalised. Used by Llama, Mistral, Gemma, T5.

import { broadcastTo } from './broadcast';
import { normalizationLayout } from './normalization-axes';
import { Tensor } from './tensor';

export interface RmsNormOptions {
  /** First normalised axis; default −1. */
  axis?: number;
  /** Added to the mean square; default 1e-5. */
  epsilon?: number;
}

export function rmsNorm(x: Tensor, scale?: Tensor, opts: RmsNormOptions = {}): Tensor {
  const { rows, rowSize } = normalizationLayout(x.shape, opts.axis ?? -1, 'RMSNormalization');
  const epsilon = opts.epsilon ?? 1e-5;
  const s = scale ? broadcastTo(scale.data, scale.shape, x.shape) : undefined;
  const out = new Float32Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    const start = r * rowSize;
    let sq = 0;
    for (let i = 0; i < rowSize; i++) sq += x.data[start + i] * x.data[start + i];
    const invRms = 1 / Math.sqrt(sq / rowSize + epsilon);
    for (let i = 0; i < rowSize; i++) {
      const at = start + i;
      out[at] = s ? x.data[at] * invRms * s[at] : x.data[at] * invRms;
    }
  }
  return { data: out, shape: [...x.shape] };
}
