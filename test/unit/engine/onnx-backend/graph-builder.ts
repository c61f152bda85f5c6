// Tiny ONNX graphs built in tests: one or a few nodes around an attention operator, encoded
// with the project's protobuf module.
import {
  DataType,
  arrayToTensorProto,
  encodeModel,
  makeFloatAttribute,
  makeIntAttribute,
  makeIntsAttribute,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../../../../src/engine/onnx/proto';

export function valueInfo(name: string, elemType: DataType, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    metadata_props: [],
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
  };
}

export function node(op: string, inputs: string[], outputs: string[], attrs: AttributeProto[] = [], domain = '', name = ''): NodeProto {
  return { op_type: op, input: inputs, output: outputs, attribute: attrs, domain, name: name || `${op}_${outputs[0]}`, metadata_props: [], device_configurations: [] };
}

export const int = makeIntAttribute;
export const ints = makeIntsAttribute;
export const float = makeFloatAttribute;

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  return arrayToTensorProto(Float32Array.from(values), dims, { name });
}

export function model(parts: {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  opset?: number;
  microsoft?: boolean;
}): ModelProto {
  return {
    ir_version: 10,
    opset_import: [{ domain: '', version: parts.opset ?? 17 }, ...(parts.microsoft ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    producer_name: 'attention-inspector-tests',
    graph: {
      name: 'g',
      node: parts.nodes,
      initializer: parts.initializers ?? [],
      sparse_initializer: [],
      input: parts.inputs,
      output: parts.outputs,
      value_info: [],
      quantization_annotation: [],
      metadata_props: [],
    },
    metadata_props: [],
    training_info: [],
    functions: [],
    configuration: [],
  };
}

export const bytes = encodeModel;

/** Deterministic pseudo-random values in [-1, 1). */
export function randomValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
