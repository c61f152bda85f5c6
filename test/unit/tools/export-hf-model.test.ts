// tools/export-hf-model.py without `transformers`: its export function runs on small PyTorch
// modules shaped like Hugging Face models (test/unit/tools/hf-standins.py: a GQA causal LM, a
// BERT-like base encoder, a BART-like encoder–decoder), and the folders it writes are opened by
// the extension's ONNX engine, which must read back PyTorch's own attention for the same tokens.
// The part that needs transformers (from_pretrained, the Hub) is not exercised here: see the
// script's header.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../src/engine/engine-api';
import { createInProcessEngine } from '../../../src/engine/inspect';
import { validateManifest, type InspectorManifest } from '../../../src/engine/model/inspector-manifest';
import { DataType, decodeModel } from '../../../src/engine/onnx/proto';
import { loadTokenizer } from '../../../src/engine/tokenizer/load-tokenizer';

const ROOT = join(__dirname, '..', '..', '..');
const PYTHON = '/usr/bin/python3';
const DRIVER = join(__dirname, 'hf-standins.py');
const SCRIPT = join(ROOT, 'tools', 'export-hf-model.py');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'models');
const BPE = join(FIXTURES, 'gpt2-fused', 'tokenizer.json');
const WORDPIECE = join(FIXTURES, 'bert-padding', 'tokenizer.json');
const TEXT = 'def area(r):\n    return 3.14 * r * r  # naïve';

type Kind = 'causal-lm' | 'encoder' | 'seq2seq';
type Nested = number[][][]; // [heads][q][k]
interface ExportResult {
  manifest: InspectorManifest;
  attentions: Partial<Record<'self' | 'encoder' | 'cross', Nested[]>>;
}
interface Job {
  name: string;
  kind: Kind;
  tokenizer: string;
  fp16: boolean;
}
const JOBS: Job[] = [
  { name: 'causal', kind: 'causal-lm', tokenizer: BPE, fp16: false },
  { name: 'causal-fp16', kind: 'causal-lm', tokenizer: BPE, fp16: true },
  { name: 'encoder', kind: 'encoder', tokenizer: WORDPIECE, fp16: false },
  { name: 'seq2seq', kind: 'seq2seq', tokenizer: BPE, fp16: false },
];

function torchAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;
}

function python(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Layer = Extract<EngineEvent, { type: 'layer' }>;

async function inspect(modelDir: string, text: string): Promise<EngineEvent[]> {
  const engine = createInProcessEngine('onnx', { threads: 1 });
  const events: EngineEvent[] = [];
  const request: InspectRequest = { runId: 1, text, modelDir, backend: 'onnx', executionProvider: 'cpu', maxTokens: 64 };
  try {
    await engine.inspect(request, (e) => events.push(e));
  } finally {
    await engine.dispose();
  }
  const error = events.find((e) => e.type === 'error');
  assert.equal(error, undefined, error?.type === 'error' ? `${error.message}\n${error.detail ?? ''}` : '');
  return events;
}

function maxAbsDiff(a: Float32Array, expected: Nested): number {
  const flat = expected.flat(2);
  assert.equal(a.length, flat.length, 'same number of weights');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - flat[i]));
  return worst;
}

/** Layers of one kind from the engine, in order, each checked against PyTorch's. */
function compare(events: EngineEvent[], kind: string, expected: Nested[] | undefined, label: string): void {
  assert.ok(expected, `PyTorch gave ${kind} attention for ${label}`);
  const layers = events.filter((e): e is Layer => e.type === 'layer' && e.kind === kind);
  assert.equal(layers.length, expected.length, `${label}: ${kind} modules read by the engine`);
  layers.forEach((layer, i) => {
    const ref = expected[i];
    assert.deepEqual([layer.heads, layer.queryLength, layer.keyLength], [ref.length, ref[0].length, ref[0][0].length], `${label} ${kind} ${i}: shape`);
    const d = maxAbsDiff(layer.weights, ref);
    assert.ok(d <= 1e-4, `${label} ${kind} module ${i}: max |engine − PyTorch| = ${d.toExponential(2)}`);
  });
}

