// Runs a Python target in a subprocess: `<python> media/probe/harness.py --memory-mb N`.
// The child is the leader of its own process group, so a timeout or a cancel kills it and
// anything it started (SIGKILL to -pid). The harness sets RLIMIT_AS on itself before it
// imports anything. Requests and replies are JSON lines; one request is in flight at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { abort, ProbeAbort } from './callee';
import type { CallOutcome, CallRequest, LoadedTarget, NamedTensor, ProbeCallee, ProbeValue, RuntimeParameter } from './callee';
import { decodeFloat32, encodeFloat32 } from './tensor-codec';
import type { ProbeTarget } from './probe-types';

export interface PythonRunnerOptions {
  pythonPath: string;
  harnessPath: string;
  memoryLimitMB: number;
  /** Limit for starting and importing, and again for all the calls, in seconds. */
  timeoutSeconds: number;
  signal?: AbortSignal;
  /** Module constructor sizes (d_model, n_heads, …) sent to the harness. */
  sizes: Record<string, number>;
}

interface WireTensor {
  name: string;
  shape: number[];
  data: string;
}

interface HarnessReply {
  ok: boolean;
  ready?: boolean;
  stage?: string;
  errorType?: string;
  message?: string;
  traceback?: string;
  missing?: string;
  memory?: boolean;
  python?: string;
  version?: string;
  framework?: string;
  parameters?: RuntimeParameter[] | null;
  constructedWith?: Record<string, number | boolean | string>;
  memoryLimitSet?: boolean;
  outputs?: WireTensor[];
  captured?: WireTensor[];
}

function wireValue(v: ProbeValue): unknown {
  if (v.kind === 'tensor') return { kind: 'tensor', shape: v.shape, dtype: v.dtype ?? 'float32', data: encodeFloat32(v.data) };
  return v;
}

function readTensors(list: WireTensor[] | undefined): NamedTensor[] {
  return (list ?? []).map((t) => ({ name: t.name, shape: t.shape, data: decodeFloat32(t.data) }));
}

const INSTALL_HINT: Record<string, string> = {
  numpy: 'NumPy',
  torch: 'PyTorch',
  jax: 'JAX',
};

/** A clear message for a library the user's code (or the harness) needs and the interpreter lacks. */
function missingLibraryMessage(lib: string, python: string): string {
  const pretty = INSTALL_HINT[lib] ?? lib;
  const pkg = lib === 'jax' ? '"jax[cpu]"' : lib;
  // Debian/Ubuntu's system Python refuses pip (PEP 668): its packages come from apt
  const apt = python.startsWith('/usr/bin/') && (lib === 'numpy' || lib === 'torch') ? `, or \`sudo apt install python3-${lib}\`` : '';
  return (
    `${pretty} is not installed for the Python interpreter ${python}. Install it there ` +
    `(\`${python} -m pip install ${pkg}\`${apt}) or choose another interpreter: the Python extension's ` +
    `"Python: Select Interpreter", or the setting attentionInspector.probe.pythonPath.`
  );
}

export class PythonCallee implements ProbeCallee {
  private child!: ChildProcess;
  private buffer = '';
  private stderrTail = '';
  private pending: { resolve: (r: HarnessReply) => void; reject: (e: Error) => void } | undefined;
  private finished: ProbeAbort | undefined;
  private timer: NodeJS.Timeout | undefined;
  private onAbort: (() => void) | undefined;
  loaded!: LoadedTarget;

  private constructor(private readonly options: PythonRunnerOptions) {}

