// Benchmark: end-to-end inspect on the bundled model, ONNX Runtime CPU vs the TypeScript
// reference, and the bytes the panel's first paint needs vs bertviz's head view.
//
// Part 1. Each case (backend × length) runs in a fresh child process (this file, run with
// `--child`), so its peak RSS is its own:
//   node --import tsx tools/bench/suites/inspect.ts --child '{"backend":"onnx","tokens":512,…}'
// The child creates the engine, runs one inspect (cold: model folder read, tokenizer, session,
// the engine's load-time probe, the run), then `warm` more runs with the same engine (what the
// extension's long-lived engine process does from the second run on), and then the head-pattern
// analysis + masking checks of every layer as the panel and the CLI do. It prints one JSON line.
// Peak RSS = process.resourceUsage().maxRSS of the child at the end (Node + tsx included).
//
// The bundled model reads at most 512 tokens (its RoPE tables and causal mask are 512 long),
// so for 2,048 tokens the suite measures a copy whose RoPE tables and causal mask are extended to
// 2,048 positions by the same formulas (checked against the original's first 512 rows), with
// inspector.json's contextLength raised to match. The weights are unchanged; the model was
// never trained past 512 tokens, so its attention there means nothing, but the computation is
// exactly a 2,048-token run of this architecture. The section says so.
//
// Part 2. bertviz's head view (bertviz/head_view.py) embeds `json.dumps(params)` in its HTML,
// where params.attention[0].attn is `attention.tolist()`: nested lists of Python floats, each
// the float64 equal to a float32 weight, printed by repr (shortest round-trip digits).
// We build 12 layers × 12 heads of synthetic softmax rows for n = 512, count the exact bytes of
// that JSON (numbers formatted as Python's repr does; cross-checked against /usr/bin/python3's
// json.dumps on sample rows when it is there), and time JSON.parse on it in Node as a lower bound
// of bertviz's first paint (the browser must at least parse it). The panel's first paint for
// the same weights is what src/panel-model/run-pipeline.ts posts: run/start, one run/layer per
// layer (64×64 uint8 thumbnails of every head + patterns), findings, done; counted as the UTF-8
// JSON of each message (typed arrays replaced by a placeholder, as VS Code's webview transport
// sends ArrayBuffers beside the JSON) plus the typed arrays' bytes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BackendKind, EngineEvent, InspectRequest, TokenSpan } from '../../../src/engine/engine-api';
import { createInProcessEngine } from '../../../src/engine/inspect';
import { mulberry32 } from '../../../src/engine/reference/mulberry32';
import { loadTokenizer } from '../../../src/engine/tokenizer';
import { textOfTokens } from '../bench-text';
import { extendedContextCopy } from '../extended-context-copy';
import { analyzeLayerAttention } from '../../../src/engine/patterns/layer-attention-analysis';
import { RunPipeline } from '../../../src/panel-model/run-pipeline';
import { RunStore } from '../../../src/panel-model/run-store';
import type { HostToPanel } from '../../../src/protocol/panel-messages';

const ROOT = join(__dirname, '..', '..', '..');
const BUNDLED = join(ROOT, 'media', 'models', 'mini-code');
const LENGTHS = [128, 512, 2048];
const ORT_THREADS = 2;
const GOAL_MS_512 = 250;
const GOAL_RSS_2048 = 1e9;

// ------------------------------------------------------------------------------------------------
// Part 1: the child process
// ------------------------------------------------------------------------------------------------

interface ChildSpec {
  backend: BackendKind;
  tokens: number;
  modelDir: string;
  text: string;
  warm: number;
  /** ONNX route: the engine's default ('auto') unless forced. */
  route?: 'auto' | 'weights' | 'qk';
}

interface ChildResult {
  backend: BackendKind;
  tokens: number;
  route?: string;
  provider?: string;
  notes: string[];
  coldMs: number;
  warmMs: number[];
  analysisMs: number;
  layers: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  error?: string;
}

const rss = () => process.resourceUsage().maxRSS * 1024;

