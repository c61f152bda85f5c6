// The host side of the engine child process. Implements AttentionEngine by forwarding each
// request to a forked Node process, so ONNX Runtime's native code and its memory live outside
// the VS Code extension host:
//   - one run is active at a time: a new request cancels the previous one, and events of runs
//     no longer active are dropped (matched by runId);
//   - cancel aborts the run in the child; if the child is still busy with it after a grace
//     period (ONNX Runtime cannot be interrupted inside a run), the child is killed, its memory
//     returned, and a new child takes the next request;
//   - a child that dies (native crash, out of memory, killed) is reported to the active run as
//     "the engine process exited (…)", and the next request starts a new child.
import { fork, type ChildProcess } from 'node:child_process';
import type { AttentionEngine, EngineEmit, InspectRequest, LayerAttention } from '../engine-api';
import type { AttentionRoute } from '../onnx/onnx-engine';
import { ENGINE_ENV, type EngineToHost, type HostToEngine, type TestCrashMode } from './engine-messages';

export interface EngineProcessOptions {
  /** The child's entry script (dist/engine-process.js, or the .ts with execArgv ['--import', 'tsx'] in tests). */
  entry: string;
  execArgv?: string[];
  /** V8 heap limit of the child (--max-old-space-size), in MB; also the engine's per-layer memory budget. Default 4096. */
  memoryLimitMB?: number;
  /** ONNX Runtime intra-op threads; 0 = automatic. */
  threads?: number;
  route?: AttentionRoute;
  recomputeAboveMB?: number;
  /** How long a cancelled run may take to stop before the child is killed. Default 2000 ms. */
  cancelGraceMs?: number;
  /** Let tests make the child crash on request (never set by the extension). */
  testHooks?: boolean;
  /** Floats per message when a layer is sent in chunks (default LAYER_CHUNK_FLOATS); tests make it small. */
  chunkFloats?: number;
}

interface ActiveRun {
  request: InspectRequest;
  emit: EngineEmit;
  resolve: () => void;
  /** The child that was sent this request. */
  child?: ChildProcess;
}

interface Assembly {
  meta: Omit<LayerAttention, 'weights'>;
  weights: Float32Array;
  received: number;
}

export class EngineProcessClient implements AttentionEngine {
  private child?: ChildProcess;
  private active?: ActiveRun;
  /** Run ids the current child has been sent and not yet reported 'ended'. */
  private readonly busy = new Set<number>();
  /** Children we killed on purpose (a cancel that did not stop in time, or dispose). */
  private readonly killed = new WeakSet<ChildProcess>();
  private assembly?: Assembly;
  private stderrTail = '';
  private disposed = false;
  /** Why the last child ended, as reported to the user. */
  lastExit?: string;
  /** How many children have been started (tests check restarts). */
  starts = 0;

  constructor(private readonly options: EngineProcessOptions) {}

