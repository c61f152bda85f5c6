// TensorProto ⇄ typed arrays.
//
// A TensorProto carries its values either in `raw_data` (little-endian bytes, the
// usual form) or in one of the typed repeated fields. Which typed field holds which
// element type is fixed by the ONNX spec:
//   float_data   FLOAT, COMPLEX64
//   int32_data   INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16/BFLOAT16 (as bit patterns)
//   int64_data   INT64
//   uint64_data  UINT32, UINT64
//   double_data  DOUBLE, COMPLEX128
//   string_data  STRING
// float16 and bfloat16 are widened to Float32Array (exactly: every 16-bit value is a
// float32 value); bool becomes a Uint8Array of 0/1.

import { DataType, DataLocation, bytesPerElement, dataTypeName } from './data-type';
import {
  float16BitsToNumber,
  bfloat16BitsToNumber,
  numberToFloat16Bits,
  numberToBfloat16Bits,
} from './float16';
import type { TensorProto } from './types';

export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

export interface TensorArray {
  /** The element type stored in the file (FLOAT16 stays FLOAT16 here even though data is Float32Array). */
  dataType: DataType;
  dims: number[];
  data: TensorValues;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Number of elements of a dims list (a scalar has no dims and one element). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** True when the tensor's payload lives in a separate file (external data). */
export function isExternal(t: TensorProto): boolean {
  return t.data_location === DataLocation.EXTERNAL;
}

/** A copy of `bytes` in a fresh, aligned ArrayBuffer. */
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function decodeRaw(dataType: DataType, raw: Uint8Array, count: number, label: string): TensorValues {
  const width = bytesPerElement(dataType);
  if (width === undefined) throw new Error(`${label}: raw data of type ${dataTypeName(dataType)} is not supported`);
  if (raw.byteLength !== count * width) {
    throw new Error(`${label}: raw_data has ${raw.byteLength} bytes, expected ${count} × ${width}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dataType) {
    case DataType.FLOAT:
      if (littleEndianHost) return new Float32Array(alignedCopy(raw));
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
    case DataType.DOUBLE:
      if (littleEndianHost) return new Float64Array(alignedCopy(raw));
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
    case DataType.FLOAT16: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(view.getUint16(i * 2, true));
      return out;
    }
    case DataType.BFLOAT16: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bfloat16BitsToNumber(view.getUint16(i * 2, true));
      return out;
    }
    case DataType.BOOL: {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = raw[i] !== 0 ? 1 : 0;
      return out;
    }
    case DataType.UINT8:
      return Uint8Array.from(raw);
    case DataType.INT8:
      return new Int8Array(alignedCopy(raw));
    case DataType.INT16:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(i * 2, true));
    case DataType.UINT16:
      return Uint16Array.from({ length: count }, (_, i) => view.getUint16(i * 2, true));
    case DataType.INT32:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
    case DataType.UINT32:
      return Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
    case DataType.INT64: {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
    case DataType.UINT64: {
      const out = new BigUint64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigUint64(i * 8, true);
      return out;
    }
    default:
      throw new Error(`${label}: element type ${dataTypeName(dataType)} is not supported`);
  }
}

function decodeTyped(t: TensorProto, dataType: DataType, count: number, label: string): TensorValues {
  const check = (n: number, fieldName: string): void => {
    if (n !== count) throw new Error(`${label}: ${fieldName} has ${n} values, expected ${count}`);
  };
  switch (dataType) {
    case DataType.FLOAT:
      check(t.float_data.length, 'float_data');
      return Float32Array.from(t.float_data);
    case DataType.DOUBLE:
      check(t.double_data.length, 'double_data');
      return Float64Array.from(t.double_data);
    case DataType.FLOAT16:
      check(t.int32_data.length, 'int32_data');
      return Float32Array.from(t.int32_data, (b) => float16BitsToNumber(b & 0xffff));
    case DataType.BFLOAT16:
      check(t.int32_data.length, 'int32_data');
      return Float32Array.from(t.int32_data, (b) => bfloat16BitsToNumber(b & 0xffff));
    case DataType.BOOL:
      check(t.int32_data.length, 'int32_data');
      return Uint8Array.from(t.int32_data, (b) => (b !== 0 ? 1 : 0));
    case DataType.UINT8:
      check(t.int32_data.length, 'int32_data');
      return Uint8Array.from(t.int32_data);
    case DataType.INT8:
      check(t.int32_data.length, 'int32_data');
      return Int8Array.from(t.int32_data);
    case DataType.INT16:
      check(t.int32_data.length, 'int32_data');
      return Int16Array.from(t.int32_data);
    case DataType.UINT16:
      check(t.int32_data.length, 'int32_data');
      return Uint16Array.from(t.int32_data);
    case DataType.INT32:
      check(t.int32_data.length, 'int32_data');
      return Int32Array.from(t.int32_data);
    case DataType.INT64:
      check(t.int64_data.length, 'int64_data');
      return BigInt64Array.from(t.int64_data);
    case DataType.UINT32:
      check(t.uint64_data.length, 'uint64_data');
      return Uint32Array.from(t.uint64_data, (b) => Number(b));
    case DataType.UINT64:
      check(t.uint64_data.length, 'uint64_data');
      return BigUint64Array.from(t.uint64_data);
    case DataType.STRING:
      check(t.string_data.length, 'string_data');
      return t.string_data.map((b) => new TextDecoder().decode(b));
    default:
      throw new Error(`${label}: element type ${dataTypeName(dataType)} is not supported`);
  }
}

/** The values of a TensorProto as a typed array with its dims and element type. */
export function tensorToArray(t: TensorProto): TensorArray {
  const label = `tensor ${t.name ? `'${t.name}'` : '(unnamed)'}`;
  const dataType = (t.data_type ?? DataType.UNDEFINED) as DataType;
  const dims = [...t.dims];
  const count = elementCount(dims);
  if (isExternal(t) && !t.raw_data) {
    const location = t.external_data.find((e) => e.key === 'location')?.value ?? '?';
    throw new Error(
      `${label} stores its data in the external file '${location}'; ` +
        'load the model with loadExternalData(model, modelDirectory) first',
    );
  }
  if (dataType === DataType.UNDEFINED) throw new Error(`${label} has no data_type`);
  const data =
    t.raw_data !== undefined && dataType !== DataType.STRING
      ? decodeRaw(dataType, t.raw_data, count, label)
      : decodeTyped(t, dataType, count, label);
  return { dataType, dims, data };
}

/** A tensor's values as Float32Array, whatever its floating (or integer) element type. */
export function tensorToFloat32(t: TensorProto): Float32Array {
  const { data } = tensorToArray(t);
  if (data instanceof Float32Array) return data;
  if (Array.isArray(data)) throw new Error(`tensor '${t.name ?? ''}' holds strings, not numbers`);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function rawBytes(dataType: DataType, values: Exclude<TensorValues, string[]>): Uint8Array {
  const count = values.length;
  const width = bytesPerElement(dataType);
  if (width === undefined) throw new Error(`cannot write ${dataTypeName(dataType)} as raw data`);
  const out = new Uint8Array(count * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    switch (dataType) {
      case DataType.FLOAT: view.setFloat32(i * 4, Number(v), true); break;
      case DataType.DOUBLE: view.setFloat64(i * 8, Number(v), true); break;
      case DataType.FLOAT16: view.setUint16(i * 2, numberToFloat16Bits(Number(v)), true); break;
      case DataType.BFLOAT16: view.setUint16(i * 2, numberToBfloat16Bits(Number(v)), true); break;
      case DataType.BOOL: out[i] = Number(v) !== 0 ? 1 : 0; break;
      case DataType.UINT8: view.setUint8(i, Number(v)); break;
      case DataType.INT8: view.setInt8(i, Number(v)); break;
      case DataType.INT16: view.setInt16(i * 2, Number(v), true); break;
      case DataType.UINT16: view.setUint16(i * 2, Number(v), true); break;
      case DataType.INT32: view.setInt32(i * 4, Number(v), true); break;
      case DataType.UINT32: view.setUint32(i * 4, Number(v), true); break;
      case DataType.INT64: view.setBigInt64(i * 8, BigInt(v), true); break;
      case DataType.UINT64: view.setBigUint64(i * 8, BigInt(v), true); break;
      default: throw new Error(`cannot write ${dataTypeName(dataType)} as raw data`);
    }
  }
  return out;
}

/** The natural ONNX element type of a typed array (Uint8Array → UINT8; pass BOOL explicitly). */
export function dataTypeOfArray(values: TensorValues): DataType {
  if (values instanceof Float32Array) return DataType.FLOAT;
  if (values instanceof Float64Array) return DataType.DOUBLE;
  if (values instanceof Int8Array) return DataType.INT8;
  if (values instanceof Uint8Array) return DataType.UINT8;
  if (values instanceof Int16Array) return DataType.INT16;
  if (values instanceof Uint16Array) return DataType.UINT16;
  if (values instanceof Int32Array) return DataType.INT32;
  if (values instanceof Uint32Array) return DataType.UINT32;
  if (values instanceof BigInt64Array) return DataType.INT64;
  if (values instanceof BigUint64Array) return DataType.UINT64;
  return DataType.STRING;
}

/**
 * A TensorProto holding `values` with shape `dims`. The element type defaults to the
 * array's natural type; pass `dataType` to convert (e.g. Float32Array → FLOAT16, or
 * Uint8Array → BOOL). Numbers go to `raw_data` little-endian; strings to string_data.
 */
export function arrayToTensorProto(
  values: TensorValues,
  dims: readonly number[],
  options: { dataType?: DataType; name?: string } = {},
): TensorProto {
  const dataType = options.dataType ?? dataTypeOfArray(values);
  if (values.length !== elementCount(dims)) {
    throw new Error(`arrayToTensorProto: ${values.length} values do not fill dims [${dims.join(', ')}]`);
  }
  const t: TensorProto = {
    dims: [...dims],
    data_type: dataType,
    float_data: [],
    int32_data: [],
    string_data: [],
    int64_data: [],
    external_data: [],
    double_data: [],
    uint64_data: [],
    metadata_props: [],
  };
  if (options.name !== undefined) t.name = options.name;
  if (Array.isArray(values)) {
    if (dataType !== DataType.STRING) throw new Error('arrayToTensorProto: strings need dataType STRING');
    t.string_data = values.map((s) => new TextEncoder().encode(s));
  } else {
    t.raw_data = rawBytes(dataType, values);
  }
  return t;
}
