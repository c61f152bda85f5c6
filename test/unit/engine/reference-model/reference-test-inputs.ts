// Shared inputs of the reference-model tests: the twenty texts compared against ONNX Runtime,
// the models they run on, and a way to read every attention tensor out of ONNX Runtime.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFolder } from '../../../../src/engine/model/model-folder';
import { DataType, encodeModel, type ModelProto } from '../../../../src/engine/onnx/proto';
import { runModelOnce } from '../../../../src/engine/onnx/run-single-node';

export const REPO = join(__dirname, '..', '..', '..', '..');
export const GPT2_FUSED = join(REPO, 'test', 'fixtures', 'models', 'gpt2-fused');
export const BUNDLED = join(REPO, 'media', 'models', 'mini-code');

/** Model folders the forward pass is checked on (the bundled model once its files are there). */
export function referenceModelDirs(): string[] {
  return [GPT2_FUSED, BUNDLED].filter((d) => existsSync(join(d, 'model.onnx')) && existsSync(join(d, 'tokenizer.json')));
}

const PROSE =
  'Attention lets every token read from the tokens before it. A head that looks at the previous token ' +
  'is common in the first layer; an induction head finds an earlier copy of the current token and ' +
  'predicts what followed it last time. ';
const CODE = 'def softmax(x):\n    e = [math.exp(v - max(x)) for v in x]\n    s = sum(e)\n    return [v / s for v in e]\n\n';

/**
 * Twenty varied inputs: code, prose, unicode and a repeated sequence, from one token up to
 * 512. `tokens` is the length the text is cut to (after tokenizing), capped by each model's
 * context.
 */
export const REFERENCE_TEXTS: { label: string; text: string; tokens?: number }[] = [
  { label: 'one token', text: 'x', tokens: 1 },
  { label: 'two tokens', text: 'x = y', tokens: 2 },
  { label: 'python call', text: 'print(len(xs))' },
  { label: 'typescript', text: 'const total = items.reduce((a, b) => a + b, 0);\n' },
  { label: 'json', text: '{"layers": 4, "heads": 8, "causal": true}' },
  { label: 'shell', text: 'cd /tmp && ls -la | grep "\\.onnx$"\n' },
  { label: 'english sentence', text: 'The quick brown fox jumps over the lazy dog.' },
  { label: 'accents', text: 'naïve café résumé — façade, Ångström' },
  { label: 'cjk', text: '注意力就是你所需要的一切。日本語のテキスト' },
  { label: 'emoji and zwj', text: 'ship it 🚀 👩‍💻 👨‍👩‍👧 🇫🇷 ok' },
  { label: 'crlf and tabs', text: 'a = 1\r\n\tb = 2\r\n\t\tc = a + b\r\n' },
  { label: 'repeated sequence', text: 'q7 z3 m1 k9 w2 q7 z3 m1 k9 w2 q7 z3 m1 k9 w2' },
  { label: 'prose 48', text: PROSE.repeat(3), tokens: 48 },
  { label: 'code 64', text: CODE.repeat(4), tokens: 64 },
  { label: 'mixed 100', text: (CODE + PROSE + '日本語 🙂 ').repeat(4), tokens: 100 },
  { label: 'prose 128', text: PROSE.repeat(8), tokens: 128 },
  { label: 'code 200', text: CODE.repeat(12), tokens: 200 },
  { label: 'mixed 300', text: (PROSE + CODE + 'naïve 注意 ').repeat(12), tokens: 300 },
  { label: 'code 400', text: CODE.repeat(24), tokens: 400 },
  { label: 'prose 512', text: PROSE.repeat(30), tokens: 512 },
];

/** Token ids of an input for a model: tokenized, cut to the wanted length and the model's context. */
export async function inputIds(folder: ModelFolder, input: { text: string; tokens?: number }, context: number): Promise<number[]> {
  const ids = (await folder.tokenizer.encode(input.text)).map((t) => t.id);
  return ids.slice(0, Math.min(input.tokens ?? ids.length, context));
}

/**
 * Attention tensors by layer, from ONNX Runtime: the declared attention outputs when
 * inspector.json names them, else every Softmax output in graph order (one per layer in these
 * decoders), added as graph outputs to a copy of the model.
 */
export function attentionExposingModel(folder: ModelFolder): { bytes: Uint8Array; names: string[] } {
  const declared = folder.manifest?.attentionOutputs;
  if (declared?.length) return { bytes: folder.modelBytes, names: declared };
  const graph = folder.model.graph;
  if (!graph) throw new Error('no graph');
  const names = graph.node.filter((n) => n.op_type === 'Softmax').map((n) => n.output[0]);
  const copy: ModelProto = {
    ...folder.model,
    graph: {
      ...graph,
      output: [
        ...graph.output,
        ...names.map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } }, metadata_props: [] })),
      ],
    },
  };
  return { bytes: encodeModel(copy), names };
}

export async function onnxRuntimeAttention(bytes: Uint8Array, names: string[], inputName: string, ids: number[]): Promise<{ attention: Float32Array[]; logits?: Float32Array }> {
  const out = await runModelOnce(bytes, {
    [inputName]: { dataType: DataType.INT64, dims: [1, ids.length], data: BigInt64Array.from(ids.map((i) => BigInt(i))) },
  });
  return {
    attention: names.map((n) => out[n].data as Float32Array),
    logits: out.logits ? (out.logits.data as Float32Array) : undefined,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}
