// ONNX RotaryEmbedding (opset 23): input, cos_cache, sin_cache, position_ids?
// attributes interleaved (0), num_heads (3-D input), rotary_embedding_dim (0 = full).

import { getIntAttribute } from '../proto/attributes';
import type { NodeProto } from '../proto/types';
import { applyRotaryEmbedding } from '../../reference/rotary-embedding';
import { OpInputs, OpOutputs, fromTensor, required, toNumbers, toTensor } from './op-values';

export function runRotaryEmbedding(node: NodeProto, inputs: OpInputs): OpOutputs {
  const X = required(inputs, 0, node, 'input');
  const cos = toTensor(required(inputs, 1, node, 'cos_cache'), 'RotaryEmbedding cos_cache');
  const sin = toTensor(required(inputs, 2, node, 'sin_cache'), 'RotaryEmbedding sin_cache');
  const ids = inputs[3];
  const y = applyRotaryEmbedding(toTensor(X, 'RotaryEmbedding input'), cos, sin, {
    interleaved: getIntAttribute(node, 'interleaved', 0) !== 0,
    numHeads: getIntAttribute(node, 'num_heads', 0) || undefined,
    rotaryDim: getIntAttribute(node, 'rotary_embedding_dim', 0),
    positionIds: ids ? { data: toNumbers(ids), shape: ids.dims } : undefined,
  });
  return [fromTensor(y, X.dataType)];
}
