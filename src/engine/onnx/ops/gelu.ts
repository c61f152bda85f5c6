// ONNX Gelu (opset 20): approximate = "none" (erf, exact) | "tanh".

import { getStringAttribute } from '../proto/attributes';
import type { NodeProto } from '../proto/types';
import { gelu } from '../../reference/gelu';
import { OpInputs, OpOutputs, fromTensor, required, toTensor } from './op-values';

export function runGelu(node: NodeProto, inputs: OpInputs): OpOutputs {
  const X = required(inputs, 0, node, 'X');
  const approximate = getStringAttribute(node, 'approximate', 'none');
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new Error(`Gelu: approximate must be "none" or "tanh", got "${approximate}"`);
  }
  return [fromTensor(gelu(toTensor(X, 'Gelu X'), approximate), X.dataType)];
}
