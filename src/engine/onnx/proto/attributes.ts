// Reading and writing node attributes.
//
// An AttributeProto holds exactly one value field; `type` says which. Integer values
// are int64 on the wire (bigint in our decoded form) and come back from the getters
// as plain numbers, which is exact for every value an operator attribute realistically
// holds (|v| ≤ 2^53); INT64_MAX-style sentinels become 9223372036854775807 as a float,
// still larger than any real dimension. Use `attr.i` directly when exactness matters.

import { AttributeType } from './data-type';
import type { AttributeProto, GraphProto, NodeProto, SparseTensorProto, TensorProto, TypeProto } from './types';

export type AttributeValue =
  | number
  | string
  | TensorProto
  | GraphProto
  | SparseTensorProto
  | TypeProto
  | number[]
  | string[]
  | TensorProto[]
  | GraphProto[]
  | SparseTensorProto[]
  | TypeProto[];

const utf8 = new TextDecoder();

export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

/** The attribute's type, inferred from the filled field for IR v1 files that lack `type`. */
export function attributeType(attr: AttributeProto): AttributeType {
  if (attr.type !== undefined && attr.type !== AttributeType.UNDEFINED) return attr.type;
  if (attr.f !== undefined) return AttributeType.FLOAT;
  if (attr.i !== undefined) return AttributeType.INT;
  if (attr.s !== undefined) return AttributeType.STRING;
  if (attr.t !== undefined) return AttributeType.TENSOR;
  if (attr.g !== undefined) return AttributeType.GRAPH;
  if (attr.sparse_tensor !== undefined) return AttributeType.SPARSE_TENSOR;
  if (attr.tp !== undefined) return AttributeType.TYPE_PROTO;
  if (attr.floats.length) return AttributeType.FLOATS;
  if (attr.ints.length) return AttributeType.INTS;
  if (attr.strings.length) return AttributeType.STRINGS;
  if (attr.tensors.length) return AttributeType.TENSORS;
  if (attr.graphs.length) return AttributeType.GRAPHS;
  if (attr.sparse_tensors.length) return AttributeType.SPARSE_TENSORS;
  if (attr.type_protos.length) return AttributeType.TYPE_PROTOS;
  return AttributeType.UNDEFINED;
}

function required<T>(value: T | undefined, attr: AttributeProto): T {
  if (value === undefined) throw new Error(`attribute '${attr.name}' declares a type but has no value`);
  return value;
}

/** The value an attribute holds, as a plain JS value. */
export function attributeValue(attr: AttributeProto): AttributeValue {
  switch (attributeType(attr)) {
    case AttributeType.FLOAT: return required(attr.f, attr);
    case AttributeType.INT: return Number(required(attr.i, attr));
    case AttributeType.STRING: return utf8.decode(required(attr.s, attr));
    case AttributeType.TENSOR: return required(attr.t, attr);
    case AttributeType.GRAPH: return required(attr.g, attr);
    case AttributeType.SPARSE_TENSOR: return required(attr.sparse_tensor, attr);
    case AttributeType.TYPE_PROTO: return required(attr.tp, attr);
    case AttributeType.FLOATS: return [...attr.floats];
    case AttributeType.INTS: return attr.ints.map(Number);
    case AttributeType.STRINGS: return attr.strings.map((s) => utf8.decode(s));
    case AttributeType.TENSORS: return attr.tensors;
    case AttributeType.GRAPHS: return attr.graphs;
    case AttributeType.SPARSE_TENSORS: return attr.sparse_tensors;
    case AttributeType.TYPE_PROTOS: return attr.type_protos;
    default: throw new Error(`attribute '${attr.name}' has no value`);
  }
}

/** Generic getter: the attribute's value, or `defaultValue` when the node lacks it. */
export function getAttribute<T extends AttributeValue | undefined>(
  node: NodeProto,
  name: string,
  defaultValue: T,
): AttributeValue | T {
  const attr = findAttribute(node, name);
  return attr ? attributeValue(attr) : defaultValue;
}

