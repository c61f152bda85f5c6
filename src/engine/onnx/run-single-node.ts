// Run a (small) ONNX model once with onnxruntime-node, exchanging data in the
// TensorArray form of the proto module. Used by the conformance runner and tests to
// compare onnxruntime against the TypeScript reference on the same files.

import * as ort from 'onnxruntime-node';
import { DataType, dataTypeName } from './proto/data-type';
import { float16BitsToNumber, numberToFloat16Bits } from './proto/float16';
import type { TensorArray } from './proto/tensor-data';

/** Our TensorArray → an ort.Tensor (float16 goes in as its bit patterns). */
export function toOrtTensor(t: TensorArray): ort.Tensor {
  const dims = t.dims;
  const d = t.data;
  switch (t.dataType) {
    case DataType.FLOAT: return new ort.Tensor('float32', d as Float32Array, dims);
    case DataType.DOUBLE: return new ort.Tensor('float64', d as Float64Array, dims);
    case DataType.FLOAT16: {
      const src = d as Float32Array;
      const bits = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) bits[i] = numberToFloat16Bits(src[i]);
      return new ort.Tensor('float16', bits, dims);
    }
    case DataType.BOOL: return new ort.Tensor('bool', d as Uint8Array, dims);
    case DataType.INT64: return new ort.Tensor('int64', d as BigInt64Array, dims);
    case DataType.INT32: return new ort.Tensor('int32', d as Int32Array, dims);
    case DataType.UINT8: return new ort.Tensor('uint8', d as Uint8Array, dims);
    case DataType.INT8: return new ort.Tensor('int8', d as Int8Array, dims);
    case DataType.INT16: return new ort.Tensor('int16', d as Int16Array, dims);
    case DataType.UINT16: return new ort.Tensor('uint16', d as Uint16Array, dims);
    case DataType.UINT32: return new ort.Tensor('uint32', d as Uint32Array, dims);
    case DataType.UINT64: return new ort.Tensor('uint64', d as BigUint64Array, dims);
    case DataType.STRING: return new ort.Tensor('string', d as string[], dims);
    default: throw new Error(`onnxruntime-node input of type ${dataTypeName(t.dataType)} is not supported here`);
  }
}

/** An ort.Tensor → our TensorArray (float16 is widened to Float32Array). */
export function fromOrtTensor(t: ort.Tensor): TensorArray {
  const dims = [...t.dims];
  switch (t.type) {
    case 'float32': return { dataType: DataType.FLOAT, dims, data: t.data as Float32Array };
    case 'float64': return { dataType: DataType.DOUBLE, dims, data: t.data as Float64Array };
    case 'float16': {
      const src = t.data as unknown as ArrayLike<number>;
      const out = new Float32Array(src.length);
      // Uint16Array of bit patterns in Node 20/22; a real Float16Array where the runtime has one.
      const isBits = src instanceof Uint16Array;
      for (let i = 0; i < src.length; i++) out[i] = isBits ? float16BitsToNumber(src[i]) : src[i];
      return { dataType: DataType.FLOAT16, dims, data: out };
    }
    case 'bool': return { dataType: DataType.BOOL, dims, data: t.data as Uint8Array };
    case 'int64': return { dataType: DataType.INT64, dims, data: t.data as BigInt64Array };
    case 'int32': return { dataType: DataType.INT32, dims, data: t.data as Int32Array };
    case 'uint8': return { dataType: DataType.UINT8, dims, data: t.data as Uint8Array };
    case 'int8': return { dataType: DataType.INT8, dims, data: t.data as Int8Array };
    default: throw new Error(`onnxruntime-node output of type ${t.type} is not supported here`);
  }
}

export interface SingleRunOptions {
  /** Intra-op threads (default 1: predictable, and fair next to the single-threaded reference). */
  threads?: number;
}

/**
 * Load `modelBytes` into a fresh CPU session, feed `inputs` (by graph input name) and
 * return every graph output by name. The session is released before returning.
 */
export async function runModelOnce(
  modelBytes: Uint8Array,
  inputs: Record<string, TensorArray>,
  options: SingleRunOptions = {},
): Promise<Record<string, TensorArray>> {
  const session = await ort.InferenceSession.create(modelBytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'disabled', // run the op itself, not a fused rewrite of it
    logSeverityLevel: 3,
  });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrtTensor(t);
    const results = await session.run(feeds);
    const out: Record<string, TensorArray> = {};
    for (const name of session.outputNames) out[name] = fromOrtTensor(results[name]);
    return out;
  } finally {
    await session.release();
  }
}