  /** Starts the interpreter, imports the file and looks the target up (constructing a module). */
  static async start(file: string, target: ProbeTarget, options: PythonRunnerOptions): Promise<PythonCallee> {
    const callee = new PythonCallee(options);
    try {
      await callee.spawnChild(file);
      const ready = await callee.next();
      if (!ready.ok) throw callee.replyFailure(ready, 'setup');
      const reply = await callee.request({ op: 'load', path: file, target: target.name, kind: target.kind, sizes: options.sizes });
      if (!reply.ok) throw callee.replyFailure(reply, reply.stage ?? 'import');
      const notes: string[] = [`Python ${reply.version ?? '?'} at ${reply.python ?? options.pythonPath}`];
      if (!reply.memoryLimitSet) notes.push('the memory limit could not be set on this platform (no RLIMIT_AS)');
      callee.armTimer('calls');
      callee.loaded = {
        framework: reply.framework ?? 'numpy',
        parameters: reply.parameters ?? target.parameters.map((p) => ({ name: p.name, kind: p.variadic ? 'variadic' : 'either', hasDefault: p.hasDefault })),
        constructedWith: reply.constructedWith ?? {},
        notes,
      };
      return callee;
    } catch (e) {
      callee.dispose();
      throw e;
    }
  }

  private spawnChild(file: string): Promise<void> {
    const { harnessPath, memoryLimitMB } = this.options;
    // a relative path with a folder in it means "relative to here", not to the child's cwd
    const pythonPath = /[\\/]/.test(this.options.pythonPath) ? resolve(this.options.pythonPath) : this.options.pythonPath;
    return new Promise((resolve, reject) => {
      const child = spawn(pythonPath, ['-u', harnessPath, '--memory-mb', String(memoryLimitMB)], {
        cwd: dirname(file),
        detached: process.platform !== 'win32', // own process group: killed as a whole
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
        env: {
          ...process.env,
          PYTHONDONTWRITEBYTECODE: '1',
          PYTHONIOENCODING: 'utf-8',
          // one BLAS thread: small tensors, shared machines, and a smaller address space
          OMP_NUM_THREADS: '1',
          OPENBLAS_NUM_THREADS: '1',
          MKL_NUM_THREADS: '1',
        },
      });
      this.child = child;
      child.once('spawn', () => resolve());
      child.once('error', (err: NodeJS.ErrnoException) => {
        const failure =
          err.code === 'ENOENT' || err.code === 'EACCES'
            ? abort(
                'no-interpreter',
                `The Python interpreter "${pythonPath}" was not found. Install Python 3 with NumPy, select an ` +
                  `interpreter with the Python extension ("Python: Select Interpreter"), or set ` +
                  `attentionInspector.probe.pythonPath to its full path.`,
              )
            : abort('crash', `Could not start "${pythonPath}": ${err.message}`);
        this.fail(failure);
        reject(failure);
      });
      child.stdin?.on('error', () => undefined); // EPIPE after a kill: the exit handler reports it
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      });
      child.once('exit', (code, signal) => {
        if (this.finished) return;
        const tail = this.stderrTail.trim().split('\n').slice(-8).join('\n');
        const killedForMemory = /MemoryError|Cannot allocate memory|can't allocate memory|std::bad_alloc/.test(this.stderrTail);
        this.fail(
          killedForMemory
            ? abort('memory', `The Python process ran out of memory (limit ${memoryLimitMB} MB, setting attentionInspector.probe.memoryLimitMB).`, tail)
            : abort('crash', `The Python process exited unexpectedly (${signal ?? `exit code ${code}`}).`, tail || undefined),
        );
      });
      this.armTimer('start');
      if (this.options.signal) {
        this.onAbort = () => this.fail(abort('cancelled', 'The probe was cancelled.'));
        if (this.options.signal.aborted) this.onAbort();
        else this.options.signal.addEventListener('abort', this.onAbort, { once: true });
      }
    });
  }

  /**
   * The time limit, armed twice: once for starting the interpreter and importing the file
   * (a heavy `import torch` on a busy machine should not eat the calls' time), once for the calls.
   */
  private armTimer(phase: 'start' | 'calls'): void {
    if (this.timer) clearTimeout(this.timer);
    const limit = this.options.timeoutSeconds;
    const what =
      phase === 'start'
        ? `Starting Python and importing the file took longer than ${limit} s. Does the file do heavy work at import (outside \`if __name__ == "__main__":\`)?`
        : `The function's calls took longer than ${limit} s. Does it loop forever?`;
    this.timer = setTimeout(() => {
      this.fail(abort('timeout', `${what} The probe was stopped (setting attentionInspector.probe.timeoutSeconds).`));
    }, limit * 1000);
  }

  private onStdout(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let reply: HarnessReply;
      try {
        reply = JSON.parse(line) as HarnessReply;
      } catch {
        this.fail(abort('crash', 'The probe harness sent a line that is not JSON.', line.slice(0, 200)));
        return;
      }
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(reply);
    }
  }

  /** Ends the run: kills the process group and rejects what is waiting. */
  private fail(failure: ProbeAbort): void {
    if (this.finished) return;
    this.finished = failure;
    this.kill();
    const p = this.pending;
    this.pending = undefined;
    p?.reject(failure);
  }

  private kill(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.onAbort) this.options.signal?.removeEventListener('abort', this.onAbort);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  private next(): Promise<HarnessReply> {
    if (this.finished) return Promise.reject(this.finished);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  private request(message: object): Promise<HarnessReply> {
    const reply = this.next();
    this.child.stdin?.write(JSON.stringify(message) + '\n');
    return reply;
  }

  /** A harness error reply that ends the probe, as a ProbeAbort with an actionable message. */
  private replyFailure(reply: HarnessReply, stage: string): ProbeAbort {
    const python = reply.python ?? this.options.pythonPath;
    const detail = reply.traceback || undefined;
    if (reply.missing && (stage === 'setup' || reply.errorType === 'ModuleNotFoundError' || stage === 'framework')) {
      return abort('missing-library', missingLibraryMessage(reply.missing, python), detail);
    }
    if (reply.memory) return abort('memory', `The Python process ran out of memory (limit ${this.options.memoryLimitMB} MB).`, detail);
    switch (stage) {
      case 'import':
        return abort('import-error', `Importing the file failed: ${reply.errorType}: ${reply.message}`, detail);
      case 'lookup':
        return abort('not-found', reply.message ?? 'The function was not found in the file.');
      case 'construct':
        return abort(
          'cannot-construct',
          `Could not create the module with small sizes: ${reply.errorType}: ${reply.message}. The probe fills constructor ` +
            `parameters named like d_model, n_heads, n_kv_heads, head_dim, dropout, block_size (or a config object with those fields).`,
          detail,
        );
      default:
        return abort('crash', `The probe harness failed (${stage}): ${reply.errorType ?? ''} ${reply.message ?? ''}`.trim(), detail);
    }
  }

  async call(request: CallRequest): Promise<CallOutcome> {
    const reply = await this.request({
      op: 'call',
      framework: request.framework,
      seed: request.seed,
      args: request.args.map((a) => ({ name: a.name, positional: a.positional, value: wireValue(a.value) })),
    });
    if (reply.ok) return { ok: true, outputs: readTensors(reply.outputs), captured: readTensors(reply.captured) };
    if (reply.memory || /can't allocate memory|Cannot allocate memory/.test(reply.message ?? '')) {
      const failure = abort('memory', `The function ran out of memory (limit ${this.options.memoryLimitMB} MB).`, reply.traceback);
      this.fail(failure);
      throw failure;
    }
    if (reply.stage === 'framework' && reply.missing) {
      return { ok: false, errorType: 'ImportError', message: missingLibraryMessage(reply.missing, this.options.pythonPath) };
    }
    return { ok: false, errorType: reply.errorType ?? 'Error', message: reply.message ?? '', detail: reply.traceback };
  }

  dispose(): void {
    if (!this.finished) {
      try {
        this.child?.stdin?.write(JSON.stringify({ op: 'exit' }) + '\n');
      } catch {
        // the pipe may already be closed
      }
      this.finished = abort('cancelled', 'The probe has finished.');
    }
    this.kill();
  }
}

/** harness.py inside a media/probe folder. */
export function harnessScript(folder: string): string {
  return join(folder, 'harness.py');
}
