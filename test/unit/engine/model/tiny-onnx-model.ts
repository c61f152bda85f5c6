// A minimal but genuine ONNX language model, built with the proto module for the model-folder
// tests: token embedding (Gather) → MatMul with an output matrix → logits, plus one
// self-attention score/Softmax so graphs with and without attention can be told apart.
// Small enough to write into a temp folder per test; nothing big is committed.
import {
  DataLocation,
  DataType,
  arrayToTensorProto,
  encodeModel,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from '../../../../src/engine/onnx/proto';

export interface TinyModelOptions {
  /** Rows of the token embedding (the vocabulary the model was built for). */
  rows: number;
  width?: number;
  /** Include the attention Softmax (default true). */
  attention?: boolean;
  /** Store the embedding in this side file instead of inside the model. */
  externalEmbeddingFile?: string;
}

function node(op: string, inputs: string[], outputs: string[], attribute: NodeProto['attribute'] = []): NodeProto {
  return { op_type: op, input: inputs, output: outputs, name: outputs[0], attribute, metadata_props: [], device_configurations: [] };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
    metadata_props: [],
  };
}

/** Deterministic small weights. */
function weights(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648 - 0.5) * 0.2;
  }
  return out;
}

export interface TinyModel {
  bytes: Uint8Array;
  /** Bytes of the external embedding file, when one was asked for. */
  external?: Uint8Array;
}

export function tinyOnnxModel(options: TinyModelOptions): TinyModel {
  const width = options.width ?? 8;
  const wte = arrayToTensorProto(weights(options.rows * width, 1), [options.rows, width], { name: 'wte.weight' });
  const wOut = arrayToTensorProto(weights(width * options.rows, 2), [width, options.rows], { name: 'lm_head.T' });
  let external: Uint8Array | undefined;
  if (options.externalEmbeddingFile) {
    // The payload moves to a side file; the tensor keeps only where to find it.
    external = wte.raw_data;
    delete wte.raw_data;
    wte.data_location = DataLocation.EXTERNAL;
    wte.external_data = [
      { key: 'location', value: options.externalEmbeddingFile },
      { key: 'offset', value: '0' },
      { key: 'length', value: String(external?.length ?? 0) },
    ];
  }
  const nodes: NodeProto[] = [node('Gather', ['wte.weight', 'input_ids'], ['hidden']), node('MatMul', ['hidden', 'lm_head.T'], ['logits'])];
  const outputs = [valueInfo('logits', DataType.FLOAT, [1, 'seq', options.rows])];
  if (options.attention !== false) {
    nodes.push(node('Transpose', ['hidden'], ['hidden_t'], [{ name: 'perm', type: 7, ints: [0n, 2n, 1n], floats: [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] }]));
    nodes.push(node('MatMul', ['hidden', 'hidden_t'], ['scores']));
    nodes.push(node('Softmax', ['scores'], ['probs']));
    outputs.push(valueInfo('probs', DataType.FLOAT, [1, 'seq', 'seq']));
  }
  const model: ModelProto = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'attention-inspector tests',
    graph: {
      name: 'tiny',
      node: nodes,
      initializer: [wte, wOut],
      sparse_initializer: [],
      input: [valueInfo('input_ids', DataType.INT64, [1, 'seq'])],
      output: outputs,
      value_info: [],
      quantization_annotation: [],
      metadata_props: [],
    },
    metadata_props: [],
    training_info: [],
    functions: [],
    configuration: [],
  };
  return { bytes: encodeModel(model), external };
}
