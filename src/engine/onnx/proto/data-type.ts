// Enumerations of the ONNX format, with the numbers from the ONNX IR specification
// (onnx.proto). They are plain numbers on the wire: `TensorProto.data_type` and
// `TypeProto.Tensor.elem_type` are int32 fields that hold a DataType value.

/** TensorProto.DataType: the element type of a tensor. */
export enum DataType {
  UNDEFINED = 0,
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  COMPLEX64 = 14,
  COMPLEX128 = 15,
  BFLOAT16 = 16,
  FLOAT8E4M3FN = 17,
  FLOAT8E4M3FNUZ = 18,
  FLOAT8E5M2 = 19,
  FLOAT8E5M2FNUZ = 20,
  UINT4 = 21,
  INT4 = 22,
  FLOAT4E2M1 = 23,
  FLOAT8E8M0 = 24,
  UINT2 = 25,
  INT2 = 26,
}

/** AttributeProto.AttributeType: which value field of an attribute is in use. */
export enum AttributeType {
  UNDEFINED = 0,
  FLOAT = 1,
  INT = 2,
  STRING = 3,
  TENSOR = 4,
  GRAPH = 5,
  FLOATS = 6,
  INTS = 7,
  STRINGS = 8,
  TENSORS = 9,
  GRAPHS = 10,
  SPARSE_TENSOR = 11,
  SPARSE_TENSORS = 12,
  TYPE_PROTO = 13,
  TYPE_PROTOS = 14,
}

/** TensorProto.DataLocation: whether the payload is inside the file or in a side file. */
export enum DataLocation {
  DEFAULT = 0,
  EXTERNAL = 1,
}

/** A readable name for a data type number ("FLOAT16", or "DataType(99)" when unknown). */
export function dataTypeName(dataType: number): string {
  return DataType[dataType] ?? `DataType(${dataType})`;
}

/**
 * Bytes per element in `raw_data` for the fixed-width types. Sub-byte types (INT4,
 * UINT4, FLOAT4E2M1, INT2, UINT2) and STRING have no whole-byte width: undefined.
 */
export function bytesPerElement(dataType: number): number | undefined {
  switch (dataType) {
    case DataType.BOOL:
    case DataType.UINT8:
    case DataType.INT8:
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
    case DataType.FLOAT8E8M0:
      return 1;
    case DataType.UINT16:
    case DataType.INT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return 2;
    case DataType.FLOAT:
    case DataType.INT32:
    case DataType.UINT32:
      return 4;
    case DataType.DOUBLE:
    case DataType.INT64:
    case DataType.UINT64:
    case DataType.COMPLEX64:
      return 8;
    case DataType.COMPLEX128:
      return 16;
    default:
      return undefined;
  }
}
