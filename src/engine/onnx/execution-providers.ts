// Choosing an ONNX Runtime execution provider. ORT throws (rather than falls back) when a
// provider's libraries are missing, so we try each candidate in turn, keep every failure's
// reason for the user, and end on CPU, which always ships inside onnxruntime-node.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderPreference } from '../engine-api';

export interface ProviderChoice {
  session: ort.InferenceSession;
  provider: string;
  fallbacks: { provider: string; reason: string }[];
}

/** Where onnxruntime-node keeps this platform's native libraries. */
function ortBinaryDir(): string | undefined {
  try {
    const pkg = require.resolve('onnxruntime-node/package.json');
    return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** CUDA works only when its provider libraries were installed (ONNXRUNTIME_NODE_INSTALL=cuda12). */
export function cudaLibrariesPresent(): boolean {
  const dir = ortBinaryDir();
  return !!dir && existsSync(join(dir, 'libonnxruntime_providers_cuda.so'));
}

/**
 * Providers to try for a preference, in order, each with a reason when it is skipped without
 * trying (so the user learns why, e.g. "CUDA libraries not installed").
 */
export function candidateProviders(pref: ExecutionProviderPreference): { try: string[]; skipped: { provider: string; reason: string }[] } {
  const skipped: { provider: string; reason: string }[] = [];
  if (pref !== 'auto') return { try: pref === 'cpu' ? ['cpu'] : [pref, 'cpu'], skipped };
  const list: string[] = [];
  if (process.platform === 'linux' && process.arch === 'x64') {
    if (cudaLibrariesPresent()) list.push('cuda');
    else skipped.push({ provider: 'cuda', reason: 'CUDA provider libraries not installed (install with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci)' });
  }
  if (process.platform === 'win32') list.push('dml');
  if (process.platform === 'darwin') list.push('coreml');
  // WebGPU is experimental in onnxruntime-node and needs a GPU adapter; auto only tries it
  // where a GPU provider is otherwise expected (Windows/macOS), never on a headless Linux box.
  if (process.platform === 'win32' || process.platform === 'darwin') list.push('webgpu');
  list.push('cpu');
  return { try: list, skipped };
}

export function defaultThreads(requested: number): number {
  if (requested > 0) return requested;
  const cores = require('node:os').availableParallelism?.() ?? require('node:os').cpus().length;
  // Leave a core for the editor itself; more than 4 threads rarely helps these small graphs.
  return Math.max(1, Math.min(4, cores - 1));
}

export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: defaultThreads(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // The arena keeps peak buffers for the process lifetime; attention outputs are large and
    // short-lived, so returning memory to the system matters more than allocation speed here.
    enableCpuMemArena: false,
    enableMemPattern: true,
    logSeverityLevel: 3,
  };
}

/** Creates a session on the first provider that loads, recording why the others did not. */
export async function createSessionWithFallback(model: Uint8Array, pref: ExecutionProviderPreference, threads: number): Promise<ProviderChoice> {
  const { try: order, skipped } = candidateProviders(pref);
  const fallbacks = [...skipped];
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(model, { ...sessionOptions(threads), executionProviders: [provider] });
      return { session, provider, fallbacks };
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
      if (provider === 'cpu') throw new Error(`ONNX Runtime could not load the model on CPU: ${reason}`);
      fallbacks.push({ provider, reason });
    }
  }
  throw new Error('no execution provider could be created');
}
