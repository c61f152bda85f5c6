// Reads the weights of a GPT-style decoder out of an ONNX graph and gives each one its role.
//
// Exporters name initializers unpredictably: the bundled model's recipe names them after the
// PyTorch parameters ('blocks.0.attn.qkv.weight.T'), a plain torch.onnx export leaves the
// transposed Linear weights anonymous ('onnx::MatMul_261'), Hugging Face GPT-2 uses
// 'transformer.h.0.attn.c_attn.weight'. So we go by the graph's structure instead, which every
// such export shares: in execution order, each layer is
//
//   LayerNorm → Linear d→3d (fused Q|K|V; or three Linears d→d) → … → Linear d→d (output projection)
//   LayerNorm → Linear d→h → GELU → Linear h→d
//
// followed by a final LayerNorm and (optionally) the LM head Linear d→V. A "Linear" is a MatMul
// (or Gemm) whose second input is a 2-D initializer, plus the Add of a 1-D initializer bias;
// initializers may sit behind a Cast (float16 weights widened to float32 at run time).
// Anything that does not fit this pattern is refused with a message saying what was found.
import type { InspectorManifest } from '../model/inspector-manifest';
import { findTokenEmbedding, tokenIdsInput } from '../model/token-embedding';
import { getFloatAttribute, getIntAttribute, getStringAttribute, tensorToFloat32, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto';
import type { Tensor } from '../reference/tensor';
import { ropeTablesFromGraph, type RopeTables } from './rope-tables';

export interface LinearWeights {
  /** [in, out]: y = x · weight + bias */
  weight: Tensor;
  bias?: Tensor;
}

export interface LayerNormWeights {
  scale: Tensor;
  bias?: Tensor;
  epsilon: number;
}

/** Q, K and V projections: one fused [d, 3d] Linear (split q | k | v) or three separate ones. */
export type QkvWeights = { fused: LinearWeights } | { q: LinearWeights; k: LinearWeights; v: LinearWeights };

export interface DecoderLayerWeights {
  ln1: LayerNormWeights;
  qkv: QkvWeights;
  proj: LinearWeights;
  ln2: LayerNormWeights;
  fc: LinearWeights;
  fcOut: LinearWeights;
}

export type GeluKind = 'gelu' | 'gelu_tanh';

export interface DecoderWeights {
  /** [V, d] */
  tokenEmbedding: Tensor;
  /** [P, d] learned absolute positions; absent for RoPE models. */
  positionEmbedding?: Tensor;
  layers: DecoderLayerWeights[];
  finalNorm?: LayerNormWeights;
  /** [d, V]; absent when the graph has no LM head we could identify. */
  lmHead?: LinearWeights;
  dModel: number;
  heads: number;
  activation: GeluKind;
  positions: 'learned' | 'rope';
  ropeTheta: number;
  /** RoPE cos/sin tables found in the graph (undefined: compute them per input). */
  ropeTables?: RopeTables;
  causal: boolean;
  /** Longest input the model takes (position table rows, or the manifest's context length). */
  contextLength?: number;
  /** Initializer names by role, for error messages and tests. */
  names: Record<string, string>;
}

/** The graph is not a decoder this reference can run; the message says what differs. */
export class UnsupportedArchitectureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedArchitectureError';
  }
}

const PASS_THROUGH = new Set(['Cast', 'Identity']);

type Step =
  | { kind: 'norm'; node: NodeProto; weights: LayerNormWeights }
  | { kind: 'linear'; node: NodeProto; weights: LinearWeights; inSize: number; outSize: number };

