// Conversions between the proto module's TensorArray (what ONNX files hold) and the
// reference engine's Float32 tensors, plus the shared shape of an operator adaptor.

import { DataType, dataTypeName } from '../proto/data-type';
import type { TensorArray } from '../proto/tensor-data';
import type { NodeProto } from '../proto/types';
import type { Tensor } from '../../reference/tensor';
import type { BoolMask } from '../../reference/masks';

/** Inputs in node order; `undefined` for an omitted optional input (empty name). */
export type OpInputs = ReadonlyArray<TensorArray | undefined>;

export interface OpContext {
  /** Opset version of the default ONNX domain the model imports. */
  opset: number;
}

/** Outputs in node order; `undefined` where the op does not produce an optional output. */
export type OpOutputs = Array<TensorArray | undefined>;

export type OpAdaptor = (node: NodeProto, inputs: OpInputs, context: OpContext) => OpOutputs;

const FLOATING = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE]);

export function isFloating(dataType: number): boolean {
  return FLOATING.has(dataType);
}

/** A required input, with a clear error naming the op and the input when it is missing. */
export function required(inputs: OpInputs, index: number, node: NodeProto, name: string): TensorArray {
  const t = inputs[index];
  if (!t) throw new Error(`${node.op_type}: required input ${index} (${name}) is missing`);
  return t;
}

/** A floating-point TensorArray as a reference Float32 tensor (float64 is narrowed). */
export function toTensor(t: TensorArray, what: string): Tensor {
  if (!isFloating(t.dataType)) throw new Error(`${what}: expected a floating-point tensor, got ${dataTypeName(t.dataType)}`);
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array);
  return { data, shape: t.dims };
}

/** A BOOL TensorArray as a keep-mask. */
export function toBoolMask(t: TensorArray): BoolMask {
  return { data: t.data as Uint8Array, shape: t.dims };
}

/** Integer tensor values as plain numbers (int64 via Number). */
export function toNumbers(t: TensorArray): number[] {
  if (Array.isArray(t.data)) throw new Error('expected numbers, got strings');
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** A reference tensor as a TensorArray of the given (floating) element type. */
export function fromTensor(t: Tensor, dataType: DataType): TensorArray {
  return { dataType, dims: [...t.shape], data: t.data };
}

/** How many outputs the node asks for (trailing outputs may be omitted or named ''). */
export function wantsOutput(node: NodeProto, index: number): boolean {
  return node.output.length > index && node.output[index] !== '';
}
