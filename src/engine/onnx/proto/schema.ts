// The ONNX file format (onnx.proto, IR version 11+) described as a protobufjs
// reflection schema. Field names and numbers are those of the ONNX specification;
// every message and field is listed, so decoding and re-encoding a model keeps all
// of its content (protobufjs drops fields it does not know about).
//
// onnx.proto uses proto2 syntax: singular fields have explicit presence, and repeated
// scalars are written unpacked unless the spec marks them `[packed = true]` (only the
// five bulk data fields of TensorProto are). We mark each top-level type "proto2"
// because protobufjs otherwise treats JSON-defined types as proto3.

import * as protobuf from 'protobufjs';

type Rule = 'repeated' | undefined;

interface FieldJson {
  type: string;
  id: number;
  rule?: 'repeated';
  options?: { packed: boolean };
}

interface TypeJson {
  edition?: string;
  fields: Record<string, FieldJson>;
  oneofs?: Record<string, { oneof: string[] }>;
  nested?: Record<string, TypeJson | EnumJson>;
  reserved?: Array<[number, number] | string>;
}

interface EnumJson {
  edition?: string;
  values: Record<string, number>;
}

/** One field: name → (type, number, repeated?, packed?). */
function field(type: string, id: number, rule?: Rule, packed?: boolean): FieldJson {
  const f: FieldJson = { type, id };
  if (rule) f.rule = rule;
  if (packed !== undefined) f.options = { packed };
  return f;
}
const repeated = (type: string, id: number): FieldJson => field(type, id, 'repeated');
const packed = (type: string, id: number): FieldJson => field(type, id, 'repeated', true);

const proto2 = <T extends TypeJson | EnumJson>(t: T): T => ({ ...t, edition: 'proto2' });

