// Build a one-node ONNX model in memory (for cross-checking the reference against
// onnxruntime on cases the shared ONNX tests do not cover).
import { AttributeProto, DataType, ModelProto, NodeProto, TensorArray } from '../../../../src/engine/onnx/proto';

export function singleNodeModel(
  opType: string,
  opset: number,
  inputs: Array<[string, TensorArray] | ''>,
  outputs: Array<[string, DataType] | ''>,
  attributes: AttributeProto[],
): ModelProto {
  const node: NodeProto = {
    input: inputs.map((i) => (i === '' ? '' : i[0])),
    output: outputs.map((o) => (o === '' ? '' : o[0])),
    op_type: opType,
    attribute: attributes,
    metadata_props: [],
    device_configurations: [],
  };
  const valueInfo = (name: string, elemType: number) => ({ name, type: { tensor_type: { elem_type: elemType } }, metadata_props: [] });
  return {
    ir_version: 10,
    opset_import: [{ domain: '', version: opset }],
    metadata_props: [], training_info: [], functions: [], configuration: [],
    graph: {
      name: `${opType}_check`,
      node: [node],
      initializer: [], sparse_initializer: [], value_info: [], quantization_annotation: [], metadata_props: [],
      input: inputs.filter((i): i is [string, TensorArray] => i !== '').map(([n, t]) => valueInfo(n, t.dataType)),
      output: outputs.filter((o): o is [string, DataType] => o !== '').map(([n, t]) => valueInfo(n, t)),
    },
  };
}
