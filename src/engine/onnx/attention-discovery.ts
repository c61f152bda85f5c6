// Finding the attention modules of an ONNX graph that does not output its attention.
//
// Decomposed attention (what torch.onnx exports with eager attention) computes
//   S = MatMul(Q, Kᵀ) → [Div | Mul: scale] → [Add | Where: mask] → [Tanh…: softcap] → Softmax → MatMul(·, V)
// so a module's probabilities are the output of a Softmax whose input reaches a MatMul of two
// computed tensors through elementwise ops only, and whose output feeds a MatMul. Walking that
// chain backwards also yields route 2: Q and K are the MatMul's inputs and the chain's ops
// are the exact steps to replay on Q·Kᵀ.
//
// Fused attention (com.microsoft MultiHeadAttention / GroupQueryAttention / Attention, ONNX
// Attention-23) never materialises the probabilities in the graph: for those we read Q and K
// from the operator's inputs and the scale, causal flag and masks from its attributes and
// inputs (route 2), or, for Attention-23, ask the operator for its softmax output.
import type { InspectorManifest } from '../model/inspector-manifest';
import type { AttentionDiscovery, AttentionKind, AttentionSite, Operand, QkSpec, ScoreStep, TensorRef } from './attention-site';
import { GraphIndex } from './graph-index';
import { getFloatAttribute, getIntAttribute, type ModelProto, type NodeProto } from './proto';

/** Elementwise ops allowed between Q·Kᵀ and the Softmax. */
const CHAIN_OPS = new Set(['Div', 'Mul', 'Add', 'Sub', 'Where', 'Tanh', 'Cast', 'Min', 'Max', 'Clip', 'Identity', 'Neg', 'Pow', 'Reshape', 'Transpose']);
/** Ops allowed between the Softmax and the ·V MatMul. */
const AFTER_SOFTMAX = new Set(['Cast', 'Dropout', 'Identity', 'Reshape']);
/** Fused attention operators that neither route can read, with the reason. */
const UNREADABLE_FUSED: Record<string, string> = {
  PackedAttention: 'packs several sequences into one row of tokens',
  PackedMultiHeadAttention: 'packs several sequences into one row of tokens',
  DecoderMaskedMultiHeadAttention: 'is a one-token decoding step over a key/value cache',
  DecoderMaskedSelfAttention: 'is a one-token decoding step over a key/value cache',
  SparseAttention: 'uses a block-sparse layout',
  PagedAttention: 'reads keys and values from a paged cache',
  LongformerAttention: 'mixes local and global attention in one kernel',
  QAttention: 'works on quantized inputs',
  QOrderedAttention: 'works on quantized inputs',
};
const MAX_CHAIN = 12;

export interface DiscoverOptions {
  manifest?: InspectorManifest;
}

export function discoverAttention(model: ModelProto, options: DiscoverOptions = {}): AttentionDiscovery {
  const graph = model.graph;
  const result: AttentionDiscovery = { sites: [], unsupported: [], notes: [] };
  if (!graph) return result;
  const index = new GraphIndex(graph);
  const kinds = kindClassifier(index, options.manifest);
  const opset = model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;

  for (const node of graph.node) {
    const op = node.op_type ?? '';
    const domain = node.domain || 'ai.onnx';
    const label = `${domain === 'ai.onnx' ? '' : domain + '.'}${op}${node.name ? ` '${node.name}'` : ''}`;
    if (node.attribute.some((a) => a.g || a.graphs.length)) {
      if (['If', 'Loop', 'Scan'].includes(op)) result.notes.push(`${label} holds a subgraph; attention inside it is not searched`);
    }
    let site: Omit<AttentionSite, 'index'> | undefined;
    if (op === 'Softmax' && domain === 'ai.onnx') site = softmaxSite(index, node, kinds);
    else if (domain === 'com.microsoft' && op === 'MultiHeadAttention') site = multiHeadAttentionSite(index, node, kinds, label);
    else if (domain === 'com.microsoft' && op === 'GroupQueryAttention') site = groupQueryAttentionSite(index, node, kinds, label);
    else if (domain === 'com.microsoft' && op === 'Attention') site = packedAttentionSite(index, node, kinds, label);
    else if (domain === 'ai.onnx' && op === 'Attention') site = onnxAttentionSite(index, node, kinds, label, opset);
    else if (UNREADABLE_FUSED[op] && (domain === 'com.microsoft' || domain === 'ai.onnx')) {
      result.unsupported.push(`${label} ${UNREADABLE_FUSED[op]}: its attention cannot be read or recomputed`);
    }
    if (site) {
      if (!site.probs && !site.qk) result.unsupported.push(`${label}: ${site.qkProblem ?? 'cannot be read'}`);
      else result.sites.push({ ...site, index: result.sites.length });
    }
  }
  return result;
}