/** The `onnx` package as protobufjs JSON. */
export const onnxSchemaJson = {
  nested: {
    onnx: {
      nested: {
        Version: proto2({
          values: {
            _START_VERSION: 0,
            IR_VERSION_2017_10_10: 1,
            IR_VERSION_2017_10_30: 2,
            IR_VERSION_2017_11_3: 3,
            IR_VERSION_2019_1_22: 4,
            IR_VERSION_2019_3_18: 5,
            IR_VERSION_2019_9_19: 6,
            IR_VERSION_2020_5_8: 7,
            IR_VERSION_2021_7_30: 8,
            IR_VERSION_2023_5_5: 9,
            IR_VERSION_2024_3_25: 10,
            IR_VERSION_2025_05_12: 11,
            IR_VERSION: 12,
          },
        }),
        OperatorStatus: proto2({ values: { EXPERIMENTAL: 0, STABLE: 1 } }),

        AttributeProto: proto2({
          fields: {
            name: field('string', 1),
            ref_attr_name: field('string', 21),
            doc_string: field('string', 13),
            type: field('AttributeType', 20),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            t: field('TensorProto', 5),
            g: field('GraphProto', 6),
            sparse_tensor: field('SparseTensorProto', 22),
            tp: field('TypeProto', 14),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
            sparse_tensors: repeated('SparseTensorProto', 23),
            type_protos: repeated('TypeProto', 15),
          },
          reserved: [[12, 12], [16, 19], 'v'],
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0,
                FLOAT: 1,
                INT: 2,
                STRING: 3,
                TENSOR: 4,
                GRAPH: 5,
                SPARSE_TENSOR: 11,
                TYPE_PROTO: 13,
                FLOATS: 6,
                INTS: 7,
                STRINGS: 8,
                TENSORS: 9,
                GRAPHS: 10,
                SPARSE_TENSORS: 12,
                TYPE_PROTOS: 14,
              },
            },
          },
        }),

        ValueInfoProto: proto2({
          fields: {
            name: field('string', 1),
            type: field('TypeProto', 2),
            doc_string: field('string', 3),
            metadata_props: repeated('StringStringEntryProto', 4),
          },
        }),

        NodeProto: proto2({
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: field('string', 3),
            op_type: field('string', 4),
            domain: field('string', 7),
            overload: field('string', 8),
            attribute: repeated('AttributeProto', 5),
            doc_string: field('string', 6),
            metadata_props: repeated('StringStringEntryProto', 9),
            device_configurations: repeated('NodeDeviceConfigurationProto', 10),
          },
        }),

        IntIntListEntryProto: proto2({
          fields: { key: field('int64', 1), value: repeated('int64', 2) },
        }),

        NodeDeviceConfigurationProto: proto2({
          fields: {
            configuration_id: field('string', 1),
            sharding_spec: repeated('ShardingSpecProto', 2),
            pipeline_stage: field('int32', 3),
          },
        }),

        ShardingSpecProto: proto2({
          fields: {
            tensor_name: field('string', 1),
            device: repeated('int64', 2),
            index_to_device_group_map: repeated('IntIntListEntryProto', 3),
            sharded_dim: repeated('ShardedDimProto', 4),
          },
        }),

        ShardedDimProto: proto2({
          fields: { axis: field('int64', 1), simple_sharding: repeated('SimpleShardedDimProto', 2) },
        }),

        SimpleShardedDimProto: proto2({
          fields: {
            dim_value: field('int64', 1),
            dim_param: field('string', 2),
            num_shards: field('int64', 3),
          },
          oneofs: { dim: { oneof: ['dim_value', 'dim_param'] } },
        }),

        TrainingInfoProto: proto2({
          fields: {
            initialization: field('GraphProto', 1),
            algorithm: field('GraphProto', 2),
            initialization_binding: repeated('StringStringEntryProto', 3),
            update_binding: repeated('StringStringEntryProto', 4),
          },
        }),

        ModelProto: proto2({
          fields: {
            ir_version: field('int64', 1),
            opset_import: repeated('OperatorSetIdProto', 8),
            producer_name: field('string', 2),
            producer_version: field('string', 3),
            domain: field('string', 4),
            model_version: field('int64', 5),
            doc_string: field('string', 6),
            graph: field('GraphProto', 7),
            metadata_props: repeated('StringStringEntryProto', 14),
            training_info: repeated('TrainingInfoProto', 20),
            functions: repeated('FunctionProto', 25),
            configuration: repeated('DeviceConfigurationProto', 26),
          },
        }),

        DeviceConfigurationProto: proto2({
          fields: {
            name: field('string', 1),
            num_devices: field('int32', 2),
            device: repeated('string', 3),
          },
        }),

        StringStringEntryProto: proto2({
          fields: { key: field('string', 1), value: field('string', 2) },
        }),

        TensorAnnotation: proto2({
          fields: {
            tensor_name: field('string', 1),
            quant_parameter_tensor_names: repeated('StringStringEntryProto', 2),
          },
        }),

        GraphProto: proto2({
          fields: {
            node: repeated('NodeProto', 1),
            name: field('string', 2),
            initializer: repeated('TensorProto', 5),
            sparse_initializer: repeated('SparseTensorProto', 15),
            doc_string: field('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            value_info: repeated('ValueInfoProto', 13),
            quantization_annotation: repeated('TensorAnnotation', 14),
            metadata_props: repeated('StringStringEntryProto', 16),
          },
          reserved: [[3, 4], [6, 9], 'ir_version', 'producer_version', 'producer_tag', 'domain'],
        }),

        TensorProto: proto2({
          fields: {
            dims: repeated('int64', 1),
            data_type: field('int32', 2),
            segment: field('Segment', 3),
            float_data: packed('float', 4),
            int32_data: packed('int32', 5),
            string_data: repeated('bytes', 6),
            int64_data: packed('int64', 7),
            name: field('string', 8),
            doc_string: field('string', 12),
            raw_data: field('bytes', 9),
            external_data: repeated('StringStringEntryProto', 13),
            data_location: field('DataLocation', 14),
            double_data: packed('double', 10),
            uint64_data: packed('uint64', 11),
            metadata_props: repeated('StringStringEntryProto', 16),
          },
          nested: {
            Segment: { fields: { begin: field('int64', 1), end: field('int64', 2) } },
            DataLocation: { values: { DEFAULT: 0, EXTERNAL: 1 } },
          },
        }),

        SparseTensorProto: proto2({
          fields: {
            values: field('TensorProto', 1),
            indices: field('TensorProto', 2),
            dims: repeated('int64', 3),
          },
        }),

        TensorShapeProto: proto2({
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: {
              fields: {
                dim_value: field('int64', 1),
                dim_param: field('string', 2),
                denotation: field('string', 3),
              },
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
            },
          },
        }),

        TypeProto: proto2({
          fields: {
            tensor_type: field('Tensor', 1),
            sequence_type: field('Sequence', 4),
            map_type: field('Map', 5),
            optional_type: field('Optional', 9),
            sparse_tensor_type: field('SparseTensor', 8),
            opaque_type: field('Opaque', 7),
            denotation: field('string', 6),
          },
          oneofs: {
            value: {
              oneof: ['tensor_type', 'sequence_type', 'map_type', 'optional_type', 'sparse_tensor_type', 'opaque_type'],
            },
          },
          nested: {
            Tensor: { fields: { elem_type: field('int32', 1), shape: field('TensorShapeProto', 2) } },
            Sequence: { fields: { elem_type: field('TypeProto', 1) } },
            Map: { fields: { key_type: field('int32', 1), value_type: field('TypeProto', 2) } },
            Optional: { fields: { elem_type: field('TypeProto', 1) } },
            SparseTensor: { fields: { elem_type: field('int32', 1), shape: field('TensorShapeProto', 2) } },
            Opaque: { fields: { domain: field('string', 1), name: field('string', 2) } },
          },
        }),

        OperatorSetIdProto: proto2({
          fields: { domain: field('string', 1), version: field('int64', 2) },
        }),

        FunctionProto: proto2({
          fields: {
            name: field('string', 1),
            input: repeated('string', 4),
            output: repeated('string', 5),
            attribute: repeated('string', 6),
            attribute_proto: repeated('AttributeProto', 11),
            node: repeated('NodeProto', 7),
            doc_string: field('string', 8),
            opset_import: repeated('OperatorSetIdProto', 9),
            domain: field('string', 10),
            overload: field('string', 13),
            value_info: repeated('ValueInfoProto', 12),
            metadata_props: repeated('StringStringEntryProto', 14),
          },
          reserved: [[2, 3], 'since_version', 'status'],
        }),
      },
    },
  },
};

let root: protobuf.Root | undefined;

/** The resolved protobufjs root for the `onnx` package (built once). */
export function onnxRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(onnxSchemaJson as protobuf.INamespace);
    root.resolveAll();
  }
  return root;
}

/** A message type of the `onnx` package, e.g. `onnxType('ModelProto')`. */
export function onnxType(name: string): protobuf.Type {
  return onnxRoot().lookupType(`onnx.${name}`);
}