  /** The pid of the current child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  inspect(request: InspectRequest, emit: EngineEmit, signal?: AbortSignal): Promise<void> {
    if (this.disposed) {
      emit({ type: 'error', runId: request.runId, message: 'The engine has been shut down.' });
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.resolve();
    if (this.active) this.cancel(this.active.request.runId);
    return new Promise<void>((resolve) => {
      const run: ActiveRun = { request, emit, resolve };
      this.active = run;
      signal?.addEventListener('abort', () => this.cancel(request.runId), { once: true });
      this.dispatch(run);
    });
  }

  private dispatch(run: ActiveRun): void {
    try {
      const child = this.ensureChild();
      run.child = child;
      this.busy.add(run.request.runId);
      this.send(child, { type: 'inspect', request: run.request });
    } catch (e) {
      this.fail(run, `Could not start the engine process: ${(e as Error).message}`);
    }
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null && this.child.connected) return this.child;
    const o = this.options;
    const memory = o.memoryLimitMB ?? 4096;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // The extension host is Electron: run its binary as plain Node.
      ELECTRON_RUN_AS_NODE: '1',
      [ENGINE_ENV.threads]: String(o.threads ?? 0),
      [ENGINE_ENV.memoryLimitMB]: String(memory),
      [ENGINE_ENV.route]: o.route ?? '',
      [ENGINE_ENV.recomputeAboveMB]: o.recomputeAboveMB !== undefined ? String(o.recomputeAboveMB) : '',
      [ENGINE_ENV.testHooks]: o.testHooks ? '1' : '',
      [ENGINE_ENV.chunkFloats]: o.chunkFloats ? String(o.chunkFloats) : '',
    };
    const child = fork(o.entry, [], {
      // --expose-gc: the child collects the previous run's arrays before taking the next one.
      execArgv: [...(o.execArgv ?? []), `--max-old-space-size=${memory}`, '--expose-gc'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    this.starts++;
    this.stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    child.on('message', (m: EngineToHost) => this.onMessage(child, m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', () => {
      /* reported through 'exit'; an 'error' without exit (failed send) is handled by send() */
    });
    this.child = child;
    return child;
  }

  private send(child: ChildProcess, message: HostToEngine): void {
    child.send(message, (err) => {
      if (err && message.type === 'inspect' && this.active?.request.runId === message.request.runId && this.active.child === child) {
        this.fail(this.active, `Could not reach the engine process: ${err.message}`);
      }
    });
  }

  private onMessage(child: ChildProcess, m: EngineToHost): void {
    if (child !== this.child) return;
    const run = this.active;
    switch (m.type) {
      case 'ended':
        this.busy.delete(m.runId);
        return;
      case 'ready':
        return;
      case 'event': {
        if (!run || m.event.runId !== run.request.runId) return; // a cancelled or superseded run
        run.emit(m.event);
        if (m.event.type === 'done' || m.event.type === 'error') this.finish(run);
        return;
      }
      case 'layer-start':
        if (!run || m.layer.runId !== run.request.runId) return;
        this.assembly = { meta: m.layer, weights: new Float32Array(m.length), received: 0 };
        return;
      case 'layer-chunk': {
        const a = this.assembly;
        if (!run || !a || m.runId !== run.request.runId || m.layer !== a.meta.layer) return;
        a.weights.set(m.data, m.offset);
        a.received += m.data.length;
        if (a.received === a.weights.length) {
          this.assembly = undefined;
          run.emit({ type: 'layer', ...a.meta, weights: a.weights });
        }
        return;
      }
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.busy.clear();
    this.assembly = undefined;
    const run = this.active;
    if (this.killed.has(child)) {
      // We ended it (a cancelled run would not stop): the waiting request goes to a new child.
      if (run && run.child === child && !this.disposed) this.dispatch(run);
      return;
    }
    const why = signal ? `signal ${signal}` : `code ${code}`;
    const tail = this.stderrTail;
    const oom = /heap out of memory|Allocation failed|std::bad_alloc|out of memory/i.test(tail);
    const lastLine = tail.trim().split('\n').filter((l) => l.trim()).slice(-1)[0];
    this.lastExit = `the engine process exited (${why})${oom ? ': out of memory' : ''}${lastLine && !oom ? ` — ${lastLine.trim().slice(0, 300)}` : ''}`;
    if (run && run.child === child) {
      this.fail(run, `${capitalize(this.lastExit)}. It will be restarted on the next inspection${oom ? '; try a shorter text or raise attentionInspector.engine.memoryLimitMB' : ''}.`, tail.slice(-2000));
    }
  }

  private fail(run: ActiveRun, message: string, detail?: string): void {
    if (this.active !== run) return;
    run.emit({ type: 'error', runId: run.request.runId, message, ...(detail ? { detail } : {}) });
    this.finish(run);
  }

  private finish(run: ActiveRun): void {
    if (this.active === run) this.active = undefined;
    if (this.assembly?.meta.runId === run.request.runId) this.assembly = undefined;
    run.resolve();
  }

  /** Stops forwarding a run's events, asks the child to abort it, and kills the child if it does not stop in time. */
  private cancel(runId: number): void {
    const run = this.active;
    if (run && run.request.runId === runId) this.finish(run);
    const child = this.child;
    if (!child || !this.busy.has(runId)) return;
    this.send(child, { type: 'cancel', runId });
    const timer = setTimeout(() => {
      if (this.child === child && this.busy.has(runId)) {
        this.killed.add(child);
        child.kill('SIGKILL');
      }
    }, this.options.cancelGraceMs ?? 2000);
    timer.unref();
  }

  /** Test hook: make the child crash (honoured only when started with testHooks). */
  crashForTest(mode: TestCrashMode): void {
    if (!this.options.testHooks) throw new Error('crashForTest needs an EngineProcessClient created with testHooks: true');
    const child = this.ensureChild();
    this.send(child, { type: 'test-crash', mode });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.active) this.finish(this.active);
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.killed.add(child);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 2000);
      timer.unref();
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send({ type: 'dispose' } satisfies HostToEngine);
      else child.kill('SIGKILL');
    });
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
