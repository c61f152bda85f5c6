// Graph surgery: make intermediate tensors (attention probabilities, Q, K, mask operands)
// graph outputs, so ONNX Runtime hands them back from a run. The model itself is not changed
// otherwise: an output is only a name ORT must keep; it infers type and shape from the node
// that produces it, so the ValueInfoProto we append carries just the name.
import type { AttentionSite } from './attention-site';
import { setAttribute, makeIntAttribute, type ModelProto, type NodeProto, type ValueInfoProto } from './proto';

export interface SurgeryResult {
  model: ModelProto;
  /** Outputs added, in order. */
  added: string[];
}

/**
 * A copy of `model` (sharing initializers) whose graph also outputs `names`. Sites whose
 * probabilities need an operator's optional output switched on (ONNX Attention-23,
 * qk_matmul_output_mode = 3) get that node output named first.
 */
export function exposeTensors(model: ModelProto, names: readonly string[], sites: readonly AttentionSite[] = []): SurgeryResult {
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const wanted = new Set(names);
  let nodes = graph.node;
  const enable = sites.filter((s) => s.enableProbsOutput && s.probs && wanted.has(s.probs));
  if (enable.length) {
    nodes = graph.node.map((node) => {
      const site = enable.find((s) => s.enableProbsOutput!.node === (node.name ?? '') && (node.op_type === 'Attention'));
      if (!site) return node;
      const { outputIndex, attribute, value } = site.enableProbsOutput!;
      const copy: NodeProto = { ...node, output: [...node.output], attribute: [...node.attribute] };
      while (copy.output.length <= outputIndex) copy.output.push('');
      copy.output[outputIndex] = site.probs!;
      setAttribute(copy, makeIntAttribute(attribute, value));
      return copy;
    });
  }
  const existing = new Set(graph.output.map((o) => o.name));
  const graphInputs = new Set(graph.input.map((i) => i.name));
  const added: string[] = [];
  const outputs: ValueInfoProto[] = [...graph.output];
  for (const name of names) {
    if (existing.has(name) || graphInputs.has(name) || added.includes(name)) continue;
    outputs.push({ name, metadata_props: [] });
    added.push(name);
  }
  return { model: { ...model, graph: { ...graph, node: nodes, output: outputs } }, added };
}
