// Choosing an ONNX Runtime execution provider. ORT throws (rather than falls back) when a
// provider's libraries or device are missing, so we try each candidate in turn, keep every
// failure's reason for the user, and end on CPU, which always ships inside onnxruntime-node.
//
// `auto`, per platform (docs/onnx-backend.md):
//   linux x64  CUDA  only when its provider libraries were installed (ONNXRUNTIME_NODE_INSTALL=cuda12)
//              WebGPU only when the machine shows a GPU device node (/dev/dri/renderD*, /dev/nvidia0):
//                     without one Dawn finds no adapter and session creation throws
//   win32      DirectML, then WebGPU
//   darwin     CoreML, then WebGPU
//   then CPU.
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderPreference } from '../engine-api';

export interface ProviderFallback {
  provider: string;
  reason: string;
}

export interface ProviderChoice {
  session: ort.InferenceSession;
  provider: string;
  fallbacks: ProviderFallback[];
}

export interface PlatformFacts {
  platform: NodeJS.Platform;
  arch: string;
  cudaLibraries: boolean;
  gpuDevice: boolean;
}

/** Where onnxruntime-node keeps this platform's native libraries. */
export function ortBinaryDir(): string | undefined {
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
  return !!dir && existsSync(join(dir, 'libonnxruntime_providers_cuda.so')) && existsSync(join(dir, 'libonnxruntime_providers_shared.so'));
}

/** Whether a Linux machine exposes a GPU to user space (a DRM render node or the NVIDIA device). */
export function linuxGpuDevicePresent(): boolean {
  try {
    if (existsSync('/dev/nvidia0')) return true;
    return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

export function currentPlatform(): PlatformFacts {
  return {
    platform: process.platform,
    arch: process.arch,
    cudaLibraries: process.platform === 'linux' && cudaLibrariesPresent(),
    gpuDevice: process.platform === 'linux' ? linuxGpuDevicePresent() : true,
  };
}

/**
 * Providers to try for a preference, in order, and the ones skipped without trying with the
 * reason (so the user learns why, e.g. "CUDA libraries not installed").
 */
export function candidateProviders(pref: ExecutionProviderPreference, facts: PlatformFacts = currentPlatform()): { order: string[]; skipped: ProviderFallback[] } {
  const skipped: ProviderFallback[] = [];
  if (pref === 'cpu') return { order: ['cpu'], skipped };
  if (pref !== 'auto') return { order: [pref, 'cpu'], skipped };
  const order: string[] = [];
  if (facts.platform === 'linux' && facts.arch === 'x64') {
    if (facts.cudaLibraries) order.push('cuda');
    else skipped.push({ provider: 'cuda', reason: 'the CUDA provider libraries are not installed (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci)' });
  }
  if (facts.platform === 'win32') order.push('dml');
  if (facts.platform === 'darwin') order.push('coreml');
  if (facts.platform === 'linux' && !facts.gpuDevice) {
    skipped.push({ provider: 'webgpu', reason: 'no GPU device found (/dev/dri/renderD*, /dev/nvidia0)' });
  } else if (facts.platform === 'win32' || facts.platform === 'darwin' || (facts.platform === 'linux' && facts.arch === 'x64')) {
    order.push('webgpu');
  }
  order.push('cpu');
  return { order, skipped };
}

/** Intra-op threads: the setting when > 0, else min(4, cores − 1), at least 1. */
export function defaultThreads(requested: number | undefined, cores = availableParallelism?.() ?? cpus().length): number {
  if (requested && requested > 0) return Math.floor(requested);
  // Leave a core for the editor; beyond 4 threads these small graphs gain little.
  return Math.max(1, Math.min(4, cores - 1));
}

export interface SessionTuning {
  threads?: number;
  /** ORT's CPU arena keeps its peak allocation for the session's life (see docs/onnx-backend.md). */
  memoryArena?: boolean;
}

export function sessionOptions(tuning: SessionTuning = {}): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: defaultThreads(tuning.threads),
    // One graph, one request at a time: parallel branches would only compete for the same cores.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Attention outputs are large and short-lived: give memory back after each run rather than
    // keep the peak for the session's lifetime (measured cost in docs/onnx-backend.md).
    enableCpuMemArena: tuning.memoryArena ?? false,
    enableMemPattern: true,
    // Only errors: provider probing logs failures we already report ourselves.
    logSeverityLevel: 3,
  };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.replace(/^\/onnxruntime_src\/\S+ /, '').slice(0, 300);
}

/** Creates a session on the first provider that loads, recording why the others did not. */
export async function createSessionWithFallback(model: Uint8Array, pref: ExecutionProviderPreference, tuning: SessionTuning = {}): Promise<ProviderChoice> {
  const { order, skipped } = candidateProviders(pref);
  const fallbacks = [...skipped];
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(model, { ...sessionOptions(tuning), executionProviders: [provider] });
      return { session, provider, fallbacks };
    } catch (e) {
      if (provider === 'cpu') throw new Error(`ONNX Runtime could not load the model on CPU: ${firstLine(e)}`);
      fallbacks.push({ provider, reason: firstLine(e) });
    }
  }
  throw new Error('no execution provider could be created');
}