async function childMain(spec: ChildSpec): Promise<ChildResult> {
  const baselineRssBytes = rss();
  const engine = createInProcessEngine(spec.backend, { threads: ORT_THREADS, route: spec.route });
  const request: InspectRequest = { runId: 0, text: spec.text, modelDir: spec.modelDir, backend: spec.backend, executionProvider: 'cpu', maxTokens: 1 << 20 };
  let tokens: TokenSpan[] = [];
  let causal = true;
  let route: string | undefined;
  let provider: string | undefined;
  let notes: string[] = [];
  let layerCount = 0;
  let analysisMs = 0;
  // One run. With `analyze`, each layer is analysed as it arrives and then dropped (as the
  // panel's pipeline does); that time is measured apart and taken out of the run's time.
  const once = async (runId: number, analyze: boolean): Promise<number> => {
    let error: string | undefined;
    let inCallback = 0;
    layerCount = 0;
    const t0 = performance.now();
    await engine.inspect({ ...request, runId }, (e: EngineEvent) => {
      if (e.type === 'tokens') {
        tokens = e.tokens;
        causal = e.model.causal;
        route = e.model.route;
        provider = `${e.provider.backend}/${e.provider.provider}`;
        notes = e.model.notes;
      } else if (e.type === 'layer') {
        layerCount++;
        if (analyze) {
          const t = performance.now();
          analyzeLayerAttention(e, tokens, causal);
          inCallback += performance.now() - t;
        }
      } else if (e.type === 'error') error = e.message;
    });
    const total = performance.now() - t0;
    if (error) throw new Error(error);
    if (analyze) analysisMs = inCallback;
    return total - inCallback;
  };
  const result: ChildResult = { backend: spec.backend, tokens: 0, notes: [], coldMs: NaN, warmMs: [], analysisMs: NaN, layers: 0, baselineRssBytes, peakRssBytes: 0 };
  try {
    result.coldMs = await once(1, spec.warm === 0);
    for (let r = 0; r < spec.warm; r++) result.warmMs.push(await once(2 + r, r === spec.warm - 1));
    result.analysisMs = analysisMs;
    result.layers = layerCount;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  await engine.dispose();
  Object.assign(result, { tokens: tokens.length, route, provider, notes, peakRssBytes: rss() });
  return result;
}

function runChild(spec: ChildSpec): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', JSON.stringify(spec)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`inspect bench child (${spec.backend}, ${spec.tokens}) exited ${code}: ${err.slice(-2000)}`));
      }
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Part 1: inputs
// ------------------------------------------------------------------------------------------------


// ------------------------------------------------------------------------------------------------
// Part 2: bertviz bytes vs the panel's first paint
// ------------------------------------------------------------------------------------------------

/** Python's repr() of a float64 (what json.dumps writes): shortest round-trip digits, Python's layout. */
export function pythonFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  const [mantissa, exp] = x.toExponential().split('e'); // shortest digits that round-trip
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const e = Number(exp);
  const decpt = e + 1; // value = 0.d1d2… × 10^decpt
  let body: string;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  } else if (decpt <= 0) body = `0.${'0'.repeat(-decpt)}${digits}`;
  else if (decpt < digits.length) body = `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  else body = `${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return negative ? `-${body}` : body;
}

/** Python json.dumps of a string (ensure_ascii: every non-ASCII UTF-16 unit as \uXXXX). */
function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One row as json.dumps writes a list of floats. */
function pythonRow(values: Float32Array, start: number, n: number): string {
  const parts = new Array<string>(n);
  for (let j = 0; j < n; j++) parts[j] = pythonFloatRepr(values[start + j]);
  return `[${parts.join(', ')}]`;
}

/**
 * Synthetic softmax attention of one bidirectional (BERT-style) layer [heads, n, n], float32:
 * Gaussian scores with a per-head temperature, plus a previous-token, a first-token (sink) or
 * a diagonal bias on some heads, so rows range from flat to peaked like real heads.
 */
function syntheticLayer(layer: number, heads: number, n: number): Float32Array {
  const random = mulberry32(9001 + layer);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = new Float32Array(heads * n * n);
  const row = new Float64Array(n);
  for (let h = 0; h < heads; h++) {
    const sigma = 0.5 + ((h * 7 + layer) % 12) / 3;
    const kind = (h + layer) % 4;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        let s = sigma * gaussian();
        if (kind === 0 && j === i - 1) s += 8;
        else if (kind === 1 && j === 0) s += 8;
        else if (kind === 2 && j === i) s += 6;
        row[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < n; j++) sum += row[j] = Math.exp(row[j] - max);
      const base = (h * n + i) * n;
      for (let j = 0; j < n; j++) out[base + j] = row[j] / sum;
    }
  }
  return out;
}

