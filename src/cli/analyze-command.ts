// `attention-inspector analyze weights.npy [--tokens tokens.json] [--causal] [--json out.json]`
//
// Head-pattern analysis and masking checks on attention weights from any source: a .npy of
// shape [layers, heads, q, k] or [heads, q, k] (float16 / float32 / float64), e.g. dumped
// from PyTorch with `np.save("w.npy", torch.stack(attentions)[:, 0].float().numpy())`.
// Prints a table of heads and the findings; --json writes them for other tools.
//
// Exit codes: 0 analysed (findings or not, unless --fail-on-findings and an error finding),
// 1 a file could not be read or analysed, 2 a usage error.
import { readFileSync, writeFileSync } from 'node:fs';
import { NpyArray, parseNpy } from '../engine/io/npy';
import { analyzeLayer } from '../engine/patterns/analyze-model';
import { checkLayerMasking } from '../engine/patterns/masking-checks';
import type { HeadReport, MaskingFinding, ScoreName, TokenInfo } from '../engine/patterns/pattern-types';

export interface CliIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const ANALYZE_USAGE = `usage: attention-inspector analyze WEIGHTS.npy [options]

Runs the head-pattern analysis and the masking checks on saved attention weights.
WEIGHTS.npy holds softmax probabilities of shape [layers, heads, q, k] or [heads, q, k]
(float16, float32 or float64).

options:
  --tokens FILE         token info as JSON: {"ids": [...], "texts": [...], "offsets": [[s, e], ...],
                        "source": "the text", "padding": [0/1 ...] or "attention_mask": [1/0 ...]}, a list of
                        {"id", "text", "start", "end"} tokens, {"tokens": [...]} (inspect --json
                        output), or {"input_ids": [...], "attention_mask": [...]}; ids enable the
                        induction and duplicate-token scores, texts the line/sentence/bracket blocks
  --causal              the model is causal (decoder): scores respect the causal mask and weight
                        above the diagonal is reported as a leak; needs q = k
  --json FILE           also write {file, dtype, shape, causal, heads, findings} as JSON
  --fail-on-findings    exit 1 when a finding of severity "error" is reported
  -h, --help            show this help
`;

class UsageError extends Error {}

interface AnalyzeArgs {
  weights: string;
  tokens?: string;
  causal: boolean;
  json?: string;
  failOnFindings: boolean;
}

