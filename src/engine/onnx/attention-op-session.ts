// A single ONNX `Attention` node (opset 23) run by onnxruntime-node, kept open for repeated
// calls: the benchmark's point of comparison for the TypeScript kernels.
//
//   graph:  Q [B, Hq, Lq, D], K [B, Hkv, Lk, D], V [B, Hkv, Lk, Dv] → Attention → Y [B, Hq, Lq, Dv]
//
// 4-D inputs mean the head counts are read from the shapes (no q_num_heads/kv_num_heads
// attributes needed); `is_causal` and `scale` are the node's attributes.

import * as ort from 'onnxruntime-node';
import {
  DataType,
  encodeModel,
  makeFloatAttribute,
  makeIntAttribute,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from './proto';

export interface AttentionOpShape {
  batch: number;
  queryHeads: number;
  kvHeads: number;
  queryLength: number;
  keyLength: number;
  headSize: number;
  valueHeadSize?: number;
}

export interface AttentionOpOptions {
  /** Top-left causal masking (ONNX is_causal = 1). */
  causal?: boolean;
  /** Override of 1/√D. */
  scale?: number;
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
}

function valueInfo(name: string, dims: number[]): ValueInfoProto {
  return {
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } },
    metadata_props: [],
  };
}

/** The bytes of a one-node Attention-23 model for these shapes. */
export function attentionOpModel(shape: AttentionOpShape, opts: AttentionOpOptions = {}): Uint8Array {
  const { batch: b, queryHeads: hq, kvHeads: hkv, queryLength: lq, keyLength: lk, headSize: d } = shape;
  const dv = shape.valueHeadSize ?? d;
  const attribute = [makeIntAttribute('is_causal', opts.causal ? 1 : 0)];
  if (opts.scale !== undefined) attribute.push(makeFloatAttribute('scale', opts.scale));
  const node: NodeProto = {
    op_type: 'Attention',
    domain: '',
    name: 'attention',
    input: ['Q', 'K', 'V'],
    output: ['Y'],
    attribute,
    metadata_props: [],
    device_configurations: [],
  };
  const model: ModelProto = {
    ir_version: 10,
    opset_import: [{ domain: '', version: 23 }],
    producer_name: 'attention-inspector bench',
    graph: {
      name: 'attention',
      node: [node],
      initializer: [],
      sparse_initializer: [],
      input: [valueInfo('Q', [b, hq, lq, d]), valueInfo('K', [b, hkv, lk, d]), valueInfo('V', [b, hkv, lk, dv])],
      output: [valueInfo('Y', [b, hq, lq, dv])],
      value_info: [],
      quantization_annotation: [],
      metadata_props: [],
    },
    metadata_props: [],
    training_info: [],
    functions: [],
    configuration: [],
  };
  return encodeModel(model);
}

/** An open onnxruntime session of one Attention node. */
export class AttentionOpSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly shape: AttentionOpShape,
  ) {}

  static async create(shape: AttentionOpShape, opts: AttentionOpOptions = {}): Promise<AttentionOpSession> {
    const session = await ort.InferenceSession.create(attentionOpModel(shape, opts), {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    });
    return new AttentionOpSession(session, shape);
  }

  /** Y for these Q, K, V (flat row-major data in the shapes given at creation). */
  async run(q: Float32Array, k: Float32Array, v: Float32Array): Promise<Float32Array> {
    const { batch: b, queryHeads: hq, kvHeads: hkv, queryLength: lq, keyLength: lk, headSize: d } = this.shape;
    const dv = this.shape.valueHeadSize ?? d;
    const feeds = {
      Q: new ort.Tensor('float32', q, [b, hq, lq, d]),
      K: new ort.Tensor('float32', k, [b, hkv, lk, d]),
      V: new ort.Tensor('float32', v, [b, hkv, lk, dv]),
    };
    const out = await this.session.run(feeds);
    return out.Y.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** onnxruntime-node's version string (for benchmark headers). */
export function onnxRuntimeVersion(): string {
  return ort.env.versions?.common ?? 'unknown';
}
