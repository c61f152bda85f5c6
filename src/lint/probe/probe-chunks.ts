// Probing a chunked (online) softmax: not attention itself, but FlashAttention's core. The target
// is an exported TS/JS function `onlineSoftmax(chunks)` that receives one row of scores cut into
// chunks and returns the softmax of the whole row. The probe calls it on seeded rows, each cut in
// several ways — including scores up to ±1000 and rows whose max arrives only in the last chunk —
// and compares with the reference engine's softmaxRows:
//   finite              no NaN/∞, even at ±1000 (exp of an unshifted score overflows)
//   rows-sum-to-one     every result sums to 1
//   chunk-invariance    the same row gives the same weights however it is cut (a running sum
//                       that is not rescaled when a later chunk raises the max breaks this)
//   reference-agreement every result equals softmaxRows of the whole row
//
// A list of chunks has no tensor form, so the worker loads a small adapter module (written to a
// temporary folder) that rebuilds the chunks from a flat row and the chunk sizes, then calls the
// learner's export. The worker, its heap limit and its timeout are the ordinary script runner's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { mulberry32 } from '../../engine/reference/mulberry32';
import { softmaxRows } from '../../engine/reference/softmax';
import { abort, type NamedTensor, type ProbeCallee, type ProbeValue } from './callee';
import { fail, firstLine, listOf, pass, shapeText, skip } from './probe-checks';
import type { ProbeContext } from './probe-context';
import { normalSampler } from './probe-inputs';
import type { ProbeCheck, ProbeResult, ProbeTarget } from './probe-types';
import { ScriptCallee, type ScriptRunnerOptions } from './script-runner';
import { formatNumber } from './weights-analysis';

const ADAPTER_EXPORT = 'probeChunkedSoftmax';

function adapterSource(userFile: string, exportName: string, typescript: boolean): string {
  const any = typescript ? ': any' : '';
  const nums = typescript ? ': number[]' : '';
  return [
    '// Written by the Attention Inspector probe: rebuilds chunks from a flat row and calls the learner\'s export.',
    `const userFile = ${JSON.stringify(userFile)};`,
    `const exportName = ${JSON.stringify(exportName)};`,
    `function pick(m${any})${any} {`,
    "  if (!m) return undefined;",
    "  if (exportName === 'module.exports') return m;",
    "  if (exportName === 'default') return m.default ?? (typeof m === 'function' ? m : undefined);",
    '  return m[exportName] ?? (m.default ? m.default[exportName] : undefined);',
    '}',
    `async function load()${any} {`,
    '  try {',
    '    return require(userFile);',
    `  } catch (e${any}) {`,
    "    if (e && e.code === 'ERR_REQUIRE_ESM') return import(require('node:url').pathToFileURL(userFile).href);",
    '    throw e;',
    '  }',
    '}',
    `async function ${ADAPTER_EXPORT}(scores${nums}, sizes${nums}) {`,
    '  const fn = pick(await load());',
    "  if (typeof fn !== 'function') throw new TypeError(`${require('node:path').basename(userFile)} does not export a function '${exportName}'`);",
    `  const chunks${typescript ? ': number[][]' : ''} = [];`,
    '  let at = 0;',
    '  for (const n of sizes) {',
    '    chunks.push(scores.slice(at, at + n));',
    '    at += n;',
    '  }',
    '  return fn(chunks);',
    '}',
    `module.exports = { ${ADAPTER_EXPORT} };`,
    '',
  ].join('\n');
}

/** Starts the script worker on an adapter for the chunked softmax in `file`; dispose() removes the adapter. */
export async function startChunkedCallee(file: string, target: ProbeTarget, options: ScriptRunnerOptions): Promise<ProbeCallee> {
  if (target.language === 'python') {
    throw abort('unsupported', 'The chunked-softmax probe calls TypeScript and JavaScript functions; a Python list of chunks cannot be passed yet.');
  }
  const typescript = /\.(ts|mts|cts|tsx)$/i.test(extname(file));
  const folder = mkdtempSync(join(tmpdir(), 'attention-probe-'));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    const adapter = join(folder, typescript ? 'chunked-softmax-adapter.ts' : 'chunked-softmax-adapter.cjs');
    writeFileSync(adapter, adapterSource(file, target.exportName ?? target.name, typescript));
    const adapterTarget: ProbeTarget = {
      ...target,
      name: ADAPTER_EXPORT,
      exportName: ADAPTER_EXPORT,
      parameters: [
        { name: 'scores', hasDefault: false },
        { name: 'sizes', hasDefault: false },
      ],
    };
    const callee = await ScriptCallee.start(adapter, adapterTarget, options);
    return {
      loaded: { ...callee.loaded, parameters: target.parameters.map((p) => ({ name: p.name, kind: 'positional', hasDefault: p.hasDefault, typeText: p.typeText })) },
      call: (request) => callee.call(request),
      dispose: () => {
        callee.dispose();
        remove();
      },
    };
  } catch (e) {
    remove();
    throw e;
  }
}

