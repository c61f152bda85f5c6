// TypeScript shapes of the decoded ONNX messages. Field names are the snake_case
// names of onnx.proto, so the ONNX specification and Python's `onnx` read the same.
//
// Conventions of this module:
// - Repeated fields are always arrays (empty when absent on the wire).
// - Singular fields are optional: absent means "not present in the file", which is
//   what proto2 presence means; encoding writes back only what is present.
// - int64 fields holding sizes, counts and versions (dims, ir_version, opset version,
//   dim_value, …) are `number` (decoding throws if one exceeds 2^53). int64 fields that
//   hold tensor or attribute *values* (AttributeProto.i/ints, TensorProto.int64_data,
//   uint64_data, IntIntListEntryProto) are `bigint`, because values like INT64_MAX are
//   common there (e.g. Slice ends) and must survive a round trip exactly.
// - bytes fields are Uint8Array.

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: number;
}

export interface TensorSegment {
  begin?: number;
  end?: number;
}

export interface TensorProto {
  dims: number[];
  data_type?: number;
  segment?: TensorSegment;
  float_data: number[];
  int32_data: number[];
  string_data: Uint8Array[];
  int64_data: bigint[];
  name?: string;
  doc_string?: string;
  raw_data?: Uint8Array;
  external_data: StringStringEntryProto[];
  data_location?: number;
  double_data: number[];
  uint64_data: bigint[];
  metadata_props: StringStringEntryProto[];
}

export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims: number[];
}

export interface TensorShapeDimension {
  dim_value?: number;
  dim_param?: string;
  denotation?: string;
}

export interface TensorShapeProto {
  dim: TensorShapeDimension[];
}

export interface TypeProtoTensor {
  elem_type?: number;
  shape?: TensorShapeProto;
}

export interface TypeProto {
  tensor_type?: TypeProtoTensor;
  sequence_type?: { elem_type?: TypeProto };
  map_type?: { key_type?: number; value_type?: TypeProto };
  optional_type?: { elem_type?: TypeProto };
  sparse_tensor_type?: TypeProtoTensor;
  opaque_type?: { domain?: string; name?: string };
  denotation?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
  metadata_props: StringStringEntryProto[];
}

export interface AttributeProto {
  name?: string;
  ref_attr_name?: string;
  doc_string?: string;
  type?: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparse_tensor?: SparseTensorProto;
  tp?: TypeProto;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  sparse_tensors: SparseTensorProto[];
  type_protos: TypeProto[];
}

export interface IntIntListEntryProto {
  key?: bigint;
  value: bigint[];
}

export interface SimpleShardedDimProto {
  dim_value?: number;
  dim_param?: string;
  num_shards?: number;
}

export interface ShardedDimProto {
  axis?: number;
  simple_sharding: SimpleShardedDimProto[];
}

export interface ShardingSpecProto {
  tensor_name?: string;
  device: number[];
  index_to_device_group_map: IntIntListEntryProto[];
  sharded_dim: ShardedDimProto[];
}

export interface NodeDeviceConfigurationProto {
  configuration_id?: string;
  sharding_spec: ShardingSpecProto[];
  pipeline_stage?: number;
}

export interface DeviceConfigurationProto {
  name?: string;
  num_devices?: number;
  device: string[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  overload?: string;
  attribute: AttributeProto[];
  doc_string?: string;
  metadata_props: StringStringEntryProto[];
  device_configurations: NodeDeviceConfigurationProto[];
}

export interface TensorAnnotation {
  tensor_name?: string;
  quant_parameter_tensor_names: StringStringEntryProto[];
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  sparse_initializer: SparseTensorProto[];
  doc_string?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
  quantization_annotation: TensorAnnotation[];
  metadata_props: StringStringEntryProto[];
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initialization_binding: StringStringEntryProto[];
  update_binding: StringStringEntryProto[];
}

export interface FunctionProto {
  name?: string;
  input: string[];
  output: string[];
  attribute: string[];
  attribute_proto: AttributeProto[];
  node: NodeProto[];
  doc_string?: string;
  opset_import: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
  value_info: ValueInfoProto[];
  metadata_props: StringStringEntryProto[];
}

export interface ModelProto {
  ir_version?: number;
  opset_import: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props: StringStringEntryProto[];
  training_info: TrainingInfoProto[];
  functions: FunctionProto[];
  configuration: DeviceConfigurationProto[];
}