// ---------------------------------------------------------------- self / cross / encoder

/**
 * Self-attention: Q and K derive from the same graph inputs. Cross-attention: they do not
 * (queries from the decoder, keys from the encoder). Encoder self-attention: neither depends
 * on the decoder's input.
 */
function kindClassifier(index: GraphIndex, manifest?: InspectorManifest): (q: string, k: string) => AttentionKind {
  const decoderInput = manifest?.decoderInputIds ?? index.inputNames.find((n) => /decoder_input_ids/.test(n));
  const decoderBit = decoderInput ? index.dependsOn(decoderInput) : 0;
  return (q, k) => {
    const dq = index.dependsOn(q);
    const dk = index.dependsOn(k);
    if (dq !== dk) return 'cross';
    if (decoderBit && (dq & decoderBit) === 0) return 'encoder';
    return 'self';
  };
}

// ---------------------------------------------------------------- decomposed (Softmax)

interface ChainWalk {
  matmul: NodeProto;
  /** Ops from the MatMul's output to the Softmax's input, in graph order. */
  chain: NodeProto[];
}

/** Is this MatMul Q·Kᵀ (two computed inputs), not a projection by a weight matrix? */
function isScoreMatMul(index: GraphIndex, node: NodeProto): boolean {
  if (node.op_type !== 'MatMul' && node.op_type !== 'Einsum') return false;
  const inputs = node.input.filter((i) => i !== '');
  return inputs.length === 2 && inputs.every((i) => !index.isConstant(i));
}

/** Walks back from `tensor` through chain ops to a score MatMul. */
function walkToScores(index: GraphIndex, tensor: string, depth: number): ChainWalk | undefined {
  const node = index.producer.get(tensor);
  if (!node || depth > MAX_CHAIN) return undefined;
  if (isScoreMatMul(index, node)) return { matmul: node, chain: [] };
  if (!CHAIN_OPS.has(node.op_type ?? '') || (node.domain && node.domain !== 'ai.onnx')) return undefined;
  const inputs = node.op_type === 'Where' ? node.input.slice(1) : node.op_type === 'Reshape' ? node.input.slice(0, 1) : node.input;
  for (const input of inputs) {
    if (!input || index.isConstant(input)) continue;
    const found = walkToScores(index, input, depth + 1);
    if (found) return { matmul: found.matmul, chain: [...found.chain, node] };
  }
  return undefined;
}

/** Does the softmax output reach a MatMul (·V) through casts/dropout/reshapes? */
function feedsValueMatMul(index: GraphIndex, tensor: string, depth: number): boolean {
  if (depth > 4) return false;
  return index.consumersOf(tensor).some((n) =>
    n.op_type === 'MatMul' || n.op_type === 'Einsum' ? n.input[0] === tensor || n.input[1] === tensor : AFTER_SOFTMAX.has(n.op_type ?? '') && feedsValueMatMul(index, n.output[0], depth + 1),
  );
}

function operandOf(index: GraphIndex, tensor: string): Operand {
  const value = index.constantValue(tensor);
  return value ? { value } : { tensor };
}

function softmaxSite(index: GraphIndex, softmax: NodeProto, kinds: (q: string, k: string) => AttentionKind): Omit<AttentionSite, 'index'> | undefined {
  const walk = walkToScores(index, softmax.input[0], 0);
  if (!walk || !feedsValueMatMul(index, softmax.output[0], 0)) return undefined;
  const [qName, kName] = walk.matmul.input;
  const site: Omit<AttentionSite, 'index'> = {
    kind: kinds(qName, kName),
    op: 'Softmax',
    node: softmax.name ?? softmax.output[0],
    probs: softmax.output[0],
  };
  const qk = decomposedQk(index, walk, softmax);
  if (typeof qk === 'string') site.qkProblem = qk;
  else site.qk = qk;
  return site;
}

