// Running ONNX nodes and small graphs on the TypeScript reference engine.
//
// Only the operators the attention engine implements are known (the registry below);
// anything else is refused with an UnsupportedOpError, never approximated.

import { TensorArray, tensorToArray } from '../proto/tensor-data';
import type { ModelProto, NodeProto } from '../proto/types';
import { runAttention } from './attention';
import { runGelu } from './gelu';
import { runLayerNormalization, runRmsNormalization } from './normalization';
import { OpAdaptor, OpContext } from './op-values';
import { runRotaryEmbedding } from './rotary-embedding';
import { runSoftmax } from './softmax';

/** Reference adaptors by op_type, each with the first opset whose semantics it implements. */
export const referenceOps: Record<string, { since: number; run: OpAdaptor }> = {
  Attention: { since: 23, run: runAttention },
  RotaryEmbedding: { since: 23, run: runRotaryEmbedding },
  Softmax: { since: 1, run: runSoftmax },
  LayerNormalization: { since: 17, run: runLayerNormalization },
  RMSNormalization: { since: 23, run: runRmsNormalization },
  Gelu: { since: 20, run: runGelu },
};

export class UnsupportedOpError extends Error {
  constructor(readonly opType: string, readonly domain: string, detail = '') {
    super(`unsupported op ${domain ? `${domain}::` : ''}${opType}${detail ? ` (${detail})` : ''}`);
  }
}

/** The opset version the model imports for the default ONNX domain. */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry?.version ?? 1;
}

export function runReferenceNode(node: NodeProto, inputs: ReadonlyArray<TensorArray | undefined>, context: OpContext): Array<TensorArray | undefined> {
  const domain = node.domain ?? '';
  const opType = node.op_type ?? '';
  const op = domain === '' || domain === 'ai.onnx' ? referenceOps[opType] : undefined;
  if (!op) throw new UnsupportedOpError(opType, domain);
  if (context.opset < op.since) throw new UnsupportedOpError(opType, domain, `opset ${context.opset} < ${op.since}`);
  return op.run(node, inputs, context);
}

/**
 * Run a whole graph (nodes are topologically ordered in valid ONNX files) on the
 * reference. `feeds` are the graph inputs by name; initializers fill the rest.
 * Returns every graph output by name.
 */
export function runReferenceGraph(model: ModelProto, feeds: Record<string, TensorArray>): Record<string, TensorArray> {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const context: OpContext = { opset: defaultOpset(model) };
  const values = new Map<string, TensorArray>();
  for (const init of graph.initializer) if (init.name) values.set(init.name, tensorToArray(init));
  for (const [name, value] of Object.entries(feeds)) values.set(name, value);
  for (const node of graph.node) {
    const inputs = node.input.map((name) => {
      if (name === '') return undefined;
      const v = values.get(name);
      if (!v) throw new Error(`${node.op_type} '${node.name ?? ''}': input '${name}' has no value`);
      return v;
    });
    const outputs = runReferenceNode(node, inputs, context);
    node.output.forEach((name, i) => {
      if (name === '') return;
      const v = outputs[i];
      if (!v) throw new Error(`${node.op_type}: output ${i} ('${name}') was not produced`);
      values.set(name, v);
    });
  }
  const result: Record<string, TensorArray> = {};
  for (const out of graph.output) {
    const name = out.name ?? '';
    const v = values.get(name);
    if (!v) throw new Error(`graph output '${name}' was not computed`);
    result[name] = v;
  }
  return result;
}
