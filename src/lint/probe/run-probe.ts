// Runs the probe on one target: starts the right runner (Python subprocess or TS/JS worker),
// dispatches to the kernel or module probe, and turns any run-ending failure (timeout,
// missing interpreter or library, import error…) into a result with a clear message.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { planParameters } from './argument-plan';
import { ProbeAbort, type ProbeCallee } from './callee';
import { discoverProbeTargets, probeLanguageOf } from './discover-targets';
import { probeChunkedSoftmax, startChunkedCallee } from './probe-chunks';
import { isCrossAttentionTarget, probeCross } from './probe-cross';
import { probeKernel } from './probe-kernel';
import { constructorSizes, moduleDims, probeModule } from './probe-module';
import { PythonCallee, harnessScript } from './python-runner';
import { ScriptCallee, workerScript } from './script-runner';
import {
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_SECONDS,
  type ProbeFailure,
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
} from './probe-types';

/** media/probe, found by walking up from this file (src/lint/probe in tests, dist/ when bundled). */
export function defaultHarnessFolder(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'media', 'probe');
    if (existsSync(join(candidate, 'harness.py'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`attention probe: media/probe/harness.py not found above ${__dirname}`);
}

function failed(target: Pick<ProbeTarget, 'name' | 'language'>, failure: ProbeFailure, started: number): ProbeResult {
  return {
    function: target.name,
    language: target.language,
    checks: [{ id: 'runs', passed: false, status: 'fail', message: failure.message }],
    error: failure,
    elapsedMs: Date.now() - started,
  };
}

/** Probes a discovered target in `file` (the file is imported from disk). */
export async function probeTarget(file: string, target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = Date.now();
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const memoryLimitMB = options.memoryLimitMB ?? DEFAULT_MEMORY_LIMIT_MB;
  const folder = options.harnessFolder ?? defaultHarnessFolder();
  const path = resolve(file);
  const dims = moduleDims(target);
  let callee: ProbeCallee | undefined;
  try {
    callee =
      target.language === 'python'
        ? await PythonCallee.start(path, target, {
            pythonPath: options.pythonPath || 'python3',
            harnessPath: harnessScript(folder),
            memoryLimitMB,
            timeoutSeconds,
            signal: options.signal,
            sizes: constructorSizes(dims),
          })
        : await (target.style === 'chunks' ? startChunkedCallee : ScriptCallee.start)(path, target, {
            workerPath: workerScript(folder),
            memoryLimitMB,
            timeoutSeconds,
            signal: options.signal,
          });
    const ctx = { target, callee, language: target.language, plan: planParameters(callee.loaded.parameters), seed: options.seed ?? DEFAULT_SEED };
    const result =
      target.style === 'chunks'
        ? await probeChunkedSoftmax(ctx)
        : target.kind === 'function' && target.style === 'qkv'
        ? await probeKernel(ctx)
        : isCrossAttentionTarget(ctx)
          ? await probeCross(ctx, dims)
          : await probeModule(ctx, dims);
    result.notes = [...callee.loaded.notes];
    result.elapsedMs = Date.now() - started;
    return result;
  } catch (e) {
    if (e instanceof ProbeAbort) return failed(target, e.failure, started);
    throw e;
  } finally {
    callee?.dispose();
  }
}

/**
 * Probes the attention function or module `functionName` in the file at `path`. The entry
 * point for the exercise checker and the CLI; never imports vscode.
 */
export async function probeFile(path: string, functionName: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = Date.now();
  const language = probeLanguageOf(path);
  if (!language) {
    return failed({ name: functionName, language: 'python' }, { kind: 'unsupported', message: `The probe runs Python, TypeScript and JavaScript files, not ${path}.` }, started);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return failed({ name: functionName, language }, { kind: 'not-found', message: `Cannot read ${path}: ${(e as Error).message}` }, started);
  }
  const targets = await discoverProbeTargets(text, path);
  const target = targets.find((t) => t.name === functionName) ?? targets.find((t) => t.exportName === functionName);
  if (!target) {
    const known = targets.map((t) => t.name);
    return failed(
      { name: functionName, language },
      {
        kind: 'not-found',
        message:
          `No attention function or module named '${functionName}' in ${path}` +
          (known.length ? ` (found: ${known.join(', ')}).` : '. The probe looks for top-level functions taking (q, k, v…) or (x…), and classes with forward().'),
      },
      started,
    );
  }
  return probeTarget(path, target, options);
}