function typed<T>(node: NodeProto, name: string, defaultValue: T, expected: AttributeType[], what: string): T {
  const attr = findAttribute(node, name);
  if (!attr) return defaultValue;
  const type = attributeType(attr);
  if (!expected.includes(type)) {
    throw new Error(
      `${node.op_type ?? 'node'} '${node.name ?? ''}': attribute '${name}' is ${AttributeType[type]}, expected ${what}`,
    );
  }
  return attributeValue(attr) as T;
}

export function getIntAttribute(node: NodeProto, name: string, defaultValue: number): number;
export function getIntAttribute(node: NodeProto, name: string, defaultValue?: undefined): number | undefined;
export function getIntAttribute(node: NodeProto, name: string, defaultValue?: number): number | undefined {
  return typed(node, name, defaultValue, [AttributeType.INT], 'INT');
}

export function getFloatAttribute(node: NodeProto, name: string, defaultValue: number): number;
export function getFloatAttribute(node: NodeProto, name: string, defaultValue?: undefined): number | undefined;
export function getFloatAttribute(node: NodeProto, name: string, defaultValue?: number): number | undefined {
  return typed(node, name, defaultValue, [AttributeType.FLOAT], 'FLOAT');
}

export function getStringAttribute(node: NodeProto, name: string, defaultValue: string): string;
export function getStringAttribute(node: NodeProto, name: string, defaultValue?: undefined): string | undefined;
export function getStringAttribute(node: NodeProto, name: string, defaultValue?: string): string | undefined {
  return typed(node, name, defaultValue, [AttributeType.STRING], 'STRING');
}

export function getIntsAttribute(node: NodeProto, name: string, defaultValue: number[]): number[];
export function getIntsAttribute(node: NodeProto, name: string, defaultValue?: undefined): number[] | undefined;
export function getIntsAttribute(node: NodeProto, name: string, defaultValue?: number[]): number[] | undefined {
  return typed(node, name, defaultValue, [AttributeType.INTS], 'INTS');
}

export function getFloatsAttribute(node: NodeProto, name: string, defaultValue: number[]): number[];
export function getFloatsAttribute(node: NodeProto, name: string, defaultValue?: undefined): number[] | undefined;
export function getFloatsAttribute(node: NodeProto, name: string, defaultValue?: number[]): number[] | undefined {
  return typed(node, name, defaultValue, [AttributeType.FLOATS], 'FLOATS');
}

export function getTensorAttribute(node: NodeProto, name: string): TensorProto | undefined {
  return typed<TensorProto | undefined>(node, name, undefined, [AttributeType.TENSOR], 'TENSOR');
}

// ---- building attributes (for graph surgery) -------------------------------------

function emptyAttribute(name: string, type: AttributeType): AttributeProto {
  return {
    name,
    type,
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    sparse_tensors: [],
    type_protos: [],
  };
}

export function makeIntAttribute(name: string, value: number | bigint): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.INT), i: BigInt(value) };
}

export function makeFloatAttribute(name: string, value: number): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.FLOAT), f: value };
}

export function makeStringAttribute(name: string, value: string): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.STRING), s: new TextEncoder().encode(value) };
}

export function makeIntsAttribute(name: string, values: ReadonlyArray<number | bigint>): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.INTS), ints: values.map((v) => BigInt(v)) };
}

export function makeFloatsAttribute(name: string, values: readonly number[]): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.FLOATS), floats: [...values] };
}

export function makeTensorAttribute(name: string, value: TensorProto): AttributeProto {
  return { ...emptyAttribute(name, AttributeType.TENSOR), t: value };
}

/** Set (add or replace) an attribute on a node, in place. */
export function setAttribute(node: NodeProto, attr: AttributeProto): void {
  const i = node.attribute.findIndex((a) => a.name === attr.name);
  if (i >= 0) node.attribute[i] = attr;
  else node.attribute.push(attr);
}
