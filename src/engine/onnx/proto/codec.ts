// Binary encode/decode of ONNX messages, on top of protobufjs and our schema.
//
// protobufjs represents int64 as `Long` objects; this module turns them into the
// plain `number`/`bigint` convention documented in types.ts on the way in, and back
// into Long values on the way out, so callers never see Long.

import * as protobuf from 'protobufjs';
import { onnxType } from './schema';
import type { ModelProto, TensorProto, GraphProto, NodeProto } from './types';

/** int64 fields that carry data values and therefore stay `bigint` (exact). */
const BIGINT_FIELDS = new Set([
  'onnx.AttributeProto.i',
  'onnx.AttributeProto.ints',
  'onnx.TensorProto.int64_data',
  'onnx.TensorProto.uint64_data',
  'onnx.IntIntListEntryProto.key',
  'onnx.IntIntListEntryProto.value',
]);

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const UNSIGNED_INT64_TYPES = new Set(['uint64', 'fixed64']);

type Plain = Record<string, unknown>;

function qualifiedFieldName(type: protobuf.Type, field: protobuf.Field): string {
  return `${type.fullName.replace(/^\./, '')}.${field.name}`;
}

/** Walk a plain object of the given message type and rewrite its int64 values. */
function mapInt64Fields(
  type: protobuf.Type,
  obj: Plain,
  convert: (value: unknown, field: protobuf.Field, keepBigint: boolean) => unknown,
): Plain {
  const out: Plain = {};
  for (const key of Object.keys(obj)) out[key] = obj[key];
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    if (value === undefined || value === null) continue;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      out[field.name] = Array.isArray(value)
        ? value.map((v: Plain) => mapInt64Fields(resolved, v, convert))
        : mapInt64Fields(resolved, value as Plain, convert);
    } else if (INT64_TYPES.has(field.type)) {
      const keep = BIGINT_FIELDS.has(qualifiedFieldName(type, field));
      out[field.name] = Array.isArray(value)
        ? value.map((v) => convert(v, field, keep))
        : convert(value, field, keep);
    }
  }
  return out;
}

/** Decoding side: protobufjs gave a decimal string; make it bigint or a safe number. */
function int64FromString(value: unknown, field: protobuf.Field, keepBigint: boolean): number | bigint {
  const big = BigInt(String(value));
  if (keepBigint) return big;
  const n = Number(big);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`ONNX field ${field.fullName} holds ${big}, beyond the exactly representable integers`);
  }
  return n;
}

/** The (low, high) 32-bit halves protobufjs writes for an int64; what its Long holds. */
interface Int64Bits {
  low: number;
  high: number;
  unsigned: boolean;
}

/** Encoding side: number or bigint back to the two's-complement halves protobufjs writes. */
function int64ToBits(value: unknown, field: protobuf.Field): Int64Bits {
  const unsigned = UNSIGNED_INT64_TYPES.has(field.type);
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`ONNX field ${field.fullName}: ${value} is not a safe integer`);
    big = BigInt(value);
  } else if (typeof value === 'string') big = BigInt(value);
  else if (value && typeof value === 'object' && 'low' in value && 'high' in value) {
    const v = value as { low: number; high: number };
    return { low: v.low | 0, high: v.high | 0, unsigned };
  } else throw new Error(`ONNX field ${field.fullName}: ${String(value)} is not an integer`);
  const wrapped = BigInt.asUintN(64, big); // two's complement for negatives
  return {
    low: Number(wrapped & 0xffffffffn) | 0,
    high: Number((wrapped >> 32n) & 0xffffffffn) | 0,
    unsigned,
  };
}

/** Decode any `onnx.<typeName>` message into the plain form of types.ts. */
export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  const type = onnxType(typeName);
  const message = type.decode(bytes);
  const plain = type.toObject(message, {
    longs: String,
    enums: Number,
    arrays: true, // repeated fields always present, possibly empty
    defaults: false, // absent singular fields stay absent (proto2 presence)
    oneofs: false,
  });
  return mapInt64Fields(type, plain, int64FromString) as T;
}

/** Encode a plain message of `onnx.<typeName>` (as in types.ts) to bytes. */
export function encodeMessage(typeName: string, message: object): Uint8Array {
  const type = onnxType(typeName);
  const withLongs = mapInt64Fields(type, message as Plain, (v, f) => int64ToBits(v, f));
  const problem = type.verify(withLongs);
  if (problem) throw new Error(`ONNX ${typeName} cannot be encoded: ${problem}`);
  return type.encode(withLongs).finish();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return decodeMessage<ModelProto>('ModelProto', bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return encodeMessage('ModelProto', model);
}

/** Decode a serialized TensorProto (e.g. the `input_0.pb` files of ONNX node tests). */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return decodeMessage<TensorProto>('TensorProto', bytes);
}

export function encodeTensor(tensor: TensorProto): Uint8Array {
  return encodeMessage('TensorProto', tensor);
}

export function decodeGraph(bytes: Uint8Array): GraphProto {
  return decodeMessage<GraphProto>('GraphProto', bytes);
}

export function encodeGraph(graph: GraphProto): Uint8Array {
  return encodeMessage('GraphProto', graph);
}

export function decodeNode(bytes: Uint8Array): NodeProto {
  return decodeMessage<NodeProto>('NodeProto', bytes);
}

export function encodeNode(node: NodeProto): Uint8Array {
  return encodeMessage('NodeProto', node);
}