/** One call: a row and how it is cut. Rows with the same `row` id are the same scores. */
interface Trial {
  row: string;
  /** For the learner: what the row is. */
  about: string;
  scores: Float32Array;
  sizes: number[];
}

function cut(sizes: number[]): string {
  return shapeText(sizes);
}

/** Seeded rows, each cut in one or more ways. */
export function chunkTrials(seed: number): Trial[] {
  const normal = normalSampler(seed);
  const uniform = mulberry32(seed + 1);
  const trials: Trial[] = [];
  const add = (row: string, about: string, scores: Float32Array, ...cuts: number[][]) => {
    for (const sizes of cuts) trials.push({ row, about, scores, sizes });
  };
  // A: ordinary scores, three cuts
  add('A', '12 scores', Float32Array.from({ length: 12 }, () => 3 * normal()), [5, 4, 3], [12], [1, 6, 1, 4]);
  // B: scores up to ±1000 with the row's max only in the last chunk
  const b = Float32Array.from({ length: 10 }, () => Math.round((uniform() * 2 - 1) * 1000 * 8) / 8);
  let top = 0;
  for (let i = 1; i < b.length; i++) if (b[i] > b[top]) top = i;
  [b[top], b[9]] = [b[9], b[top]];
  b[9] = 1000;
  b[0] = -1000;
  add('B', '10 scores between −1000 and 1000, the max in the last chunk', b, [4, 3, 3], [10], [9, 1]);
  // C: every chunk raises the max, so the running sum must be rescaled at every step
  const sizesC = [2, 3, 1, 4];
  const c = new Float32Array(10);
  let at = 0;
  sizesC.forEach((n, chunk) => {
    for (let i = 0; i < n; i++) c[at++] = normal() + 6 * chunk;
  });
  add('C', '10 scores, each chunk raising the max', c, sizesC, [10]);
  // D: large and equal scores: uniform weights, no overflow
  add('D', '6 scores all equal to 1000', new Float32Array(6).fill(1000), [2, 4], [6]);
  return trials;
}

function concatOutputs(outputs: NamedTensor[], total: number): Float32Array | undefined {
  const whole = outputs.find((o) => o.data.length === total && o.shape.length <= 2);
  if (whole) return Float32Array.from(whole.data);
  // a list of per-chunk arrays (ragged, so it arrives as one tensor per chunk)
  const flat = outputs.filter((o) => o.shape.length === 1);
  if (flat.reduce((s, o) => s + o.data.length, 0) === total) {
    const out = new Float32Array(total);
    let at = 0;
    for (const o of flat) {
      out.set(o.data, at);
      at += o.data.length;
    }
    return out;
  }
  return undefined;
}

interface Outcome {
  trial: Trial;
  /** The weights, or why there are none. */
  weights?: Float32Array;
  error?: string;
}

function describe(t: Trial): string {
  return `row ${t.row} (${t.about}) cut as ${cut(t.sizes)}`;
}

function largestDiff(a: Float32Array, b: Float32Array): { at: number; diff: number } {
  let best = { at: 0, diff: 0 };
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    const bad = Number.isNaN(d) ? Infinity : d;
    if (bad > best.diff) best = { at: i, diff: bad };
  }
  return best;
}

const TOLERANCE = 1e-5;

class ChunkProbe {
  private readonly checks: ProbeCheck[] = [];

  constructor(private readonly ctx: ProbeContext) {}

  private async call(trial: Trial): Promise<Outcome> {
    const tensor = (data: Float32Array): ProbeValue => ({ kind: 'tensor', data, shape: [data.length], dtype: 'float32' });
    const outcome = await this.ctx.callee.call({
      args: [
        { name: 'scores', value: tensor(trial.scores), positional: true },
        { name: 'sizes', value: tensor(Float32Array.from(trial.sizes)), positional: true },
      ],
      form: 'nested',
    });
    if (!outcome.ok) return { trial, error: `${outcome.errorType}: ${firstLine(outcome.message)}` };
    const weights = concatOutputs(outcome.outputs, trial.scores.length);
    if (!weights) {
      const got = outcome.outputs.map((o) => shapeText(o.shape)).join(', ') || 'no array of numbers';
      return { trial, error: `returned ${got} for a row of ${trial.scores.length} scores (expected ${trial.scores.length} weights)` };
    }
    return { trial, weights };
  }

