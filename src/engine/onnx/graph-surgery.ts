// Graph surgery: make intermediate tensors (attention probabilities, Q, K, mask operands)
// graph outputs, so ONNX Runtime hands them back from a run. An output is only a name ORT
// must keep; it infers type and shape from the node that produces it, so the
// ValueInfoProto we append carries just the name.
//
// With `only`, the edited graph outputs nothing else and keeps only the nodes those outputs
// need. This matters for memory, not just time: ORT keeps every graph output of a run alive
// until the run ends, fetched or not, so a model that outputs all its layers' probabilities
// holds them all even when a run asks for Q and K only (measured in docs/onnx-backend.md); and
// ORT does not drop nodes whose results nobody uses (the last layer's MLP, the logits).
import type { AttentionSite } from './attention-site';
import { makeIntAttribute, setAttribute, type ModelProto, type NodeProto, type ValueInfoProto } from './proto';

export interface SurgeryOptions {
  /** Output exactly `names` (drop the model's own outputs) and prune nodes and initializers they do not need. */
  only?: boolean;
}

export interface SurgeryResult {
  model: ModelProto;
  /** Outputs added, in order. */
  added: string[];
  /** Nodes removed because no kept output needs them. */
  pruned: number;
}

/**
 * A copy of `model` (sharing tensors) whose graph also outputs `names`. Sites whose
 * probabilities need an operator's optional output switched on (ONNX Attention-23,
 * qk_matmul_output_mode = 3) get that node output named first.
 */
export function exposeTensors(model: ModelProto, names: readonly string[], sites: readonly AttentionSite[] = [], options: SurgeryOptions = {}): SurgeryResult {
  const graph = model.graph;
  if (!graph) throw new Error('the model has no graph');
  const wanted = new Set(names);
  let nodes = graph.node;
  const enable = sites.filter((s) => s.enableProbsOutput && s.probs && wanted.has(s.probs));
  if (enable.length) {
    nodes = graph.node.map((node) => {
      const site = enable.find((s) => s.enableProbsOutput!.node === node.output[0] && node.op_type === 'Attention');
      if (!site) return node;
      const { outputIndex, attribute, value } = site.enableProbsOutput!;
      const copy: NodeProto = { ...node, output: [...node.output], attribute: [...node.attribute] };
      while (copy.output.length <= outputIndex) copy.output.push('');
      copy.output[outputIndex] = site.probs!;
      setAttribute(copy, makeIntAttribute(attribute, value));
      return copy;
    });
  }
  const graphInputs = new Set(graph.input.map((i) => i.name));
  const kept: ValueInfoProto[] = options.only ? [] : [...graph.output];
  const existing = new Set(kept.map((o) => o.name));
  const added: string[] = [];
  for (const name of names) {
    if (existing.has(name) || graphInputs.has(name) || added.includes(name)) continue;
    const declared = graph.output.find((o) => o.name === name);
    kept.push(declared ?? { name, metadata_props: [] });
    added.push(name);
  }
  let initializers = graph.initializer;
  let pruned = 0;
  if (options.only) {
    const needed = neededNodes(nodes, kept.map((o) => o.name ?? ''));
    pruned = nodes.length - needed.length;
    nodes = needed;
    const used = new Set<string>();
    for (const n of nodes) for (const i of n.input) used.add(i);
    for (const o of kept) used.add(o.name ?? '');
    initializers = graph.initializer.filter((t) => used.has(t.name ?? ''));
  }
  // Real inputs stay (an unused input is allowed), so feeds do not depend on pruning; initializers
  // an old-IR model also lists as inputs go with their initializer, or ORT would ask for them.
  const dropped = new Set(graph.initializer.filter((t) => !initializers.includes(t)).map((t) => t.name));
  const inputs = dropped.size ? graph.input.filter((i) => !dropped.has(i.name)) : graph.input;
  return { model: { ...model, graph: { ...graph, node: nodes, output: kept, initializer: initializers, input: inputs } }, added, pruned };
}

/** The nodes (in their original order) that any of `outputs` depends on. */
function neededNodes(nodes: readonly NodeProto[], outputs: readonly string[]): NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const keep = new Uint8Array(nodes.length);
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    const i = producer.get(t);
    if (i === undefined || keep[i]) continue;
    keep[i] = 1;
    for (const input of nodes[i].input) if (input) stack.push(input);
    // Subgraph attributes (If/Loop) may read outer tensors by name.
    for (const a of nodes[i].attribute) for (const g of [a.g, ...a.graphs]) if (g) for (const n of g.node) for (const input of n.input) if (input) stack.push(input);
  }
  return nodes.filter((_, i) => keep[i]);
}
