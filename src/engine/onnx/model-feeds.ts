// Inputs for one run of a transformer on one sequence. Token ids go where inspector.json (or
// the model folder's validation) says; every other input is filled by what its name means in
// the common exporters (Hugging Face / Optimum, torch.onnx, ONNX Runtime GenAI):
//   attention_mask        ones (a single sequence has no padding)
//   position_ids          0 … n−1
//   token_type_ids        zeros
//   past_* / cache_*      empty caches (length 0 along the sequence axis)
//   seqlens_k             n − 1 (GroupQueryAttention: last valid key index)
//   total_sequence_length n
// An input we cannot interpret is an error naming it, not a guess.
import * as ort from 'onnxruntime-node';

export interface SequenceIds {
  /** Input name → token ids of the sequence it takes. */
  ids: Map<string, readonly number[]>;
  /** Length of the sequence other per-token inputs follow (the decoder side for encoder–decoder models). */
  length: number;
  /** Per-input lengths for masks named after a side (encoder_attention_mask, decoder_attention_mask). */
  lengthOf?: (inputName: string) => number | undefined;
}

type IntType = 'int64' | 'int32';

function intTensor(type: IntType, values: ArrayLike<number>, dims: number[]): ort.Tensor {
  return type === 'int64'
    ? new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims)
    : new ort.Tensor('int32', Int32Array.from(values), dims);
}

function emptyCache(meta: ort.InferenceSession.ValueMetadata): ort.Tensor {
  if (!meta.isTensor) throw new Error(`input '${meta.name}' is not a tensor`);
  // Fixed axes keep their size; named axes are the batch (1) or a sequence length (0).
  const dims = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : /batch/i.test(String(d)) ? 1 : 0));
  if (dims.length > 0 && !meta.shape.some((d) => /batch/i.test(String(d)))) dims[0] = 1;
  const type = meta.type;
  const size = 0;
  switch (type) {
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(size), dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(size), dims);
    default:
      throw new Error(`cache input '${meta.name}' has type ${type}, which the inspector cannot fill`);
  }
}

export function buildFeeds(inputs: readonly ort.InferenceSession.ValueMetadata[], seq: SequenceIds): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const n = seq.length;
  for (const meta of inputs) {
    const name = meta.name;
    const type: IntType = meta.isTensor && meta.type === 'int32' ? 'int32' : 'int64';
    const ids = seq.ids.get(name);
    if (ids) {
      feeds[name] = intTensor(type, ids, [1, ids.length]);
      continue;
    }
    const len = seq.lengthOf?.(name) ?? n;
    if (/attention_mask|attn_mask|^mask$|padding_mask/i.test(name)) feeds[name] = intTensor(type, new Array<number>(len).fill(1), [1, len]);
    else if (/position_ids|^positions$/i.test(name)) feeds[name] = intTensor(type, Array.from({ length: len }, (_, i) => i), [1, len]);
    else if (/token_type_ids|segment_ids/i.test(name)) feeds[name] = intTensor(type, new Array<number>(len).fill(0), [1, len]);
    else if (/seqlens_k/i.test(name)) feeds[name] = intTensor('int32', [n - 1], [1]);
    else if (/total_sequence_length/i.test(name)) feeds[name] = intTensor('int32', [n], []);
    else if (/past|cache|present/i.test(name)) feeds[name] = emptyCache(meta);
    else {
      throw new Error(
        `the model needs an input '${name}' that the inspector does not know how to fill; name the token ids input in inspector.json ("inputIds", or "encoderInputIds"/"decoderInputIds")`,
      );
    }
  }
  return feeds;
}
