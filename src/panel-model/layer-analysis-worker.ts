// The host side of the analysis worker (analysis-worker-main.ts): one worker thread, jobs
// answered in order. Weights backed by a SharedArrayBuffer (as the engine process client
// assembles them) reach the worker without a copy; others are copied by postMessage.
// If the worker cannot start or dies, the analysis runs on the calling thread instead, so a
// broken worker costs responsiveness, never results.
import { Worker } from 'node:worker_threads';
import type { LayerAttention, TokenSpan } from '../engine/engine-api';
import { analyzeStreamedLayer } from './layer-analysis';
import type { LayerAnalysis } from './run-pipeline';

export interface AnalysisJob {
  id: number;
  attention: LayerAttention;
  tokens: TokenSpan[];
  causal: boolean;
}

export type AnalysisReply = { id: number; analysis: LayerAnalysis } | { id: number; error: string };

export interface AnalysisWorkerOptions {
  /** The worker's script (dist/analysis-worker.js; the .ts with execArgv ['--require', 'tsx/cjs'] in tests). */
  script: string;
  execArgv?: string[];
}

interface Waiting {
  job: AnalysisJob;
  resolve: (a: LayerAnalysis) => void;
  reject: (e: Error) => void;
}

export class LayerAnalysisWorker {
  private worker?: Worker;
  private broken?: string;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly options: AnalysisWorkerOptions) {}

  /** Why the worker is not used (the analysis then runs on the calling thread), if it is not. */
  get fallbackReason(): string | undefined {
    return this.broken;
  }

  analyze(attention: LayerAttention, tokens: TokenSpan[], causal: boolean): Promise<LayerAnalysis> {
    const worker = this.ensureWorker();
    if (!worker) return Promise.resolve(analyzeStreamedLayer(attention, tokens, causal));
    const job: AnalysisJob = { id: this.nextId++, attention, tokens, causal };
    return new Promise<LayerAnalysis>((resolve, reject) => {
      this.waiting.set(job.id, { job, resolve, reject });
      worker.ref(); // keep the process alive while a job is out
      worker.postMessage(job);
    });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    this.broken = 'disposed';
    void w?.terminate();
    for (const { reject } of this.waiting.values()) reject(new Error('the analysis worker was disposed'));
    this.waiting.clear();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    try {
      const worker = new Worker(this.options.script, { execArgv: this.options.execArgv });
      worker.unref(); // an idle worker must not keep a CLI or test process alive
      worker.on('message', (reply: AnalysisReply) => this.onReply(reply));
      worker.on('error', (e) => this.fail(`the analysis worker failed: ${e.message}`));
      worker.on('exit', (code) => this.fail(`the analysis worker exited (code ${code})`));
      this.worker = worker;
    } catch (e) {
      this.broken = `the analysis worker could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
    return this.worker;
  }

  private onReply(reply: AnalysisReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if ('analysis' in reply) w.resolve(reply.analysis);
    else w.reject(new Error(reply.error));
  }

  /** The worker is gone: finish what it was asked on this thread, and use this thread from now on. */
  private fail(reason: string): void {
    if (this.broken) return;
    this.broken = reason;
    this.worker = undefined;
    const pending = [...this.waiting.values()];
    this.waiting.clear();
    for (const { job, resolve, reject } of pending) {
      try {
        resolve(analyzeStreamedLayer(job.attention, job.tokens, job.causal));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}