interface BertvizCount {
  bytes: number;
  parseMs: number;
  layerChars: number[];
}

/** Exact bytes of json.dumps(params) for bertviz's head view, and JSON.parse time per layer. */
function bertvizPayload(layers: Float32Array[], heads: number, n: number, tokens: string[]): BertvizCount {
  // params = {"attention": [{"name": null, "attn": [...], "left_text": T, "right_text": T}],
  //           "default_filter": "0", "root_div_id": "bertviz-<32 hex>", "layer": null,
  //           "heads": null, "include_layers": [0, …, L-1]}
  const tokenList = `[${tokens.map(pythonJsonString).join(', ')}]`;
  const head = '{"attention": [{"name": null, "attn": [';
  const tail =
    `], "left_text": ${tokenList}, "right_text": ${tokenList}}], "default_filter": "0", ` +
    `"root_div_id": "bertviz-${'0'.repeat(32)}", "layer": null, "heads": null, ` +
    `"include_layers": [${layers.map((_, i) => i).join(', ')}]}`;
  let bytes = head.length + tail.length + 2 * (layers.length - 1); // ", " between layers
  let parseMs = 0;
  const layerChars: number[] = [];
  for (const w of layers) {
    // One layer = [[row, row, …] per head]; built as one string so JSON.parse can be timed on it
    // (all 12 layers together exceed V8's maximum string length; see the section text).
    const headStrings: string[] = [];
    for (let h = 0; h < heads; h++) {
      const rows = new Array<string>(n);
      for (let i = 0; i < n; i++) rows[i] = pythonRow(w, (h * n + i) * n, n);
      headStrings.push(`[${rows.join(', ')}]`);
    }
    const layerJson = `[${headStrings.join(', ')}]`;
    headStrings.length = 0;
    layerChars.push(layerJson.length);
    bytes += layerJson.length; // ASCII: one byte per character
    const t0 = performance.now();
    const parsed = JSON.parse(layerJson) as number[][][];
    parseMs += performance.now() - t0;
    if (parsed.length !== heads || parsed[0].length !== n) throw new Error('bertviz layer JSON has the wrong shape');
  }
  return { bytes, parseMs, layerChars };
}

/** Cross-check of pythonFloatRepr against /usr/bin/python3's json.dumps on a few rows; undefined without Python. */
function checkAgainstPython(w: Float32Array, n: number, rows: number[]): string | undefined {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return undefined;
  const sample = rows.map((i) => Array.from(w.subarray(i * n, (i + 1) * n)));
  // Float32 → float64 happens exactly in both languages; send the float32 bit patterns.
  const bits = sample.map((r) => Array.from(new Uint32Array(Float32Array.from(r).buffer)));
  const script = 'import json, struct, sys\nrows = json.load(sys.stdin)\nprint(json.dumps([[struct.unpack("<f", struct.pack("<I", b))[0] for b in r] for r in rows]))';
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(bits), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return undefined;
  const ours = `[${rows.map((i) => pythonRow(w, i * n, n)).join(', ')}]`;
  if (r.stdout.trim() !== ours) throw new Error('pythonFloatRepr disagrees with Python json.dumps on the sample rows');
  return `identical to /usr/bin/python3's json.dumps on ${rows.length} sample rows (${rows.length * n} numbers)`;
}

/** Bytes a message takes through postMessage: UTF-8 JSON with typed arrays as placeholders, plus the arrays. */
function messageBytes(m: HostToPanel): { json: number; binary: number; text: string } {
  let binary = 0;
  let refs = 0;
  const text = JSON.stringify(m, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) {
      binary += v.byteLength;
      return { $$buffer: refs++ };
    }
    return v;
  });
  return { json: Buffer.byteLength(text, 'utf8'), binary, text };
}

interface PanelCount {
  jsonBytes: number;
  binaryBytes: number;
  messages: number;
  pipelineMs: number;
  parseMs: number;
}

