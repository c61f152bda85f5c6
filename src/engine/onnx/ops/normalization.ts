// ONNX LayerNormalization (opset 17) and RMSNormalization (opset 23).
//   LayerNormalization: X, Scale, B? → Y, Mean?, InvStdDev?   attrs axis (−1), epsilon (1e-5), stash_type (1)
//   RMSNormalization:   X, scale     → Y                      attrs axis (−1), epsilon (1e-5), stash_type (1)
// stash_type picks the precision of the statistics (1 = float32); ours are float64,
// then stored as float32, which is at least as precise. Mean and InvStdDev are
// returned as FLOAT (stash type), the others in X's type.

import { getFloatAttribute, getIntAttribute } from '../proto/attributes';
import { DataType } from '../proto/data-type';
import type { NodeProto } from '../proto/types';
import { layerNorm } from '../../reference/layer-norm';
import { rmsNorm } from '../../reference/rms-norm';
import { OpInputs, OpOutputs, fromTensor, required, toTensor, wantsOutput } from './op-values';

function stashType(node: NodeProto): DataType {
  const t = getIntAttribute(node, 'stash_type', 1);
  if (t !== DataType.FLOAT && t !== DataType.DOUBLE && t !== DataType.FLOAT16 && t !== DataType.BFLOAT16) {
    throw new Error(`${node.op_type}: unsupported stash_type ${t}`);
  }
  return t;
}

export function runLayerNormalization(node: NodeProto, inputs: OpInputs): OpOutputs {
  const X = required(inputs, 0, node, 'X');
  const scale = toTensor(required(inputs, 1, node, 'Scale'), 'LayerNormalization Scale');
  const bias = inputs[2] ? toTensor(inputs[2], 'LayerNormalization B') : undefined;
  const r = layerNorm(toTensor(X, 'LayerNormalization X'), scale, bias, {
    axis: getIntAttribute(node, 'axis', -1),
    epsilon: getFloatAttribute(node, 'epsilon', 1e-5),
  });
  const stash = stashType(node);
  return [
    fromTensor(r.output, X.dataType),
    wantsOutput(node, 1) ? fromTensor(r.mean, stash) : undefined,
    wantsOutput(node, 2) ? fromTensor(r.invStdDev, stash) : undefined,
  ];
}

export function runRmsNormalization(node: NodeProto, inputs: OpInputs): OpOutputs {
  const X = required(inputs, 0, node, 'X');
  const scale = toTensor(required(inputs, 1, node, 'scale'), 'RMSNormalization scale');
  stashType(node);
  const y = rmsNorm(toTensor(X, 'RMSNormalization X'), scale, {
    axis: getIntAttribute(node, 'axis', -1),
    epsilon: getFloatAttribute(node, 'epsilon', 1e-5),
  });
  return [fromTensor(y, X.dataType)];
}