describe('tools/export-hf-model.py (on Hugging Face-shaped PyTorch modules)', function () {
  this.timeout(900_000);
  const hasTorch = torchAvailable();
  let work = '';
  const results = new Map<string, ExportResult>();
  const ids = new Map<string, number[]>();
  const folder = (name: string) => join(work, name);

  before(async function () {
    if (!hasTorch) {
      this.skip(); // reported as pending: /usr/bin/python3 has no torch + onnx
      return;
    }
    work = mkdtempSync(join(tmpdir(), 'export-hf-'));
    for (const tok of [BPE, WORDPIECE]) ids.set(tok, (await (await loadTokenizer(tok)).encode(TEXT)).map((t) => t.id));
    const jobs = JOBS.map((j) => ({ kind: j.kind, out: folder(j.name), tokenizer: j.tokenizer, ids: ids.get(j.tokenizer), fp16: j.fp16 }));
    const jobsFile = join(work, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    const r = python([DRIVER, 'export', jobsFile]);
    assert.equal(r.status, 0, `the export failed:\n${r.stderr}`);
    const parsed = JSON.parse(r.stdout) as ExportResult[];
    JOBS.forEach((j, i) => results.set(j.name, parsed[i]));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes model.onnx, tokenizer.json and an inspector.json whose every field the extension defines', () => {
    for (const j of JOBS) {
      const dir = folder(j.name);
      for (const f of ['model.onnx', 'tokenizer.json', 'inspector.json']) assert.ok(existsSync(join(dir, f)), `${j.name}/${f}`);
      assert.equal(readFileSync(join(dir, 'tokenizer.json'), 'utf8'), readFileSync(j.tokenizer, 'utf8'), `${j.name}: tokenizer.json copied as is`);
      const written = JSON.parse(readFileSync(join(dir, 'inspector.json'), 'utf8')) as unknown;
      const v = validateManifest(written);
      assert.equal(v.problem, undefined, `${j.name}: ${v.problem}`);
      assert.deepEqual(v.unknownFields, [], `${j.name}: fields the extension does not define`);
      assert.deepEqual(written, results.get(j.name)!.manifest, `${j.name}: the file holds what export_model_folder returned`);
    }
  });

  it('names outputs logits + attn_0…attn_{L-1} with dynamic batch and sequence axes, opset ≥ 14', () => {
    const model = decodeModel(readFileSync(join(folder('causal'), 'model.onnx')));
    const graph = model.graph!;
    assert.deepEqual(graph.input.map((i) => i.name), ['input_ids', 'attention_mask']);
    assert.deepEqual(graph.output.map((o) => o.name), ['logits', 'attn_0', 'attn_1']);
    const dims = (name: string) =>
      graph.output.find((o) => o.name === name)!.type!.tensor_type!.shape!.dim.map((d) => d.dim_param || Number(d.dim_value));
    assert.deepEqual(dims('attn_0'), ['batch', 4, 'sequence', 'sequence']);
    assert.deepEqual(dims('logits'), ['batch', 'sequence', 512]);
    const opset = model.opset_import.find((o) => !o.domain)!.version;
    assert.ok(Number(opset) >= 14, `opset ${opset}`);
    for (const o of graph.output) assert.equal(o.type!.tensor_type!.elem_type, DataType.FLOAT, `${o.name} is float32`);
  });

  it('inspector.json of the GQA causal LM says what its config says', () => {
    assert.deepEqual(results.get('causal')!.manifest, {
      name: 'standin-causal-lm',
      causal: true,
      architecture: 'llama',
      layers: 2,
      heads: 4,
      kvHeads: 2,
      dModel: 64,
      contextLength: 64,
      vocabSize: 512,
      activation: 'gelu',
      layerNormEpsilon: 1e-5,
      tiedEmbeddings: true,
      inputIds: 'input_ids',
      attentionMask: 'attention_mask',
      attentionOutputs: ['attn_0', 'attn_1'],
      logitsOutput: 'logits',
      // "<s>" (unk in the stand-in's special-token map) is not in this tokenizer.json: left out
      specialTokens: { bos: '<|endoftext|>', eos: '<|endoftext|>' },
    });
  });

  it('causal LM: the engine reads PyTorch\'s attention for the same tokens from the exported file', async () => {
    const events = await inspect(folder('causal'), TEXT);
    const tokens = events.find((e) => e.type === 'tokens');
    assert.ok(tokens?.type === 'tokens');
    assert.deepEqual(tokens.tokens.map((t) => t.id), ids.get(BPE));
    assert.equal(tokens.model.name, 'standin-causal-lm');
    assert.equal(tokens.model.causal, true);
    assert.equal(tokens.model.route, 'weights');
    compare(events, 'self', results.get('causal')!.attentions.self, 'causal');
    assert.equal(events[events.length - 1].type, 'done');
  });

  it('--fp16 stores the large weights as float16 (about half the file) and the attention stays float32', async () => {
    const plain = decodeModel(readFileSync(join(folder('causal'), 'model.onnx')));
    const half = decodeModel(readFileSync(join(folder('causal-fp16'), 'model.onnx')));
    const count = (m: typeof plain, t: DataType) => m.graph!.initializer.filter((i) => i.data_type === t).length;
    assert.equal(count(plain, DataType.FLOAT16), 0);
    assert.ok(count(half, DataType.FLOAT16) >= 10, `${count(half, DataType.FLOAT16)} float16 initializers`);
    const ratio = statSync(join(folder('causal-fp16'), 'model.onnx')).size / statSync(join(folder('causal'), 'model.onnx')).size;
    assert.ok(ratio < 0.6, `float16 file is ${(ratio * 100).toFixed(0)}% of the float32 one`);
    // Every float16 weight is cast back to float32 before use.
    const casts = half.graph!.node.filter((n) => n.op_type === 'Cast' && n.input[0]?.endsWith('__float16'));
    assert.equal(casts.length, count(half, DataType.FLOAT16));
    // PyTorch's reference here ran with the same float16-rounded weights.
    const events = await inspect(folder('causal-fp16'), TEXT);
    compare(events, 'self', results.get('causal-fp16')!.attentions.self, 'causal fp16');
    // …and those differ from the float32 model's by the rounding, not by nothing.
    const a = results.get('causal')!.attentions.self![1].flat(2);
    const b = results.get('causal-fp16')!.attentions.self![1].flat(2);
    assert.ok(a.some((x, i) => x !== b[i]), 'float16 rounding changed the weights');
  });

  it('base encoder (last_hidden_state, no use_cache argument): bidirectional, [CLS]/[SEP] special tokens', async () => {
    const m = results.get('encoder')!.manifest;
    assert.equal(m.causal, false);
    assert.equal(m.hiddenOutput, 'last_hidden_state');
    assert.equal(m.logitsOutput, undefined);
    assert.equal(m.positionEmbedding, 'learned');
    assert.deepEqual(m.specialTokens, { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', unk: '[UNK]', mask: '[MASK]' });
    const events = await inspect(folder('encoder'), TEXT);
    const tokens = events.find((e) => e.type === 'tokens');
    assert.ok(tokens?.type === 'tokens');
    assert.deepEqual(tokens.tokens.map((t) => t.id), ids.get(WORDPIECE));
    assert.equal(tokens.tokens[0].text, '[CLS]');
    compare(events, 'self', results.get('encoder')!.attentions.self, 'encoder');
    // bidirectional: the first token attends to later ones
    const first = events.find((e): e is Layer => e.type === 'layer')!;
    assert.ok(first.weights[1] > 1e-3, 'weight above the diagonal in a bidirectional model');
  });

  it('encoder–decoder (flags through **kwargs): encoder, decoder self- and cross-attention found by the engine, each equal to PyTorch', async () => {
    const m = results.get('seq2seq')!.manifest;
    assert.equal(m.encoderInputIds, 'input_ids');
    assert.equal(m.decoderInputIds, 'decoder_input_ids');
    assert.equal(m.attentionMask, 'attention_mask');
    assert.equal(m.decoderStartToken, '<|endoftext|>');
    assert.equal(m.attentionOutputs, undefined, 'left to the graph search, which tells the kinds apart');
    const graph = decodeModel(readFileSync(join(folder('seq2seq'), 'model.onnx'))).graph!;
    assert.deepEqual(graph.output.map((o) => o.name), ['logits', 'encoder_attn_0', 'encoder_attn_1', 'attn_0', 'attn_1', 'cross_attn_0', 'cross_attn_1']);
    const events = await inspect(folder('seq2seq'), TEXT);
    const ref = results.get('seq2seq')!.attentions;
    compare(events, 'encoder', ref.encoder, 'seq2seq');
    compare(events, 'self', ref.self, 'seq2seq');
    compare(events, 'cross', ref.cross, 'seq2seq');
    const cross = events.find((e): e is Layer => e.type === 'layer' && e.kind === 'cross')!;
    assert.equal(cross.queryLength, ids.get(BPE)!.length + 1, 'decoder: start token + text');
    assert.equal(cross.keyLength, ids.get(BPE)!.length, 'encoder: the text');
  });
});

describe('tools/export-hf-model.py: inspector.json from real config shapes, and errors', function () {
  this.timeout(300_000);
  const hasTorch = torchAvailable();

  it('build_manifest reads each family\'s own key names (GPT-2, Llama GQA, BERT, T5, Falcon multi-query)', function () {
    if (!hasTorch) this.skip();
    const r = python([DRIVER, 'manifests']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      cases: Record<string, InspectorManifest>;
      layerMismatchError: string | null;
      names: string[];
      encoderNames: string[];
    };
    for (const [name, m] of Object.entries(out.cases)) {
      const v = validateManifest(m);
      assert.equal(v.problem, undefined, `${name}: ${v.problem}`);
      assert.deepEqual(v.unknownFields, [], name);
    }
    const { gpt2, llama, bert, t5 } = out.cases;
    assert.deepEqual(
      [gpt2.causal, gpt2.layers, gpt2.heads, gpt2.dModel, gpt2.contextLength, gpt2.activation, gpt2.positionEmbedding, gpt2.kvHeads],
      [true, 12, 12, 768, 1024, 'gelu_tanh', 'learned', undefined],
    );
    // gpt2's tokenizer here has 4 ids for a config of 50257: the rows are declared padding
    assert.equal(gpt2.embeddingRowsPadded, true);
    assert.deepEqual(gpt2.specialTokens, { bos: '<|endoftext|>', eos: '<|endoftext|>', unk: '<|endoftext|>' });
    assert.deepEqual(
      [llama.causal, llama.heads, llama.kvHeads, llama.positionEmbedding, llama.ropeTheta, llama.layerNormEpsilon, llama.activation, llama.tiedEmbeddings],
      [true, 32, 8, 'rope', 500000, 1e-5, 'silu', false],
    );
    assert.equal(llama.bosAddedByTokenizer, true, 'its post-processor puts <s> first');
    assert.deepEqual(llama.specialTokens, { bos: '<s>', eos: '</s>', unk: '<unk>' }, '<pad> is not in that tokenizer');
    assert.equal(llama.embeddingRowsPadded, undefined);
    assert.deepEqual([bert.causal, bert.hiddenOutput, bert.logitsOutput, bert.positionEmbedding], [false, 'last_hidden_state', undefined, 'learned']);
    assert.deepEqual(
      [t5.causal, t5.layers, t5.heads, t5.dModel, t5.encoderInputIds, t5.decoderInputIds, t5.decoderStartToken, t5.attentionOutputs, t5.inputIds],
      [true, 6, 8, 512, 'input_ids', 'decoder_input_ids', '<pad>', undefined, undefined],
    );
    assert.equal(out.cases['falcon-mqa'].kvHeads, 1);
    assert.match(out.layerMismatchError ?? '', /2 attention tensors for 3 layers/);
    assert.deepEqual(out.names, ['attn_0', 'attn_1', 'attn_2']);
    assert.deepEqual(out.encoderNames, ['encoder_attn_0', 'encoder_attn_1']);
  });

  it('without transformers installed: exit status 2 and the pip command, no traceback', function () {
    if (!hasTorch) this.skip();
    const out = mkdtempSync(join(tmpdir(), 'export-hf-missing-'));
    try {
      const r = python([DRIVER, 'main', 'gpt2', out]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /needs the Python package 'transformers'/);
      assert.match(r.stderr, /pip install torch transformers onnx/);
      assert.doesNotMatch(r.stderr, /Traceback/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses an opset below 14 before loading anything', () => {
    const r = spawnSync(PYTHON, [SCRIPT, 'gpt2', join(tmpdir(), 'never-written'), '--opset', '13'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--opset 13 is too old: attention exports need opset 14 or later/);
    assert.equal(existsSync(join(tmpdir(), 'never-written')), false);
  });
});
