// Benchmark: the TypeScript reference kernels against onnxruntime-node's Attention operator.
//
//   naive        scaledDotProductAttention: full [B, H, n, n] weights, then softmax, then ·V
//   tiled        tiledAttention: FlashAttention-style blocks with the online softmax
//   onnxruntime  one ONNX Attention node (opset 23) on the CPU execution provider
//
// Batch 1, 8 heads, d = 64, float32, no mask, n ∈ {128, 512, 2048, 8192}. Every method runs
// in its own fresh process (tools/bench/attention-child.ts), so the peak-memory column is
// that method's alone; the methods of one n run back to back. The reference is a single
// JavaScript thread, so onnxruntime gets one intra-op thread too.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ChildResult, Method } from '../attention-child';

const HEADS = 8;
const HEAD_SIZE = 64;
const THREADS = 1;
const SIZES = [128, 512, 2048, 8192];
const METHODS: Method[] = ['naive', 'tiled', 'onnxruntime'];
const CHILD = join(__dirname, '..', 'attention-child.ts');
/** Skip the naive kernel where its weights alone would not fit comfortably in memory. */
const NAIVE_LIMIT_BYTES = 8 * 2 ** 30;

/** Untimed warm-up calls, then timed calls: more at small n, where one call is short and noisy. */
function callsFor(method: Method, n: number): { warmups: number; runs: number } {
  if (n <= 512) return { warmups: 10, runs: 9 };
  if (n <= 2048) return method === 'onnxruntime' ? { warmups: 2, runs: 7 } : { warmups: 1, runs: 3 };
  return method === 'onnxruntime' ? { warmups: 1, runs: 3 } : { warmups: 0, runs: 1 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median time per timed call. */
function timePerCall(r: ChildResult): number {
  return median(r.timesMs);
}

function measure(method: Method, n: number): ChildResult {
  const { warmups, runs } = callsFor(method, n);
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, method, String(n), String(HEADS), String(HEAD_SIZE), String(warmups), String(runs), String(THREADS)], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as ChildResult;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`;
const ratio = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)}×`;

/** Largest |a − b| / max(1, |b|) over the sampled outputs. */
function maxRelDiff(a: number[], b: number[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

export const referenceAttentionSuite = {
  name: 'reference-attention',
  async run(): Promise<string> {
    const rows: string[] = [];
    let goal = '';
    let memoryNote = '';
    for (const n of SIZES) {
      const results = new Map<Method, ChildResult | string>();
      for (const method of METHODS) {
        const weightsBytes = HEADS * n * n * 4;
        if (method === 'naive' && weightsBytes > NAIVE_LIMIT_BYTES) {
          results.set(method, `skipped: would allocate ${(weightsBytes / 2 ** 30).toFixed(0)} GiB`);
          continue;
        }
        results.set(method, measure(method, n));
        process.stderr.write(`  reference-attention: ${method} n=${n} done\n`);
      }
      const ort = results.get('onnxruntime') as ChildResult;
      const ortMs = timePerCall(ort);
      const flops = 4 * HEADS * n * n * HEAD_SIZE;
      const cell = (m: Method, f: (r: ChildResult) => string) => {
        const r = results.get(m);
        return typeof r === 'string' ? r : f(r as ChildResult);
      };
      const tiled = results.get('tiled') as ChildResult;
      const tiledRatio = timePerCall(tiled) / ortMs;
      if (n === 2048) goal = `At n = 2,048 the tiled kernel takes ${ratio(tiledRatio)} onnxruntime's time with the same thread count (goal: within 10×: ${tiledRatio <= 10 ? 'met' : 'not met'}).`;
      if (n === SIZES[SIZES.length - 1]) {
        const scores = HEADS * n * n * 4;
        memoryNote = `At n = ${n.toLocaleString('en-US')} the full float32 scores of ${HEADS} heads take ${mib(scores)}; peak growth there: onnxruntime ${mib(ort.peakGrowthBytes)}, tiled ${mib(tiled.peakGrowthBytes)} (its output alone is ${mib(HEADS * n * HEAD_SIZE * 4)}).`;
      }
      const agree = [cell('naive', (r) => maxRelDiff(r.sample, ort.sample).toExponential(1)), maxRelDiff(tiled.sample, ort.sample).toExponential(1)].join(' / ');
      rows.push(
        `| ${n} | ${cell('naive', (r) => ms(timePerCall(r)))} | ${ms(timePerCall(tiled))} | ${ms(ortMs)} | ${cell('naive', (r) => ratio(timePerCall(r) / ortMs))} | ${ratio(tiledRatio)} | ${(flops / timePerCall(tiled) / 1e6).toFixed(2)} | ${(flops / ortMs / 1e6).toFixed(1)} | ${cell('naive', (r) => mib(r.peakGrowthBytes))} | ${mib(tiled.peakGrowthBytes)} | ${mib(ort.peakGrowthBytes)} | ${agree} |`,
      );
    }
    return [
      '## Attention kernels: reference naive vs tiled vs onnxruntime-node',
      '',
      `Q, K, V of shape [1, ${HEADS}, n, ${HEAD_SIZE}], float32, no mask. Reference kernels: one JavaScript thread; onnxruntime-node: CPU execution provider, \`Attention\` opset 23, intra-op threads = ${THREADS}. Time: median milliseconds per call after untimed warm-up calls (JIT and WebAssembly tier-up): 10 warm-ups and 9 timed calls up to n = 512; at n = 2,048 one warm-up and 3 timed calls (onnxruntime 2 and 7); at n = 8,192 the reference runs once (that call is the measurement) and onnxruntime 1 + 3. Ratios are to onnxruntime in the same run. Peak memory: growth of the process's peak RSS during the first call, each method in a fresh process after its inputs (3 × ${HEADS}·n·${HEAD_SIZE}·4 bytes) exist; memory the process had freed before can be reused, so values of a few MiB are approximate. "max rel diff" compares 4,096 sampled outputs with onnxruntime's.`,
      '',
      '| n | naive ms | tiled ms | onnxruntime ms | naive / ORT | tiled / ORT | tiled GFLOP/s | ORT GFLOP/s | naive peak | tiled peak | ORT peak | max rel diff vs ORT (naive / tiled) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `GFLOP/s counts 4·H·n²·d (Q·Kᵀ and P·V). ${goal} ${memoryNote}`,
      '',
    ].join('\n');
  },
};

export default referenceAttentionSuite;
