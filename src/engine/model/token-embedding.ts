// Finding the token-embedding matrix in an ONNX graph, by structure rather than by name: it is
// the 2-D initializer [rows, width] that a Gather node reads with the token ids as indices.
// Exporters name it anything ('wte.weight', 'transformer.wte.weight', 'onnx::Gather_12'), and
// may route the ids or the weights through Cast/Identity nodes first (float16 weights are often
// cast to float32 just before use); we follow those.
import type { GraphProto, NodeProto, TensorProto } from '../onnx/proto';

export interface TokenEmbedding {
  /** Name of the initializer holding the matrix. */
  initializer: string;
  rows: number;
  width: number;
}

const PASS_THROUGH = new Set(['Cast', 'Identity']);

/** The graph input holding token ids: the named one, else the usual names, else the first integer input. */
export function tokenIdsInput(graph: GraphProto, preferred?: string): string | undefined {
  const names = graph.input.map((i) => i.name ?? '');
  if (preferred && names.includes(preferred)) return preferred;
  for (const n of ['input_ids', 'decoder_input_ids', 'encoder_input_ids', 'ids', 'tokens']) if (names.includes(n)) return n;
  const INT64 = 7;
  const INT32 = 6;
  return graph.input.find((i) => {
    const t = i.type?.tensor_type?.elem_type;
    return t === INT64 || t === INT32;
  })?.name;
}

export function findTokenEmbedding(graph: GraphProto, idsInput: string): TokenEmbedding | undefined {
  const initializers = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name ?? '', t]));
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    for (const out of node.output) producer.set(out, node);
    for (const inp of node.input) {
      const list = consumers.get(inp);
      if (list) list.push(node);
      else consumers.set(inp, [node]);
    }
  }
  // The initializer behind a value, looking through casts.
  const initializerOf = (value: string): TensorProto | undefined => {
    for (let depth = 0; depth < 4; depth++) {
      const t = initializers.get(value);
      if (t) return t;
      const p = producer.get(value);
      if (!p || !PASS_THROUGH.has(p.op_type ?? '')) return undefined;
      value = p.input[0];
    }
    return undefined;
  };
  // Values carrying the token ids: the input and whatever only casts it.
  const idValues = [idsInput];
  for (let i = 0; i < idValues.length && i < 8; i++) {
    for (const c of consumers.get(idValues[i]) ?? []) {
      if (PASS_THROUGH.has(c.op_type ?? '')) idValues.push(c.output[0]);
    }
  }
  for (const value of idValues) {
    for (const c of consumers.get(value) ?? []) {
      if (c.op_type !== 'Gather' || c.input[1] !== value) continue;
      const t = initializerOf(c.input[0]);
      if (t && t.dims.length === 2) return { initializer: t.name ?? '', rows: t.dims[0], width: t.dims[1] };
    }
  }
  return undefined;
}