class GraphIndex {
  readonly initializers = new Map<string, TensorProto>();
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly names: Record<string, string> = {};
  private readonly cache = new Map<string, Tensor>();

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) this.initializers.set(t.name ?? '', t);
    for (const node of graph.node) {
      for (const out of node.output) this.producer.set(out, node);
      for (const inp of node.input) {
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
    }
  }

  /** The initializer behind a value (looking through Cast/Identity), or undefined. */
  initializerOf(value: string | undefined): TensorProto | undefined {
    for (let depth = 0; value && depth < 4; depth++) {
      const t = this.initializers.get(value);
      if (t) return t;
      const p = this.producer.get(value);
      if (!p || !PASS_THROUGH.has(p.op_type ?? '')) return undefined;
      value = p.input[0];
    }
    return undefined;
  }

  /** An initializer's values as a float32 tensor (float16 widened exactly), decoded once. */
  tensor(t: TensorProto, role?: string): Tensor {
    const name = t.name ?? '';
    if (role) this.names[role] = name;
    let out = this.cache.get(name);
    if (!out) {
      out = { data: tensorToFloat32(t), shape: [...t.dims] };
      this.cache.set(name, out);
    }
    return out;
  }

  /** A 1-D initializer of length n added to `value` by an Add node, if any. */
  biasAddedTo(value: string, n: number): { bias: TensorProto; add: NodeProto } | undefined {
    for (const c of this.consumers.get(value) ?? []) {
      if (c.op_type !== 'Add') continue;
      const other = c.input[0] === value ? c.input[1] : c.input[0];
      const t = this.initializerOf(other);
      if (t && t.dims.length === 1 && t.dims[0] === n) return { bias: t, add: c };
    }
    return undefined;
  }
}

function transpose2d(t: Tensor): Tensor {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { data: out, shape: [c, r] };
}

/** Norms and Linears of the graph, in execution order. */
function collectSteps(g: GraphIndex): Step[] {
  const steps: Step[] = [];
  for (const node of g.graph.node) {
    const op = node.op_type ?? '';
    if (op === 'LayerNormalization') {
      const scale = g.initializerOf(node.input[1]);
      if (!scale) continue;
      const bias = g.initializerOf(node.input[2]);
      steps.push({
        kind: 'norm',
        node,
        weights: { scale: g.tensor(scale), bias: bias ? g.tensor(bias) : undefined, epsilon: getFloatAttribute(node, 'epsilon', 1e-5) },
      });
    } else if (op === 'MatMul' || op === 'Gemm') {
      const w = g.initializerOf(node.input[1]);
      if (!w || w.dims.length !== 2) continue; // activations × activations (attention scores, A·V)
      let weight = g.tensor(w);
      if (op === 'Gemm' && getIntAttribute(node, 'transB', 0) === 1) weight = transpose2d(weight);
      const [inSize, outSize] = weight.shape;
      let bias: Tensor | undefined;
      const c = op === 'Gemm' ? g.initializerOf(node.input[2]) : undefined;
      if (c) bias = g.tensor(c);
      else {
        const added = g.biasAddedTo(node.output[0], outSize);
        if (added) bias = g.tensor(added.bias);
      }
      steps.push({ kind: 'linear', node, weights: { weight, bias }, inSize, outSize });
    }
  }
  return steps;
}

function shape(s: Step | undefined): string {
  if (!s) return 'nothing';
  return s.kind === 'norm' ? `a LayerNorm ('${s.node.name ?? ''}')` : `a Linear [${s.inSize}, ${s.outSize}] ('${s.node.name ?? ''}')`;
}

function detectActivation(graph: GraphProto, manifest: InspectorManifest | undefined): GeluKind {
  if (manifest?.activation === 'gelu' || manifest?.activation === 'gelu_tanh') return manifest.activation;
  if (manifest?.activation) throw new UnsupportedArchitectureError(`the reference runs GELU MLPs; inspector.json says "${manifest.activation}"`);
  const ops = new Set(graph.node.map((n) => n.op_type));
  const geluNode = graph.node.find((n) => n.op_type === 'Gelu');
  if (geluNode) return getStringAttribute(geluNode, 'approximate', 'none') === 'tanh' ? 'gelu_tanh' : 'gelu';
  if (ops.has('Tanh')) return 'gelu_tanh'; // ½x(1 + tanh(√(2/π)(x + 0.044715x³))) written out
  if (ops.has('Erf')) return 'gelu'; // ½x(1 + erf(x/√2)) written out
  throw new UnsupportedArchitectureError('no GELU (Gelu, Tanh or Erf nodes) found in the MLP; set "activation" in inspector.json');
}

