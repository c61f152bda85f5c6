// `attention-inspector inspect`: the main job without an editor. Runs an engine on a text,
// prints a table of heads (layer, head, label, score) and the masking findings, and writes
// a JSON result (docs/inspect-json.md) and/or a standalone HTML report.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AttentionEngine, BackendKind, EngineEvent, ExecutionProviderPreference, LayerAttention, ModelSummary, ProviderReport, TokenSpan } from '../engine/engine-api';
import type { PanelFinding, PanelHeadPattern, RunDescription } from '../protocol/panel-messages';
import { toPanelAnalysis } from '../panel-model/layer-analysis';
import { providerLabel } from '../panel-model/run-pipeline';
import { buildReportData, renderReportHtml } from './html-report';

export type { CliIO } from './analyze-command';
import type { CliIO } from './analyze-command';

export interface InspectDeps {
  createEngine: (backend: BackendKind) => AttentionEngine;
  bundledModelDir: string;
}

export interface InspectOptions {
  text: string;
  sourceLabel: string;
  modelDir: string;
  backend: BackendKind;
  provider: ExecutionProviderPreference;
  maxTokens: number;
  json?: string;
  html?: string;
  weights: boolean;
  quiet: boolean;
}

export const INSPECT_USAGE = `Usage: attention-inspector inspect "text" [options]
       attention-inspector inspect --file F [--range a:b] [options]
Options:
  --model DIR          model folder (model.onnx + tokenizer.json); default: the bundled model
  --backend B          onnx (default) or reference
  --provider P         auto (default), cpu, cuda, webgpu, dml, coreml
  --max-tokens N       refuse longer inputs (default 8192)
  --json OUT           write the result as JSON (see docs/inspect-json.md)
  --weights            include the attention weights in the JSON ([heads][q][k] per layer)
  --html OUT           write a standalone HTML report (opens in any browser)
  --quiet              no progress on stderr`;

export function parseInspectArgs(argv: string[], bundledModelDir: string): InspectOptions | string {
  let text: string | undefined;
  let file: string | undefined;
  let range: string | undefined;
  const o: Omit<InspectOptions, 'text' | 'sourceLabel'> = { modelDir: bundledModelDir, backend: 'onnx', provider: 'auto', maxTokens: 8192, weights: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--model') o.modelDir = value();
      else if (a === '--backend') {
        const b = value();
        if (b !== 'onnx' && b !== 'reference') return `--backend must be onnx or reference, not ${b}`;
        o.backend = b;
      } else if (a === '--provider') {
        const p = value();
        if (!['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml'].includes(p)) return `unknown --provider ${p}`;
        o.provider = p as ExecutionProviderPreference;
      } else if (a === '--max-tokens') {
        o.maxTokens = Number(value());
        if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1) return '--max-tokens must be a positive integer';
      } else if (a === '--json') o.json = value();
      else if (a === '--html') o.html = value();
      else if (a === '--file') file = value();
      else if (a === '--range') range = value();
      else if (a === '--weights') o.weights = true;
      else if (a === '--quiet') o.quiet = true;
      else if (a.startsWith('--')) return `unknown option ${a}`;
      else if (text === undefined) text = a;
      else return `unexpected argument ${JSON.stringify(a)} (quote the text)`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (file !== undefined && text !== undefined) return 'give either a text or --file, not both';
  let sourceLabel = 'text';
  if (file !== undefined) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      return `cannot read ${file}`;
    }
    if (content.includes('\u0000')) return `${file} looks like a binary file; inspect needs text`;
    sourceLabel = file;
    if (range !== undefined) {
      const m = /^(\d+):(\d+)$/.exec(range);
      if (!m) return '--range must be start:end character offsets, e.g. 0:400';
      const [a, b] = [Number(m[1]), Number(m[2])];
      if (a >= b || b > content.length) return `--range ${range} is outside the file (0:${content.length})`;
      content = content.slice(a, b);
      sourceLabel = `${file}:${range}`;
    }
    text = content;
  } else if (range !== undefined) return '--range needs --file';
  if (text === undefined || text.trim() === '') return 'nothing to inspect: give a text or --file';
  return { ...o, text, sourceLabel };
}

interface Collected {
  tokens: TokenSpan[];
  sourceTokens?: TokenSpan[];
  model?: ModelSummary;
  provider?: ProviderReport;
  layers: LayerAttention[];
  patterns: PanelHeadPattern[][];
  findings: PanelFinding[];
  elapsedMs: number;
}