function panelPayload(layers: Float32Array[], heads: number, n: number, tokens: TokenSpan[]): PanelCount {
  const runId = 1;
  const pipeline = new RunPipeline(runId, new RunStore(4 << 30), 'bench');
  const messages: HostToPanel[] = [];
  const t0 = performance.now();
  messages.push(
    ...pipeline.handle({
      type: 'tokens',
      runId,
      tokens,
      model: { name: 'synthetic-12x12', layers: layers.length, heads, causal: false, route: 'weights', notes: [] },
      provider: { backend: 'onnx', provider: 'cpu', fallbacks: [] },
    }),
  );
  layers.forEach((weights, layer) => {
    const attention = { runId, layer, kind: 'self', heads, queryLength: n, keyLength: n, weights };
    messages.push(...pipeline.handle({ type: 'layer', ...attention }));
    // what the engine sends after each layer when asked to analyse
    messages.push(...pipeline.handle({ type: 'analysis', runId, layer, kind: 'self', ...analyzeLayerAttention(attention, tokens, false) }));
  });
  messages.push(...pipeline.handle({ type: 'done', runId, elapsedMs: 0 }));
  const pipelineMs = performance.now() - t0;
  let jsonBytes = 0;
  let binaryBytes = 0;
  let parseMs = 0;
  for (const m of messages) {
    const b = messageBytes(m);
    jsonBytes += b.json;
    binaryBytes += b.binary;
    const t = performance.now();
    JSON.parse(b.text);
    parseMs += performance.now() - t;
  }
  return { jsonBytes, binaryBytes, messages: messages.length, pipelineMs, parseMs };
}

// ------------------------------------------------------------------------------------------------
// The section
// ------------------------------------------------------------------------------------------------

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
const ms = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1] : NaN);

