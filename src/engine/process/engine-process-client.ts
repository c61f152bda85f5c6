// The host side of the engine child process. Implements AttentionEngine by forwarding each
// request to a forked process, so ONNX Runtime's native code and its memory live outside the
// VS Code extension host. Cancelling aborts the run in the child, and kills the child when it
// does not stop in time (freeing its memory); a child that dies is reported to the active run
// and started again on the next request.
import { fork, type ChildProcess } from 'node:child_process';
import type { AttentionEngine, EngineEvent, InspectRequest } from '../engine-api';
import type { EngineToHost, HostToEngine } from './engine-messages';

export interface EngineProcessOptions {
  /** The child's entry script (dist/engine-process.js, or the .ts with execArgv for tests). */
  entry: string;
  execArgv?: string[];
  /** V8 heap limit of the child, in MB. */
  memoryLimitMB?: number;
  threads?: number;
  /** How long a cancelled run may take to stop before the child is killed. */
  cancelGraceMs?: number;
}

interface ActiveRun {
  runId: number;
  emit: (e: EngineEvent) => void;
  resolve: () => void;
}

export class EngineProcessClient implements AttentionEngine {
  private child?: ChildProcess;
  private readonly runs = new Map<number, ActiveRun>();
  /** Why the last child ended, for the message of the next run that notices. */
  lastExit?: string;

  constructor(private readonly options: EngineProcessOptions) {}

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const execArgv = [...(this.options.execArgv ?? []), `--max-old-space-size=${this.options.memoryLimitMB ?? 4096}`];
    const child = fork(this.options.entry, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ATTN_ENGINE_THREADS: String(this.options.threads ?? 0), ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('message', (m: EngineToHost) => {
      if (m.type !== 'event') return;
      const run = this.runs.get(m.event.runId);
      if (!run) return; // a cancelled or finished run: drop stale events
      run.emit(m.event);
      if (m.event.type === 'done' || m.event.type === 'error') this.finish(run.runId);
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const why = signal ? `signal ${signal}` : `code ${code}`;
      const oom = /heap out of memory|Allocation failed/i.test(stderr);
      this.lastExit = `the engine process exited (${why})${oom ? ': out of memory' : ''}${stderr.trim() ? ` — ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`;
      for (const run of [...this.runs.values()]) {
        run.emit({ type: 'error', runId: run.runId, message: `${this.lastExit}. It will be restarted on the next inspection.` });
        this.finish(run.runId);
      }
    });
    this.child = child;
    return child;
  }

  private finish(runId: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    run.resolve();
  }

  private send(m: HostToEngine): void {
    this.start().send(m);
  }

  inspect(request: InspectRequest, emit: (event: EngineEvent) => void, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.runs.set(request.runId, { runId: request.runId, emit, resolve });
      signal?.addEventListener('abort', () => this.cancel(request.runId), { once: true });
      try {
        this.send({ type: 'inspect', request });
      } catch (e) {
        emit({ type: 'error', runId: request.runId, message: `could not start the engine process: ${(e as Error).message}` });
        this.finish(request.runId);
      }
    });
  }

  private cancel(runId: number): void {
    if (!this.runs.has(runId)) return;
    this.finish(runId);
    const child = this.child;
    if (!child) return;
    child.send({ type: 'cancel', runId } satisfies HostToEngine);
    // ONNX Runtime cannot be interrupted inside a run: if nothing else is running, end the
    // process after a grace period so its memory is returned; the next request starts a fresh one.
    setTimeout(() => {
      if (this.child === child && this.runs.size === 0) child.kill();
    }, this.options.cancelGraceMs ?? 1500).unref();
  }

  /** Test hook: the pid of the current child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async dispose(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    for (const run of [...this.runs.keys()]) this.finish(run);
    if (child && child.exitCode === null) {
      child.send({ type: 'dispose' } satisfies HostToEngine);
      setTimeout(() => child.kill(), 2000).unref();
    }
  }
}