/** The chain between Q·Kᵀ and the softmax as replayable steps, or why it cannot be replayed. */
function decomposedQk(index: GraphIndex, walk: ChainWalk, softmax: NodeProto): QkSpec | string {
  if (walk.matmul.op_type !== 'MatMul') return 'Q·Kᵀ is an Einsum; recomputation reads MatMul inputs only';
  const axis = getIntAttribute(softmax, 'axis', -1);
  const steps: ScoreStep[] = [];
  let path = walk.matmul.output[0];
  for (const node of walk.chain) {
    const op = node.op_type ?? '';
    const other = node.input.filter((i) => i !== '' && i !== path);
    switch (op) {
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Min':
      case 'Max':
      case 'Pow': {
        if (node.input.length !== 2 || node.input[0] === node.input[1]) return `${op} '${node.name}' uses the scores twice`;
        steps.push({ kind: 'binary', op, operand: operandOf(index, other[0]), scoresOnLeft: node.input[0] === path });
        break;
      }
      case 'Where': {
        const [cond, a, b] = node.input;
        if (cond === path || (a === path && b === path)) return `Where '${node.name}' uses the scores as its condition`;
        const scoresWhenTrue = a === path;
        steps.push({ kind: 'where', condition: operandOf(index, cond), other: operandOf(index, scoresWhenTrue ? b : a), scoresWhenTrue });
        break;
      }
      case 'Tanh':
      case 'Neg':
        steps.push({ kind: 'unary', op });
        break;
      case 'Cast':
      case 'Identity':
        break; // precision changes only: the recomputation stays in float32
      case 'Clip': {
        const min = node.input[1] ? index.scalarValue(node.input[1]) : -Infinity;
        const max = node.input[2] ? index.scalarValue(node.input[2]) : Infinity;
        const minAttr = getFloatAttribute(node, 'min');
        const maxAttr = getFloatAttribute(node, 'max');
        if (min === undefined || max === undefined) return `Clip '${node.name}' has computed bounds`;
        steps.push({ kind: 'clip', min: minAttr ?? min, max: maxAttr ?? max });
        break;
      }
      default:
        return `a ${op} ('${node.name}') between Q·Kᵀ and the softmax changes the layout`;
    }
    path = node.output[0];
  }
  // Scales folded into Q or K before the product ((c·Q)·Kᵀ = c·(Q·Kᵀ)) move into the steps,
  // so the Q and K we expose are the ones the model's math names.
  const [qIn, kIn] = walk.matmul.input;
  const q = unscaled(index, qIn);
  const k = unscaled(index, kIn);
  const prefix = [...q.steps, ...k.steps];
  const spec: QkSpec = { q: { tensor: q.tensor, layout: 'rows' }, k: { tensor: k.tensor, layout: 'columns' }, steps: [...prefix, ...steps] };
  if (axis !== -1) spec.softmaxAxis = axis;
  return spec;
}

/** Strips a Mul/Div by a scalar constant off a Q or K tensor, returning it as a score step. */
function unscaled(index: GraphIndex, tensor: string): { tensor: string; steps: ScoreStep[] } {
  const node = index.producer.get(tensor);
  if (!node || (node.op_type !== 'Mul' && node.op_type !== 'Div') || node.input.length !== 2) return { tensor, steps: [] };
  const [a, b] = node.input;
  const cb = index.scalarValue(b);
  const ca = node.op_type === 'Mul' ? index.scalarValue(a) : undefined;
  if (cb !== undefined && !index.isConstant(a)) {
    return { tensor: a, steps: [{ kind: 'binary', op: node.op_type, operand: operandOf(index, b), scoresOnLeft: true }] };
  }
  if (ca !== undefined && !index.isConstant(b)) {
    return { tensor: b, steps: [{ kind: 'binary', op: 'Mul', operand: operandOf(index, a), scoresOnLeft: false }] };
  }
  return { tensor, steps: [] };
}

