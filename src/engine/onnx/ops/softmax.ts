// ONNX Softmax. Opset 13+: softmax along the single axis `axis` (default −1).
// Opsets 1–12: the input is viewed as a 2-D matrix [prod(shape[:axis]), prod(shape[axis:])]
// (default axis 1) and each row of that matrix is normalised.
// A row that is entirely −∞ gives NaN, as the operator's formula does (0/0); the
// "fully masked row → zeros" rule belongs to Attention only.

import { getIntAttribute } from '../proto/attributes';
import type { NodeProto } from '../proto/types';
import { softmaxAlongAxis } from '../../reference/softmax';
import { OpContext, OpInputs, OpOutputs, required, toTensor } from './op-values';

export function runSoftmax(node: NodeProto, inputs: OpInputs, context: OpContext): OpOutputs {
  const X = required(inputs, 0, node, 'input');
  const x = toTensor(X, 'Softmax input');
  const rank = x.shape.length;
  if (context.opset >= 13) {
    const axis = getIntAttribute(node, 'axis', -1);
    return [{ dataType: X.dataType, dims: [...x.shape], data: softmaxAlongAxis(x.data, x.shape, axis, 'nan') }];
  }
  let axis = getIntAttribute(node, 'axis', 1);
  if (axis < 0) axis += rank;
  let rows = 1;
  for (let i = 0; i < axis; i++) rows *= x.shape[i];
  const cols = x.data.length / Math.max(rows, 1);
  return [{ dataType: X.dataType, dims: [...x.shape], data: softmaxAlongAxis(x.data, [rows, cols], 1, 'nan') }];
}