function parseArgs(argv: readonly string[]): AnalyzeArgs | 'help' {
  const positional: string[] = [];
  const args: Partial<AnalyzeArgs> = { causal: false, failOnFindings: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a file name`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--causal') args.causal = true;
    else if (a === '--fail-on-findings') args.failOnFindings = true;
    else if (a === '--tokens') args.tokens = value();
    else if (a === '--json') args.json = value();
    else if (a.startsWith('--tokens=')) args.tokens = a.slice(9);
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length === 0) throw new UsageError('missing the weights file (.npy)');
  if (positional.length > 1) throw new UsageError(`expected one weights file, got ${positional.length}: ${positional.join(' ')}`);
  return { ...(args as AnalyzeArgs), weights: positional[0] };
}

/** A file's problem, in words (ENOENT → "no such file"). */
function readError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return new Error(`cannot read ${path}: ${why}`);
}

function readNpy(path: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw readError(path, e);
  }
  try {
    return parseNpy(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

interface TokenFile {
  tokens: TokenInfo;
  padding?: number[];
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads any of the token JSON shapes listed in the usage text. */
export function parseTokenJson(json: unknown, origin: string): TokenFile {
  const fail = (why: string): never => {
    throw new Error(`${origin}: ${why}`);
  };
  if (isStringArray(json)) return { tokens: { texts: json } };
  if (Array.isArray(json)) {
    // A list of token objects {id, text, start, end} (the engine's TokenSpan).
    const ids: number[] = [];
    const texts: string[] = [];
    const offsets: [number, number][] = [];
    json.forEach((t: unknown, i) => {
      if (typeof t !== 'object' || t === null) fail(`token ${i} is not an object`);
      const o = t as Record<string, unknown>;
      if (typeof o.id === 'number') ids.push(o.id);
      if (typeof o.text === 'string') texts.push(o.text);
      if (typeof o.start === 'number' && typeof o.end === 'number') offsets.push([o.start, o.end]);
    });
    const n = json.length;
    return {
      tokens: {
        ids: ids.length === n ? ids : undefined,
        texts: texts.length === n ? texts : undefined,
        offsets: offsets.length === n ? offsets : undefined,
      },
    };
  }
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object or array of tokens');
  const o = json as Record<string, unknown>;
  if (Array.isArray(o.tokens)) {
    const inner = parseTokenJson(o.tokens, origin);
    const text = o.source ?? o.text;
    if (typeof text === 'string' && inner.tokens.offsets) inner.tokens.source = text;
    return inner;
  }
  const ids = o.ids ?? o.input_ids;
  const tokens: TokenInfo = {};
  if (ids !== undefined) tokens.ids = isNumberArray(ids) ? ids : fail('"ids" must be an array of numbers');
  if (o.texts !== undefined) tokens.texts = isStringArray(o.texts) ? o.texts : fail('"texts" must be an array of strings');
  const source = o.source ?? o.text;
  if (source !== undefined) tokens.source = typeof source === 'string' ? source : fail('"source" must be the text the offsets index into');
  if (o.offsets !== undefined) {
    const ok = Array.isArray(o.offsets) && o.offsets.every((p) => isNumberArray(p) && p.length === 2);
    tokens.offsets = ok ? (o.offsets as [number, number][]) : fail('"offsets" must be an array of [start, end] pairs');
  }
  let padding: number[] | undefined;
  if (o.padding !== undefined) {
    if (!Array.isArray(o.padding)) fail('"padding" must be an array (1/true = padding)');
    padding = (o.padding as unknown[]).map((x) => (x ? 1 : 0));
  } else if (o.attention_mask !== undefined) {
    if (!isNumberArray(o.attention_mask)) fail('"attention_mask" must be an array of 1 (token) / 0 (padding)');
    padding = (o.attention_mask as number[]).map((x) => (x ? 0 : 1));
  }
  if (!tokens.ids && !tokens.texts && !tokens.offsets && !padding) fail('no "ids", "texts", "offsets", "padding" or "tokens" found');
  return { tokens, padding };
}

function readTokens(path: string): TokenFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw readError(path, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseTokenJson(json, path);
}

/** Evidence, strongest first, with the raw score and the details that name what was found. */
function topScores(h: HeadReport, tokens: TokenInfo | undefined): string {
  const names = (Object.keys(h.evidence) as ScoreName[]).sort((x, y) => (h.evidence[y] ?? 0) - (h.evidence[x] ?? 0));
  const ordered = [...names.filter((n) => n === h.label), ...names.filter((n) => n !== h.label)].slice(0, 3);
  return ordered
    .map((n) => {
      let s = `${n} ${(h.scores[n] ?? 0).toFixed(2)}`;
      if (n === 'sink' && h.sinkColumn !== undefined) {
        const text = h.sinkToken ?? tokens?.texts?.[h.sinkColumn];
        s += ` @${h.sinkColumn}${text !== undefined ? ` ${JSON.stringify(text)}` : ''}`;
      }
      if (n === 'local-band' && h.bandWidth !== undefined) s += ` w=${h.bandWidth}`;
      if (n === 'block' && h.blockSegments) s += ` (${h.blockSegments})`;
      if ((n === 'induction' || n === 'duplicate-token') && h.positions[n] !== undefined) s += ` (${h.positions[n]} rows)`;
      return s;
    })
    .join(', ');
}

function headTable(heads: HeadReport[], tokens: TokenInfo | undefined): string {
  const lines = [`${'layer'.padStart(5)} ${'head'.padStart(4)}  ${'label'.padEnd(15)} ${'conf'.padStart(4)}  top scores`];
  for (const h of heads) {
    lines.push(`${String(h.layer).padStart(5)} ${String(h.head).padStart(4)}  ${h.label.padEnd(15)} ${h.confidence.toFixed(2).padStart(4)}  ${topScores(h, tokens)}`);
  }
  return lines.join('\n') + '\n';
}

function findingLines(findings: MaskingFinding[]): string {
  if (findings.length === 0) return 'findings: none\n';
  const lines = [`findings (${findings.length}):`];
  for (const f of findings) lines.push(`  ${f.severity.padEnd(7)} layer ${f.layer}  ${f.kind}: ${f.message}`);
  return lines.join('\n') + '\n';
}

export async function runAnalyze(argv: string[], io: CliIO): Promise<number> {
  let args: AnalyzeArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`analyze: ${e.message}\n\n${ANALYZE_USAGE}`);
    return 2;
  }
  if (args === 'help') {
    io.stdout.write(ANALYZE_USAGE);
    return 0;
  }
  try {
    const npy = readNpy(args.weights);
    const { shape } = npy;
    if (shape.length !== 3 && shape.length !== 4) {
      throw new Error(`${args.weights} has shape [${shape.join(', ')}] (rank ${shape.length}); expected [layers, heads, q, k] or [heads, q, k]`);
    }
    const [layers, heads, q, k] = shape.length === 4 ? shape : [1, ...shape];
    if (args.causal && q !== k) {
      throw new Error(`--causal needs square attention (q = k), but ${args.weights} has q = ${q} and k = ${k}; cross-attention cannot be causal`);
    }
    const tokenFile = args.tokens ? readTokens(args.tokens) : undefined;
    const tokens = tokenFile?.tokens;
    for (const field of ['ids', 'texts', 'offsets'] as const) {
      const n = tokens?.[field]?.length;
      if (n !== undefined && n !== q && !(field === 'texts' && q !== k && n === k)) {
        throw new Error(`${args.tokens}: ${n} token ${field} but the attention has ${q} query positions`);
      }
    }
    const padding = tokenFile?.padding;
    if (padding && padding.length !== k) throw new Error(`${args.tokens}: padding mask has ${padding.length} entries but the attention has ${k} key positions`);

    const reports: HeadReport[] = [];
    const findings: MaskingFinding[] = [];
    const per = heads * q * k;
    const progress = layers > 1 && per * layers > 1 << 24;
    for (let layer = 0; layer < layers; layer++) {
      if (progress) io.stderr.write(`analyze: layer ${layer + 1}/${layers}\n`);
      const w = npy.data.subarray(layer * per, (layer + 1) * per);
      findings.push(...checkLayerMasking(w, heads, q, k, layer, { causal: args.causal, padding }));
      reports.push(...analyzeLayer(w, heads, q, k, layer, tokens, { causal: args.causal, padding }));
    }

    const described = [
      `${args.weights}: ${layers} layer${layers === 1 ? '' : 's'} × ${heads} heads, q = ${q}, k = ${k}, ${npy.dtype}`,
      args.causal ? 'causal' : 'not causal',
      tokens ? `tokens: ${(['ids', 'texts', 'offsets'] as const).filter((f) => tokens[f]).join(', ') || 'padding only'}` : 'no tokens (induction and duplicate-token need --tokens with ids)',
    ].join('; ');
    io.stdout.write(`${described}\n\n${headTable(reports, tokens)}\n${findingLines(findings)}`);
    if (args.json) {
      const out = { file: args.weights, dtype: npy.dtype, shape, causal: args.causal, heads: reports, findings };
      try {
        writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
      } catch (e) {
        throw new Error(`cannot write ${args.json}: ${(e as Error).message}`);
      }
      io.stderr.write(`analyze: wrote ${args.json}\n`);
    }
    return args.failOnFindings && findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (e) {
    io.stderr.write(`analyze: ${(e as Error).message}\n`);
    return 1;
  }
}
