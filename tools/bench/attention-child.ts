// One attention measurement in a fresh process, so its peak memory is its own:
//   node --import tsx tools/bench/attention-child.ts <naive|tiled|onnxruntime> <n> <heads> <d> <warmups> <runs> <threads>
// Prints one JSON line: times of each timed call (ms), growth of the process's peak RSS over
// the first call (bytes), and a sample of the output for cross-checking the methods.
// The first `warmups` calls are not timed (JIT and WebAssembly tier-up); with none, the one
// call is both the memory and the time measurement.
//
// Inputs are the same deterministic Q, K, V [1, heads, n, d] in every process.

import { performance } from 'node:perf_hooks';
import { AttentionOpSession } from '../../src/engine/onnx/attention-op-session';
import { scaledDotProductAttention } from '../../src/engine/reference/scaled-dot-product-attention';
import { tiledAttention } from '../../src/engine/reference/tiled-attention';
import type { Tensor } from '../../src/engine/reference/tensor';

export type Method = 'naive' | 'tiled' | 'onnxruntime';

export interface ChildResult {
  method: Method;
  n: number;
  timesMs: number[];
  /** Timed calls (after the warm-up calls). */
  warmups: number;
  /** maxRSS after the first call minus maxRSS before it. */
  peakGrowthBytes: number;
  /** maxRSS before the first call (inputs ready, session open). */
  baselineBytes: number;
  /** Output values at evenly spaced indices. */
  sample: number[];
}

export const SAMPLE_POINTS = 4096;

/** Deterministic input: sin of a seeded linear index, like the unit tests' wave(). */
function input(shape: number[], seed: number): Tensor {
  const len = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(len);
  for (let i = 0; i < len; i++) data[i] = Math.sin(0.37 * i + seed) * 0.8;
  return { data, shape };
}

function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const [method, nArg, headsArg, dArg, warmupsArg, runsArg, threadsArg] = process.argv.slice(2);
  const warmups = Number(warmupsArg);
  const n = Number(nArg);
  const heads = Number(headsArg);
  const d = Number(dArg);
  const runs = Number(runsArg);
  const threads = Number(threadsArg);
  const shape = [1, heads, n, d];
  const q = input(shape, 1);
  const k = input(shape, 2);
  const v = input(shape, 3);

  let call: () => Promise<Float32Array>;
  let release = async () => {};
  if (method === 'naive') call = async () => scaledDotProductAttention(q, k, v).output.data;
  else if (method === 'tiled') call = async () => tiledAttention(q, k, v).output.data;
  else if (method === 'onnxruntime') {
    const session = await AttentionOpSession.create({ batch: 1, queryHeads: heads, kvHeads: heads, queryLength: n, keyLength: n, headSize: d }, { threads });
    call = () => session.run(q.data, k.data, v.data);
    release = () => session.release();
  } else throw new Error(`unknown method ${method}`);

  const timesMs: number[] = [];
  const baselineBytes = maxRssBytes();
  let t0 = performance.now();
  let out = await call(); // first call: the peak-memory measurement
  const first = performance.now() - t0;
  const peakGrowthBytes = maxRssBytes() - baselineBytes;
  if (warmups === 0) timesMs.push(first);
  for (let w = 1; w < warmups; w++) out = await call();
  while (timesMs.length < runs) {
    t0 = performance.now();
    out = await call();
    timesMs.push(performance.now() - t0);
  }
  const sample: number[] = [];
  for (let s = 0; s < SAMPLE_POINTS; s++) sample.push(out[Math.floor((s * out.length) / SAMPLE_POINTS)]);
  await release();
  const result: ChildResult = { method: method as Method, n, timesMs, warmups, peakGrowthBytes, baselineBytes, sample };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
