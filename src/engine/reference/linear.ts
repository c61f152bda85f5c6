// A dense (fully connected) layer:  y = x · W + b
//
//   x [..., in]    W [in, out]    b [out]    →    y [..., out]
//
// W is stored input-major ([in, out]), the layout of ONNX MatMul initializers and of
// GPT-2's Conv1D. PyTorch nn.Linear stores [out, in]: transpose it once when loading
// (transposeLastTwo in matmul.ts).

import { matmulInto } from './matmul';
import { Tensor, shapeString } from './tensor';

export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.shape.length !== 2) throw new Error(`linear: weight must be [in, out], got ${shapeString(weight.shape)}`);
  const [inSize, outSize] = weight.shape;
  const xIn = x.shape[x.shape.length - 1];
  if (xIn !== inSize) throw new Error(`linear: input ${shapeString(x.shape)} does not match weight ${shapeString(weight.shape)}`);
  if (bias && bias.data.length !== outSize) throw new Error(`linear: bias ${shapeString(bias.shape)} is not [${outSize}]`);
  const rows = x.data.length / inSize;
  const out = new Float32Array(rows * outSize);
  matmulInto(out, 0, x.data, 0, weight.data, 0, rows, inSize, outSize);
  if (bias) {
    for (let r = 0; r < rows; r++) for (let j = 0; j < outSize; j++) out[r * outSize + j] += bias.data[j];
  }
  return { data: out, shape: [...x.shape.slice(0, -1), outSize] };
}
