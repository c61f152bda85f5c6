// Runs a TypeScript/JavaScript target in a worker thread (media/probe/script-worker.js):
// a separate V8 isolate with a heap limit (resourceLimits) and terminate() on a timeout, so a
// runaway loop or allocation never touches the extension host. The worker's console output
// is captured, not forwarded.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abort, ProbeAbort } from './callee';
import type { CallOutcome, CallRequest, LoadedTarget, NamedTensor, ProbeCallee } from './callee';
import type { ProbeTarget } from './probe-types';

export interface ScriptRunnerOptions {
  workerPath: string;
  memoryLimitMB: number;
  /** Limit for loading the module, and again for all the calls, in seconds. */
  timeoutSeconds: number;
  signal?: AbortSignal;
}

interface WorkerMessage {
  op: 'loaded' | 'result';
  id?: number;
  ok: boolean;
  stage?: string;
  errorType?: string;
  message?: string;
  detail?: string;
  outputs?: NamedTensor[];
}

export class ScriptCallee implements ProbeCallee {
  private worker!: Worker;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void }>();
  private loadWaiter: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void } | undefined;
  private finished: ProbeAbort | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;
  private output = '';
  loaded!: LoadedTarget;

  private constructor(private readonly options: ScriptRunnerOptions) {}

  static async start(file: string, target: ProbeTarget, options: ScriptRunnerOptions): Promise<ScriptCallee> {
    const callee = new ScriptCallee(options);
    try {
      const first = await callee.startWorker(file, target.exportName ?? target.name);
      if (!first.ok) {
        const detail = first.detail || undefined;
        if (first.stage === 'lookup') throw abort('not-found', first.message ?? 'The function is not exported.');
        throw abort('import-error', `Loading the module failed: ${first.errorType}: ${first.message}`, detail);
      }
      callee.armTimer('calls');
      callee.loaded = {
        framework: 'javascript',
        parameters: target.parameters.map((p) => ({
          name: p.name,
          kind: p.variadic ? 'variadic' : 'positional',
          hasDefault: p.hasDefault,
          typeText: p.typeText,
        })),
        constructedWith: {},
        notes: [`Node ${process.versions.node} worker thread`],
      };
      return callee;
    } catch (e) {
      callee.dispose();
      throw e;
    }
  }

  private startWorker(file: string, exportName: string): Promise<WorkerMessage> {
    const { memoryLimitMB } = this.options;
    const worker = new Worker(this.options.workerPath, {
      workerData: { file, exportName },
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMB, maxYoungGenerationSizeMb: Math.min(64, memoryLimitMB), stackSizeMb: 4 },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    const keep = (chunk: Buffer | string) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    worker.stdout.on('data', keep);
    worker.stderr.on('data', keep);
    const loaded = new Promise<WorkerMessage>((resolve, reject) => {
      this.loadWaiter = { resolve, reject };
    });
    worker.on('message', (m: WorkerMessage) => {
      if (m.op === 'loaded') {
        const w = this.loadWaiter;
        this.loadWaiter = undefined;
        w?.resolve(m);
      } else if (m.op === 'result' && m.id !== undefined) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w?.resolve(m);
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.fail(abort('memory', `The function ran out of memory (heap limit ${memoryLimitMB} MB, setting attentionInspector.probe.memoryLimitMB).`));
      } else {
        this.fail(abort('crash', `The probe worker failed: ${err.message}`, this.output.trim() || undefined));
      }
    });
    worker.on('exit', (code) => {
      this.fail(abort('crash', `The probe worker stopped unexpectedly (exit code ${code}).`, this.output.trim() || undefined));
    });
    this.armTimer('start');
    if (this.options.signal) {
      this.onAbort = () => this.fail(abort('cancelled', 'The probe was cancelled.'));
      if (this.options.signal.aborted) this.onAbort();
      else this.options.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    return loaded;
  }

  /** The time limit, armed for loading the module and again for the calls. */
  private armTimer(phase: 'start' | 'calls'): void {
    if (this.timer) clearTimeout(this.timer);
    const limit = this.options.timeoutSeconds;
    const what = phase === 'start' ? `Loading the module took longer than ${limit} s.` : `The function's calls took longer than ${limit} s. Does it loop forever?`;
    this.timer = setTimeout(() => {
      this.fail(abort('timeout', `${what} The probe was stopped (setting attentionInspector.probe.timeoutSeconds).`));
    }, limit * 1000);
  }

  private fail(failure: ProbeAbort): void {
    if (this.finished) return;
    this.finished = failure;
    this.stop();
    this.loadWaiter?.reject(failure);
    this.loadWaiter = undefined;
    for (const w of this.waiting.values()) w.reject(failure);
    this.waiting.clear();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.options.signal?.removeEventListener('abort', this.onAbort);
    void this.worker?.terminate();
  }

  async call(request: CallRequest): Promise<CallOutcome> {
    if (this.finished) throw this.finished;
    const id = this.nextId++;
    const reply = await new Promise<WorkerMessage>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ op: 'call', id, form: request.form ?? 'nested', args: request.args });
    });
    if (reply.ok) {
      const outputs = (reply.outputs ?? []).map((t) => ({ name: t.name, shape: [...t.shape], data: t.data }));
      return { ok: true, outputs, captured: [] };
    }
    return { ok: false, errorType: reply.errorType ?? 'Error', message: reply.message ?? '', detail: reply.detail };
  }

  dispose(): void {
    if (!this.finished) this.finished = abort('cancelled', 'The probe has finished.');
    this.stop();
  }
}

export function workerScript(folder: string): string {
  return join(folder, 'script-worker.js');
}