// ---------------------------------------------------------------- fused operators

function scaleStep(factor: number): ScoreStep {
  return factor > 0 ? { kind: 'scale', factor } : { kind: 'scale' };
}

/** softcap · tanh(S / softcap) as steps. */
function softcapSteps(cap: number): ScoreStep[] {
  if (!(cap > 0)) return [];
  const c = { value: { dataType: 1, dims: [], data: Float32Array.of(cap) } };
  return [
    { kind: 'binary', op: 'Div', operand: c, scoresOnLeft: true },
    { kind: 'unary', op: 'Tanh' },
    { kind: 'binary', op: 'Mul', operand: c, scoresOnLeft: true },
  ];
}

function hiddenRef(tensor: string, heads: number, bias?: { operand: Operand; offset: number }): TensorRef {
  return { tensor, layout: 'hidden', heads, ...(bias ? { bias } : {}) };
}

function multiHeadAttentionSite(index: GraphIndex, node: NodeProto, kinds: (q: string, k: string) => AttentionKind, label: string): Omit<AttentionSite, 'index'> {
  const [query, key, value, bias, keyPadding, attentionBias, pastKey] = node.input;
  const heads = getIntAttribute(node, 'num_heads', 0);
  const base = { kind: kinds(query, key || query), op: 'com.microsoft.MultiHeadAttention', node: node.name ?? label };
  if (!key) return { ...base, qkProblem: 'Q, K and V are packed into one input, which recomputation does not unpack' };
  if (pastKey) return { ...base, qkProblem: 'it reads a key/value cache (past_key)' };
  if (!(heads > 0)) return { ...base, qkProblem: 'it has no num_heads attribute' };
  const steps: ScoreStep[] = [];
  const scale = getFloatAttribute(node, 'scale', 0);
  steps.push(scaleStep(scale));
  if (keyPadding) steps.push({ kind: 'key-padding', operand: operandOf(index, keyPadding), fill: getFloatAttribute(node, 'mask_filter_value', -10000) });
  if (attentionBias) steps.push({ kind: 'binary', op: 'Add', operand: operandOf(index, attentionBias), scoresOnLeft: true });
  if (getIntAttribute(node, 'unidirectional', 0)) steps.push({ kind: 'causal', alignment: 'bottom-right' });
  // The packed bias [3·hidden] is added to the projections: Q gets the first third, K the second.
  const biasOf = (third: number) => (bias ? { operand: operandOf(index, bias), offset: third } : undefined);
  return {
    ...base,
    qk: {
      heads: 'groups',
      q: hiddenRef(query, heads, biasOf(0)),
      k: hiddenRef(key, heads, biasOf(1)),
      steps,
      check: { v: hiddenRef(value, heads, biasOf(2)), output: node.output[0], outputLayout: 'hidden' },
    },
  };
}