export function readDecoderWeights(model: ModelProto, manifest?: InspectorManifest): DecoderWeights {
  const graph = model.graph;
  if (!graph) throw new UnsupportedArchitectureError('the model has no graph');
  const g = new GraphIndex(graph);
  if (manifest?.encoderInputIds || manifest?.decoderInputIds || manifest?.architecture === 'encoder-decoder') {
    throw new UnsupportedArchitectureError('encoder-decoder models are not run by the reference (decoder-only GPT-style models are)');
  }
  const idsInput = tokenIdsInput(graph, manifest?.inputIds);
  const emb = idsInput ? findTokenEmbedding(graph, idsInput) : undefined;
  if (!emb) throw new UnsupportedArchitectureError('no token embedding (a Gather of the token ids from a 2-D initializer) found');
  const tokenEmbedding = g.tensor(g.initializers.get(emb.initializer) as TensorProto, 'tokenEmbedding');
  const d = emb.width;

  // Learned positions: another Gather from a [P, d] initializer, indexed by positions, not ids.
  let positionEmbedding: Tensor | undefined;
  for (const node of graph.node) {
    if (node.op_type !== 'Gather') continue;
    const t = g.initializerOf(node.input[0]);
    if (!t || t.name === emb.initializer || t.dims.length !== 2 || t.dims[1] !== d) continue;
    positionEmbedding = g.tensor(t, 'positionEmbedding');
    break;
  }
  const positions = positionEmbedding ? 'learned' : manifest?.positionEmbedding === 'rope' ? 'rope' : undefined;
  if (!positions) {
    throw new UnsupportedArchitectureError('no learned position embedding found and inspector.json does not say "positionEmbedding": "rope"');
  }

  const heads = manifest?.heads;
  if (!heads) throw new UnsupportedArchitectureError('inspector.json must give "heads" (the graph does not state the head count plainly)');
  if (d % heads !== 0) throw new UnsupportedArchitectureError(`width ${d} is not divisible by ${heads} heads`);
  if (manifest?.kvHeads && manifest.kvHeads !== heads) throw new UnsupportedArchitectureError('grouped-query attention is not part of this reference decoder');

  const steps = collectSteps(g);
  const layers: DecoderLayerWeights[] = [];
  let i = 0;
  const expect = (what: string, ok: (s: Step | undefined) => boolean): Step => {
    const s = steps[i];
    if (!ok(s)) {
      throw new UnsupportedArchitectureError(
        `layer ${layers.length}: expected ${what}, found ${shape(s)}; the reference runs GPT-style pre-LayerNorm decoders`,
      );
    }
    i++;
    return s as Step;
  };
  const isNorm = (s: Step | undefined) => s?.kind === 'norm';
  const isLinear = (inSize: number, outSize?: number) => (s: Step | undefined) =>
    s?.kind === 'linear' && s.inSize === inSize && (outSize === undefined || s.outSize === outSize);
  const lin = (s: Step) => (s as Extract<Step, { kind: 'linear' }>).weights;
  const norm = (s: Step) => (s as Extract<Step, { kind: 'norm' }>).weights;
  /** A projection must read the LayerNorm right before it (pre-LN wiring). */
  const reads = (s: Step, normStep: Step, what: string) => {
    if (s.node.input[0] !== normStep.node.output[0]) {
      throw new UnsupportedArchitectureError(
        `layer ${layers.length}: ${what} does not read the LayerNorm before it; the reference runs GPT-style pre-LayerNorm decoders`,
      );
    }
  };

  // A layer starts with a LayerNorm followed by a projection of width d (the final norm is not).
  while (isNorm(steps[i]) && steps[i + 1]?.kind === 'linear' && (steps[i + 1] as Extract<Step, { kind: 'linear' }>).outSize !== tokenEmbedding.shape[0]) {
    const ln1Step = expect('the attention LayerNorm', isNorm);
    const ln1 = norm(ln1Step);
    let qkv: QkvWeights;
    if (isLinear(d, 3 * d)(steps[i])) {
      const fused = expect('the fused QKV projection', isLinear(d, 3 * d));
      reads(fused, ln1Step, 'the QKV projection');
      qkv = { fused: lin(fused) };
    } else {
      const q = expect(`the query projection [${d}, ${d}]`, isLinear(d, d));
      const k = expect(`the key projection [${d}, ${d}]`, isLinear(d, d));
      const v = expect(`the value projection [${d}, ${d}]`, isLinear(d, d));
      for (const [step, what] of [[q, 'the query projection'], [k, 'the key projection'], [v, 'the value projection']] as const) reads(step, ln1Step, what);
      qkv = { q: lin(q), k: lin(k), v: lin(v) };
    }
    const proj = lin(expect(`the attention output projection [${d}, ${d}]`, isLinear(d, d)));
    const ln2Step = expect('the MLP LayerNorm', isNorm);
    const ln2 = norm(ln2Step);
    const fcStep = expect(`the MLP input projection [${d}, h]`, isLinear(d));
    reads(fcStep, ln2Step, 'the MLP input projection');
    const hidden = (fcStep as Extract<Step, { kind: 'linear' }>).outSize;
    const fcOut = lin(expect(`the MLP output projection [${hidden}, ${d}]`, isLinear(hidden, d)));
    layers.push({ ln1, qkv, proj, ln2, fc: lin(fcStep), fcOut });
  }
  if (layers.length === 0) throw new UnsupportedArchitectureError(`expected decoder layers, found ${shape(steps[0])} first; the reference runs GPT-style pre-LayerNorm decoders`);
  if (manifest?.layers && manifest.layers !== layers.length) {
    throw new UnsupportedArchitectureError(`found ${layers.length} decoder layers but inspector.json says ${manifest.layers}`);
  }
  const finalNorm = isNorm(steps[i]) ? norm(steps[i++]) : undefined;
  const head = steps[i];
  const lmHead = head?.kind === 'linear' && head.inSize === d && head.outSize === tokenEmbedding.shape[0] ? head.weights : undefined;
  if (lmHead) i++;
  if (i < steps.length) {
    throw new UnsupportedArchitectureError(
      `after ${layers.length} decoder layers and the final LayerNorm the graph goes on with ${shape(steps[i])} ` +
        '(an encoder-decoder or another structure); the reference runs GPT-style pre-LayerNorm decoders',
    );
  }
  // One Softmax per layer when attention is written out (none when a fused kernel hides it).
  const softmaxes = graph.node.filter((n) => n.op_type === 'Softmax').length;
  if (softmaxes !== 0 && softmaxes !== layers.length) {
    throw new UnsupportedArchitectureError(`the graph has ${softmaxes} Softmax nodes for ${layers.length} layers; the reference runs one self-attention per layer`);
  }

  const ropeTables = positions === 'rope' ? ropeTablesFromGraph(graph, d / heads) : undefined;
  return {
    tokenEmbedding,
    positionEmbedding,
    layers,
    finalNorm,
    lmHead,
    dModel: d,
    heads,
    activation: detectActivation(graph, manifest),
    positions,
    ropeTheta: manifest?.ropeTheta ?? 10000,
    ropeTables,
    causal: manifest?.causal ?? true,
    contextLength: positionEmbedding ? positionEmbedding.shape[0] : (ropeTables?.cos.shape[0] ?? manifest?.contextLength),
    names: g.names,
  };
}