async function inspectSection(): Promise<string[]> {
  if (!existsSync(join(BUNDLED, 'model.onnx'))) {
    return ['## Inspect, end to end', '', `Not measured: ${join('media', 'models', 'mini-code', 'model.onnx')} is not there yet.`, ''];
  }
  const manifest = JSON.parse(readFileSync(join(BUNDLED, 'inspector.json'), 'utf8')) as { contextLength?: number; layers?: number; heads?: number };
  const context = manifest.contextLength ?? Infinity;
  const lines: string[] = [];
  const rows: string[] = [];
  const notes: string[] = [];
  let extended: { dir: string; description: string } | undefined;
  let met512: boolean | undefined;
  let rss2048: number | undefined;
  let forcedWeights: string | undefined;
  try {
    for (const n of LENGTHS) {
      let modelDir = BUNDLED;
      if (n > context) {
        try {
          extended ??= extendedContextCopy(BUNDLED, Math.max(...LENGTHS));
          modelDir = extended.dir;
        } catch (e) {
          notes.push(`${n} tokens not measured: the bundled model reads at most ${context} tokens and its copy could not be extended (${(e as Error).message}).`);
          continue;
        }
      }
      const text = await textOfTokens(join(BUNDLED, 'tokenizer.json'), n);
      const results: Partial<Record<BackendKind, ChildResult>> = {};
      for (const backend of ['onnx', 'reference'] as const) {
        const warm = backend === 'onnx' ? (n <= 512 ? 5 : 2) : n <= 128 ? 2 : n <= 512 ? 1 : 0;
        const r = await runChild({ backend, tokens: n, modelDir, text, warm });
        results[backend] = r;
        if (r.error) notes.push(`${backend} at ${n} tokens failed: ${r.error}`);
        if (r.route === 'qk' || r.notes.some((x) => /recompute|fetched in/.test(x))) notes.push(`${backend} at ${n} tokens: ${r.notes.filter((x) => /recompute|fetched in|route/.test(x)).join('; ') || `route ${r.route}`}`);
      }
      if (n === Math.max(...LENGTHS) && results.onnx?.route === 'qk') {
        // The same run with the probabilities fetched from the graph instead: the trade the engine's auto route makes.
        const w = await runChild({ backend: 'onnx', tokens: n, modelDir, text, warm: 2, route: 'weights' });
        forcedWeights = w.error
          ? `ONNX Runtime with the route forced to "weights" at ${n} tokens failed: ${w.error}`
          : `With the route forced to "weights" (every layer's probabilities fetched from the graph) the ${n}-token ONNX Runtime run takes ${ms(w.coldMs)} ms cold, ${ms(median(w.warmMs))} ms warm, peak RSS ${mb(w.peakRssBytes)}.`;
      }
      const o = results.onnx!;
      const ref = results.reference!;
      const oWarm = median(o.warmMs);
      const refTime = ref.warmMs.length ? median(ref.warmMs) : ref.coldMs;
      if (n === 512) met512 = oWarm < GOAL_MS_512;
      if (n === 2048) rss2048 = Math.max(o.peakRssBytes, 0);
      rows.push(
        `| ${n}${n > context ? '†' : ''} | ${o.tokens} | ${o.route ?? '–'} | ${ms(o.coldMs)} | ${ms(oWarm)} | ${ms(o.analysisMs)} | ${mb(o.peakRssBytes)} | ` +
          `${ms(ref.coldMs)} | ${ms(refTime)}${ref.warmMs.length ? '' : '*'} | ${mb(ref.peakRssBytes)} | ${(refTime / oWarm).toFixed(1)}× |`,
      );
    }
  } finally {
    if (extended) rmSync(extended.dir, { recursive: true, force: true });
  }
  lines.push(
    '## Inspect, end to end (bundled model)',
    '',
    `Bundled model \`mini-code\` (${manifest.layers ?? '?'} layers × ${manifest.heads ?? '?'} heads, context ${context}), text = code + prose cut to exactly n tokens. Each case runs in a fresh child process: ` +
      `**cold** = the first inspect of a new engine (model folder read and checked, tokenizer, ONNX Runtime session, load-time probe, the run: every layer's weights); ` +
      `**warm** = median of further inspects of the same text with the same engine (the extension keeps its engine process, so this is every run after the first); ` +
      `**analysis** = head-pattern analysis + masking checks of all layers, as the panel and the CLI do (measured during the last run, each layer analysed as it arrives and then dropped, and taken out of that run's time); ` +
      `**peak RSS** = the child's maxRSS over all its runs (Node and tsx included; the extension's host additionally keeps layers for the panel under attentionInspector.memoryBudgetMB, not counted here). ` +
      `**ORT route**: "weights" = probabilities fetched from the graph, "qk" = the engine's auto route recomputing them from Q and K (above 256 MB of probabilities). ` +
      `ONNX Runtime: CPU provider, ${ORT_THREADS} intra-op threads; reference: one JavaScript thread. "ref / ORT" = reference warm ÷ ORT warm, same run. MB = 10⁶ bytes.`,
    '',
    '| n | tokens | ORT route | ORT cold ms | ORT warm ms | analysis ms | ORT peak RSS | reference cold ms | reference warm ms | reference peak RSS | ref / ORT |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  );
  if (extended) {
    lines.push(
      `† The bundled model reads at most ${context} tokens. The ${Math.max(...LENGTHS)}-token rows ran on a copy of it with its position-dependent constants extended by their own formulas (${extended.description}; the first ${context} rows checked equal to the original) and contextLength raised in inspector.json. Same weights and graph; the model was not trained on positions past ${context}, so the weights it produces there are not meaningful, but the cost is that of a real ${Math.max(...LENGTHS)}-token run.`,
      '',
    );
  }
  if (rows.some((r) => r.includes('*'))) lines.push('\\* reference: one run only, so warm = cold.', '');
  if (forcedWeights) lines.push(forcedWeights, '');
  for (const n of notes) lines.push(`- ${n}`);
  if (notes.length) lines.push('');
  const goals: string[] = [];
  if (met512 !== undefined) goals.push(`512 tokens under ${GOAL_MS_512} ms with ONNX Runtime CPU (warm): **${met512 ? 'met' : 'not met'}** on this machine and load`);
  if (rss2048 !== undefined) goals.push(`2,048 tokens with peak RSS under 1 GB (10⁹ bytes): **${rss2048 < GOAL_RSS_2048 ? 'met' : 'not met'}** (${mb(rss2048)}, ONNX Runtime, auto route)`);
  if (goals.length) lines.push(`Goals: ${goals.join('; ')}.`, '');
  return lines;
}

async function bertvizSection(): Promise<string[]> {
  const L = 12;
  const H = 12;
  const n = 512;
  // Token texts: a 512-token text of the bundled tokenizer (the panel and bertviz get the same).
  const tokFile = join(BUNDLED, 'tokenizer.json');
  let tokens: TokenSpan[];
  if (existsSync(tokFile)) {
    const text = await textOfTokens(tokFile, n);
    tokens = await (await loadTokenizer(tokFile)).encode(text);
  } else {
    tokens = Array.from({ length: n }, (_, i) => ({ id: i, text: ` w${i}`, start: i * 4, end: i * 4 + 4, special: false }));
  }
  const layers: Float32Array[] = [];
  for (let l = 0; l < L; l++) layers.push(syntheticLayer(l, H, n));
  const check = checkAgainstPython(layers[0], n, [0, 1, 255, 511, n + 3]);
  const bertviz = bertvizPayload(layers, H, n, tokens.map((t) => t.text));
  const panel = panelPayload(layers, H, n, tokens);
  const panelTotal = panel.jsonBytes + panel.binaryBytes;
  const maxString = 536_870_888; // V8's String::kMaxLength on 64-bit (Node 20's buffer.constants.MAX_STRING_LENGTH)
  return [
    '## First paint payload: this panel vs bertviz (n = 512, 12 layers × 12 heads)',
    '',
    'Synthetic bidirectional softmax attention, float32, 12 layers × 12 heads × 512 × 512 (Gaussian scores with per-head temperatures, some heads with a previous-token, first-token or diagonal bias); the same tensors and the same 512 token texts for both.',
    '',
    '| | bytes | of which binary | messages | JSON.parse in Node |',
    '|---|---:|---:|---:|---:|',
    `| bertviz head view: \`json.dumps(params)\` embedded in its HTML | ${bertviz.bytes.toLocaleString('en-US')} (${mb(bertviz.bytes)}) | 0 | 1 | ${ms(bertviz.parseMs)} ms (sum over the 12 layers) |`,
    `| this panel: run/start + 12 × run/layer (144 thumbnails 64×64 u8) + 12 × run/patterns + findings + done | ${panelTotal.toLocaleString('en-US')} (${mb(panelTotal)}) | ${panel.binaryBytes.toLocaleString('en-US')} | ${panel.messages} | ${ms(panel.parseMs)} ms (JSON parts) |`,
    '',
    `Ratio: bertviz sends **${(bertviz.bytes / panelTotal).toFixed(0)}×** the bytes. bertviz's count is exact: every weight formatted as Python's \`repr\` of the float64 equal to the float32 value (shortest round-trip digits, \`0.0\`, exponent form below 1e-4), \`", "\` separators, the token lists and the other params fields (the uuid \`root_div_id\` has a fixed length); ${check ?? 'not cross-checked (no /usr/bin/python3 here)'}. Not counted: bertviz's head_view.js and the HTML around it. ` +
      `The panel's count is the real messages src/panel-model/run-pipeline.ts produces for these tensors (head patterns and masking checks included; ${ms(panel.pipelineMs)} ms to produce them on the host), as UTF-8 JSON with each typed array replaced by a small placeholder, plus the typed arrays' bytes (VS Code's webview transport sends ArrayBuffers beside the JSON). Full-resolution heads travel later, on demand, one 512 × 512 head at a time (256 KiB as u8, 1 MiB as float32).`,
    '',
    `JSON.parse of bertviz's payload is a lower bound of its first paint: the notebook or browser must at least parse it as a script before drawing anything. ${bertviz.bytes > maxString ? `The whole payload (${bertviz.bytes.toLocaleString('en-US')} characters) is longer than V8's maximum string length (${maxString.toLocaleString('en-US')}), so it cannot be one JavaScript string in Node or Chrome at all; the time is the sum of parsing each layer's part separately (${Math.min(...bertviz.layerChars).toLocaleString('en-US')}–${Math.max(...bertviz.layerChars).toLocaleString('en-US')} characters each).` : 'The time is the sum of parsing each layer\'s part separately.'} Time to the panel's first painted thumbnails in a real VS Code is measured by the panel suite (\`npm run bench -- panel\`).`,
    '',
  ];
}

export const inspectSuite = {
  name: 'inspect',
  async run(): Promise<string> {
    const parts = [...(await inspectSection()), ...(await bertvizSection())];
    return parts.join('\n');
  },
};

export default inspectSuite;

if (require.main === module && process.argv[2] === '--child') {
  childMain(JSON.parse(process.argv[3]) as ChildSpec).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