export async function runInspect(argv: string[], io: CliIO, deps: InspectDeps): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(INSPECT_USAGE + '\n');
    return 0;
  }
  const opts = parseInspectArgs(argv, deps.bundledModelDir);
  if (typeof opts === 'string') {
    io.stderr.write(`attention-inspector inspect: ${opts}\n${INSPECT_USAGE}\n`);
    return 2;
  }
  const engine = deps.createEngine(opts.backend);
  const c: Collected = { tokens: [], layers: [], patterns: [], findings: [], elapsedMs: 0 };
  let failure: string | undefined;
  const started = Date.now();
  const progress = (s: string) => {
    if (!opts.quiet) io.stderr.write(s);
  };
  try {
    await engine.inspect(
      { runId: 1, text: opts.text, modelDir: opts.modelDir, backend: opts.backend, executionProvider: opts.provider, maxTokens: opts.maxTokens, analyze: true },
      (e: EngineEvent) => {
        if (e.type === 'tokens') {
          Object.assign(c, { tokens: e.tokens, sourceTokens: e.sourceTokens, model: e.model, provider: e.provider });
          progress(`${e.tokens.length} tokens · ${e.model.name} · ${providerLabel(e.provider)}\n`);
          for (const f of e.provider.fallbacks) progress(`  (${f.provider} unavailable: ${f.reason})\n`);
        } else if (e.type === 'layer') {
          const layer: LayerAttention = { runId: e.runId, layer: e.layer, kind: e.kind, heads: e.heads, queryLength: e.queryLength, keyLength: e.keyLength, weights: e.weights };
          c.layers.push(layer);
          progress(`  layer ${e.layer + 1}/${c.model?.layers ?? '?'} (${Date.now() - started} ms)\n`);
        } else if (e.type === 'analysis') {
          // the engine's analysis of the layer just sent (layers and analyses come in the same order)
          const analysis = toPanelAnalysis(e);
          c.patterns.push(analysis.patterns);
          c.findings.push(...analysis.findings);
        } else if (e.type === 'done') c.elapsedMs = e.elapsedMs;
        else if (e.type === 'error') failure = e.message;
      },
    );
  } finally {
    await engine.dispose();
  }
  if (failure || !c.model || !c.provider) {
    io.stderr.write(`attention-inspector inspect: ${failure ?? 'the engine produced no result'}\n`);
    return 1;
  }
  io.stdout.write(formatHeadTable(c));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(toInspectJson(c, opts)));
  if (opts.html) writeFileSync(opts.html, renderReportHtml(buildReportData(describeRun(c, opts.sourceLabel), c.layers, c.patterns, c.findings, c.elapsedMs)));
  if (opts.json) progress(`wrote ${opts.json}\n`);
  if (opts.html) progress(`wrote ${opts.html}\n`);
  return 0;
}

function describeRun(c: Collected, sourceLabel: string): RunDescription {
  return {
    runId: 1,
    modelName: c.model!.name,
    providerLabel: providerLabel(c.provider!),
    fallbacks: c.provider!.fallbacks,
    layers: c.model!.layers,
    heads: c.model!.heads,
    causal: c.model!.causal,
    tokens: c.tokens,
    keyTokens: c.sourceTokens,
    sourceLabel,
    route: c.model!.route,
    notes: c.model!.notes,
  };
}

function formatHeadTable(c: Collected): string {
  const lines = [`model ${c.model!.name} · ${providerLabel(c.provider!)} · ${c.tokens.length} tokens · ${Math.round(c.elapsedMs)} ms`, ''];
  lines.push('layer  head  label            confidence  top score');
  for (const heads of c.patterns) {
    for (const p of heads) {
      const [topName, topValue] = Object.entries(p.scores).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
      lines.push(`${String(p.layer).padStart(5)}  ${String(p.head).padStart(4)}  ${p.label.padEnd(15)}  ${p.confidence.toFixed(2).padStart(10)}  ${topName} ${topValue.toFixed(3)}`);
    }
  }
  lines.push('');
  if (c.findings.length === 0) lines.push('masking checks: no anomalies');
  for (const f of c.findings) lines.push(`${f.severity.toUpperCase()} ${f.kind} (layer ${f.layer}, heads ${f.heads.join(',')}): ${f.message}`);
  return lines.join('\n') + '\n';
}

/** The JSON result; its schema is documented in docs/inspect-json.md. */
export function toInspectJson(c: Collected, opts: Pick<InspectOptions, 'weights' | 'sourceLabel'>) {
  const span = (t: TokenSpan) => ({ id: t.id, text: t.text, start: t.start, end: t.end, special: t.special });
  return {
    format: 'attention-inspector/inspect',
    version: 1,
    source: opts.sourceLabel,
    model: c.model,
    provider: c.provider,
    elapsedMs: c.elapsedMs,
    tokens: c.tokens.map(span),
    sourceTokens: c.sourceTokens?.map(span),
    heads: c.patterns.flat(),
    findings: c.findings,
    weights: opts.weights
      ? c.layers.map((l) => ({
          layer: l.layer,
          kind: l.kind,
          shape: [l.heads, l.queryLength, l.keyLength],
          data: Array.from({ length: l.heads }, (_, h) =>
            Array.from({ length: l.queryLength }, (_, i) => Array.from(l.weights.subarray((h * l.queryLength + i) * l.keyLength, (h * l.queryLength + i + 1) * l.keyLength))),
          ),
        }))
      : undefined,
  };
}
