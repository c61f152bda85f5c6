// Finding the attention probabilities inside an ONNX graph that does not output them.
//
// In an exported transformer, each attention module computes
//   scores = MatMul(Q, Kᵀ) → (Div | Mul by a scale) → (Add | Where: mask) → Softmax → MatMul(·, V)
// so a layer's probabilities are the output of a Softmax whose input chain reaches a MatMul
// through only scale/mask/softcap ops, and whose output feeds a MatMul. Such Softmax outputs,
// in node (topological) order, are the layers' attention. Graphs whose attention is one fused
// operator (com.microsoft Attention / MultiHeadAttention / GroupQueryAttention, ONNX
// Attention-23) never materialise the probabilities: those are reported, not guessed.
import type { ModelProto, NodeProto } from './proto';

/** Ops allowed between Q·Kᵀ and the Softmax (scale, mask, softcap, casts, reshapes). */
const BETWEEN = new Set(['Div', 'Mul', 'Add', 'Sub', 'Where', 'Tanh', 'Cast', 'Reshape', 'Transpose', 'Identity', 'Min', 'Max', 'Clip']);
const FUSED = new Set(['Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PackedMultiHeadAttention', 'DecoderMaskedMultiHeadAttention', 'SparseAttention']);

export interface DiscoveredAttention {
  /** Tensor names of the probabilities, one per attention module, in graph order. */
  outputs: string[];
  /** Names of fused attention nodes found (their weights cannot be fetched). */
  fused: string[];
}

export function discoverAttention(model: ModelProto): DiscoveredAttention {
  const graph = model.graph;
  if (!graph) return { outputs: [], fused: [] };
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    for (const o of node.output) producer.set(o, node);
    for (const i of node.input) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(node);
    }
  }
  /** Does `tensor` come from a MatMul through allowed ops (a bounded walk, first inputs)? */
  const fromScoreMatMul = (tensor: string, depth: number): boolean => {
    const node = producer.get(tensor);
    if (!node || depth > 8) return false;
    if (node.op_type === 'MatMul' || node.op_type === 'Einsum') return true;
    if (!BETWEEN.has(node.op_type ?? '')) return false;
    return node.input.some((i) => i !== '' && fromScoreMatMul(i, depth + 1));
  };
  /** Does `tensor` reach a MatMul (·V) through casts/dropout? */
  const toValueMatMul = (tensor: string, depth: number): boolean => {
    if (depth > 4) return false;
    return (consumers.get(tensor) ?? []).some((n) =>
      n.op_type === 'MatMul' || n.op_type === 'Einsum' ? true : ['Cast', 'Dropout', 'Identity'].includes(n.op_type ?? '') && toValueMatMul(n.output[0], depth + 1),
    );
  };
  const outputs: string[] = [];
  const fused: string[] = [];
  for (const node of graph.node) {
    if (FUSED.has(node.op_type ?? '')) fused.push(`${node.domain || 'ai.onnx'}.${node.op_type}${node.name ? ` (${node.name})` : ''}`);
    if (node.op_type !== 'Softmax') continue;
    if (fromScoreMatMul(node.input[0], 0) && toValueMatMul(node.output[0], 0)) outputs.push(node.output[0]);
  }
  return { outputs, fused };
}

/** Names of graph outputs that already hold attention probabilities (by the manifest or by discovery). */
export function exposeAttentionOutputs(model: ModelProto, names: string[]): ModelProto {
  const graph = model.graph!;
  const existing = new Set(graph.output.map((o) => o.name));
  for (const name of names) {
    // No type is given: ONNX Runtime infers the output's element type and shape from its node.
    if (!existing.has(name)) graph.output.push({ name, metadata_props: [] });
  }
  return model;
}

/** A user-facing explanation when no attention can be found. */
export function noAttentionMessage(found: DiscoveredAttention): string {
  if (found.fused.length > 0) {
    return `its attention is computed by fused operators that never output the weights (${found.fused.slice(0, 3).join(', ')}${found.fused.length > 3 ? ', …' : ''}); export the model without fused attention kernels (e.g. attn_implementation="eager")`;
  }
  return 'no Softmax fed by a Q·Kᵀ MatMul was found in the graph; export the model with attention outputs (tools/export-hf-model.py) or name them in inspector.json "attentionOutputs"';
}