  async probe(): Promise<ProbeResult> {
    const { ctx } = this;
    const result: ProbeResult = { function: ctx.target.name, language: ctx.language, framework: 'nested', checks: this.checks };
    const outcomes: Outcome[] = [];
    for (const trial of chunkTrials(ctx.seed)) outcomes.push(await this.call(trial));
    const first = outcomes[0];
    if (!first.weights) {
      this.checks.push(fail('runs', `${ctx.target.name}(chunks) on ${describe(first.trial)}: ${first.error}`));
      return result;
    }
    const broken = outcomes.filter((o) => !o.weights);
    this.checks.push(
      pass('runs', `${ctx.target.name}(chunks) returns one weight per score (${outcomes.length} calls: ${outcomes.length - broken.length} returned weights)`, {
        values: { calls: outcomes.length },
      }),
    );
    const ran = outcomes.filter((o): o is Outcome & { weights: Float32Array } => o.weights !== undefined);
    const failedCalls = broken.length ? `; ${describe(broken[0].trial)} failed: ${broken[0].error}` : '';

    // finite
    const nonFinite = ran.find((o) => o.weights.some((x) => !Number.isFinite(x)));
    if (nonFinite) {
      const where = [...nonFinite.weights.keys()].filter((i) => !Number.isFinite(nonFinite.weights[i]));
      const large = Math.max(...nonFinite.trial.scores.map(Math.abs)) > 80;
      this.checks.push(
        fail(
          'finite',
          `${describe(nonFinite.trial)} gives NaN or ∞ at position${where.length > 1 ? 's' : ''} ${listOf(where)}${large ? ': exp of a large score overflows — subtract the running max before exp' : ''}`,
          { positions: where },
        ),
      );
    } else {
      this.checks.push(pass('finite', `every result is finite, scores up to ±1000 included (${ran.length} calls)`));
    }

    // rows sum to one
    const sums = ran.map((o) => ({ o, sum: o.weights.reduce((s, x) => s + x, 0) }));
    const badSum = sums.find((s) => !(Math.abs(s.sum - 1) <= TOLERANCE * s.o.weights.length));
    this.checks.push(
      badSum
        ? fail('rows-sum-to-one', `the weights of ${describe(badSum.o.trial)} sum to ${formatNumber(badSum.sum)}, not 1`, { values: { sum: badSum.sum } })
        : pass('rows-sum-to-one', `every result sums to 1 (max deviation ${formatNumber(Math.max(...sums.map((s) => Math.abs(s.sum - 1))))})`),
    );

    // chunk invariance: each cut of a row against its one-chunk cut (NaN results are the finite check's)
    const byRow = new Map<string, (Outcome & { weights: Float32Array })[]>();
    for (const o of ran) if (o.weights.every(Number.isFinite)) byRow.set(o.trial.row, [...(byRow.get(o.trial.row) ?? []), o]);
    let variance: { a: Outcome; b: Outcome; at: number; diff: number; wa: number; wb: number } | undefined;
    let compared = 0;
    for (const cuts of byRow.values()) {
      const whole = cuts.find((o) => o.trial.sizes.length === 1) ?? cuts[0];
      for (const other of cuts) {
        if (other === whole) continue;
        compared++;
        const d = largestDiff(whole.weights, other.weights);
        if (d.diff > TOLERANCE && (!variance || d.diff > variance.diff)) variance = { a: whole, b: other, ...d, wa: whole.weights[d.at], wb: other.weights[d.at] };
      }
    }
    if (compared === 0) {
      this.checks.push(skip('chunk-invariance', `not measured: no row returned finite weights under two different cuts${failedCalls}`));
    } else if (variance) {
      const raised = variance.b.trial.sizes.length > variance.a.trial.sizes.length;
      this.checks.push(
        fail(
          'chunk-invariance',
          `row ${variance.a.trial.row} (${variance.a.trial.about}) cut as ${cut(variance.a.trial.sizes)} and as ${cut(variance.b.trial.sizes)} gives different weights (position ${variance.at}: ${formatNumber(variance.wa)} vs ${formatNumber(variance.wb)})` +
            (raised ? ': when a later chunk raises the max, rescale the running sum by exp(old max − new max)' : ''),
          { positions: [variance.at], values: { maxAbsDiff: variance.diff } },
        ),
      );
    } else {
      this.checks.push(pass('chunk-invariance', `each row gives the same weights however it is cut (${compared} pairs of cuts compared)`));
    }

    // the engine
    let worst: { o: Outcome & { weights: Float32Array }; at: number; diff: number; want: number } | undefined;
    for (const o of ran) {
      const want = softmaxRows(o.trial.scores, o.trial.scores.length);
      const d = largestDiff(o.weights, want);
      if (!worst || d.diff > worst.diff) worst = { o, ...d, want: want[d.at] };
    }
    if (broken.length) {
      this.checks.push(fail('reference-agreement', `${describe(broken[0].trial)} failed: ${broken[0].error}`));
    } else if (worst && worst.diff > TOLERANCE) {
      this.checks.push(
        fail(
          'reference-agreement',
          `${describe(worst.o.trial)} differs from the engine's softmaxRows of the whole row (position ${worst.at}: ${formatNumber(worst.o.weights[worst.at])} vs ${formatNumber(worst.want)})`,
          { positions: [worst.at], values: { maxAbsDiff: worst.diff } },
        ),
      );
    } else {
      this.checks.push(pass('reference-agreement', `every result equals the engine's softmaxRows of the whole row (max |Δ| = ${formatNumber(worst?.diff ?? 0)}, ${ran.length} calls)`, { values: { maxAbsDiff: worst?.diff ?? 0 } }));
    }
    return result;
  }
}

export function probeChunkedSoftmax(ctx: ProbeContext): Promise<ProbeResult> {
  return new ChunkProbe(ctx).probe();
}