function groupQueryAttentionSite(index: GraphIndex, node: NodeProto, kinds: (q: string, k: string) => AttentionKind, label: string): Omit<AttentionSite, 'index'> {
  const [query, key, value, pastKey, , , , cos, sin, positionIds, attentionBias] = node.input;
  const heads = getIntAttribute(node, 'num_heads', 0);
  const kvHeads = getIntAttribute(node, 'kv_num_heads', 0);
  const base = { kind: 'self' as AttentionKind, op: 'com.microsoft.GroupQueryAttention', node: node.name ?? label };
  if (!key) return { ...base, qkProblem: 'Q, K and V are packed into one input, which recomputation does not unpack' };
  if (pastKey && index.producer.has(pastKey)) return { ...base, qkProblem: 'it reads a computed key/value cache' };
  if (positionIds) return { ...base, qkProblem: 'it takes explicit position_ids' };
  if (getIntAttribute(node, 'smooth_softmax', 0)) return { ...base, qkProblem: 'it uses smooth softmax (an extra sink logit)' };
  if (!(heads > 0 && kvHeads > 0)) return { ...base, qkProblem: 'it lacks num_heads/kv_num_heads' };
  const scale = getFloatAttribute(node, 'scale', 0);
  const window = getIntAttribute(node, 'local_window_size', -1);
  const steps: ScoreStep[] = [scaleStep(scale), ...softcapSteps(getFloatAttribute(node, 'softcap', 0))];
  if (attentionBias) steps.push({ kind: 'binary', op: 'Add', operand: operandOf(index, attentionBias), scoresOnLeft: true });
  steps.push({ kind: 'causal', alignment: 'bottom-right', ...(window > 0 ? { window } : {}) });
  const qk: QkSpec = {
    heads: 'groups',
    q: hiddenRef(query, heads),
    k: hiddenRef(key, kvHeads),
    steps,
    check: { v: hiddenRef(value, kvHeads), output: node.output[0], outputLayout: 'hidden' },
  };
  if (getIntAttribute(node, 'do_rotary', 0)) {
    if (!cos || !sin) return { ...base, kind: kinds(query, key), qkProblem: 'do_rotary is set but the cos/sin caches are missing' };
    qk.rotary = { cos: operandOf(index, cos), sin: operandOf(index, sin), interleaved: getIntAttribute(node, 'rotary_interleaved', 0) !== 0 };
  }
  return { ...base, kind: kinds(query, key), qk };
}

/** com.microsoft Attention: the Q/K/V projections happen inside the op (input · weights + bias). */
function packedAttentionSite(index: GraphIndex, node: NodeProto, kinds: (q: string, k: string) => AttentionKind, label: string): Omit<AttentionSite, 'index'> {
  const [input, weights, , , past] = node.input;
  const base = { kind: kinds(input, input), op: 'com.microsoft.Attention', node: node.name ?? label };
  if (past) return { ...base, qkProblem: 'it reads a key/value cache (past)' };
  if (!index.initializers.has(weights)) return { ...base, qkProblem: 'its projection weights are computed, not stored' };
  return {
    ...base,
    qkProblem:
      'the Q and K projections happen inside the operator (com.microsoft Attention packs them with its weights); export the model without ONNX Runtime\'s attention fusion (optimization level "basic") to inspect it',
  };
}

function onnxAttentionSite(index: GraphIndex, node: NodeProto, kinds: (q: string, k: string) => AttentionKind, label: string, opset: number): Omit<AttentionSite, 'index'> {
  const [q, k, v, mask, pastKey] = node.input;
  const base = { kind: kinds(q, k), op: 'Attention', node: node.name ?? label };
  const site: Omit<AttentionSite, 'index'> = { ...base };
  // Route 1: Attention-23 can output its softmax probabilities (qk_matmul_output_mode = 3).
  if (opset >= 23) {
    const existing = node.output[3];
    site.probs = existing || `${node.name || node.output[0]}/attention_probs`;
    site.enableProbsOutput = { node: node.output[0], outputIndex: 3, attribute: 'qk_matmul_output_mode', value: 3 };
  }
  if (pastKey) {
    site.qkProblem = 'it reads a key/value cache (past_key)';
    return site;
  }
  const qHeads = getIntAttribute(node, 'q_num_heads', 0);
  const kvHeads = getIntAttribute(node, 'kv_num_heads', 0);
  const scale = getFloatAttribute(node, 'scale', 0);
  const steps: ScoreStep[] = [scaleStep(scale), ...softcapSteps(getFloatAttribute(node, 'softcap', 0))];
  if (mask) {
    // A bool mask keeps where true; a float mask is added: the tensor's type decides at run time.
    steps.push({ kind: 'mask', operand: operandOf(index, mask) });
  }
  if (getIntAttribute(node, 'is_causal', 0)) steps.push({ kind: 'causal', alignment: 'top-left' });
  const ref = (tensor: string, heads: number): TensorRef => (heads > 0 ? hiddenRef(tensor, heads) : { tensor, layout: 'rows' });
  site.qk = {
    heads: 'groups',
    q: ref(q, qHeads),
    k: ref(k, kvHeads),
    steps,
    check: { v: ref(v, kvHeads), output: node.output[0], outputLayout: qHeads > 0 ? 'hidden' : 'rows' },
  };
  return site;
}
