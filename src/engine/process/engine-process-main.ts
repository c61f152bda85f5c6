// Entry point of the engine child process (bundled to dist/engine-process.js). It runs the
// ONNX Runtime or reference engine for the host's requests, one at a time: a new request
// cancels the one in progress. A native crash or an out-of-memory here ends only this
// process; the host reports it and starts a new one.
import type { EngineEvent } from '../engine-api';
import { BackendRouter } from '../inspect';
import type { AttentionRoute } from '../onnx/onnx-engine';
import { ENGINE_ENV, LAYER_CHUNK_FLOATS, type EngineToHost, type HostToEngine, type TestCrashMode } from './engine-messages';

/**
 * Messages go out one after another, each waiting until the previous one has been written to
 * the channel: without this, a long input's layers (and their serialized copies) would pile up
 * in the child's write queue faster than the host reads them.
 */
let outbox: Promise<void> = Promise.resolve();
/** Writes one message now; resolves when the channel has taken it (or is gone). */
function write(m: EngineToHost): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, undefined, () => resolve());
  });
}
/** Queues one message behind the ones before it. */
function send(m: EngineToHost): Promise<void> {
  outbox = outbox.then(() => write(m));
  return outbox;
}

const numberEnv = (name: string) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
};

const engine = new BackendRouter({
  // The engine waits for this after each layer, so it computes the next one only when the
  // previous one has left the process.
  drain: () => outbox,
  threads: numberEnv(ENGINE_ENV.threads),
  memoryLimitMB: numberEnv(ENGINE_ENV.memoryLimitMB),
  route: (process.env[ENGINE_ENV.route] as AttentionRoute | undefined) || undefined,
  recomputeAboveMB: numberEnv(ENGINE_ENV.recomputeAboveMB),
});
const testHooks = process.env[ENGINE_ENV.testHooks] === '1';
const chunkFloats = numberEnv(ENGINE_ENV.chunkFloats) ?? LAYER_CHUNK_FLOATS;

/** Aborts of runs received and not yet ended. */
const runs = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

/** Sends one event; resolves when it has left the process (the analysis of a layer waits for that). */
function forward(event: EngineEvent, signal: AbortSignal): Promise<void> | undefined {
  if (signal.aborted) return undefined; // the host dropped this run: send nothing more for it
  if (event.type !== 'layer' || event.weights.length <= chunkFloats) return send({ type: 'event', event });
  const { weights, ...meta } = event;
  void send({ type: 'layer-start', layer: meta, length: weights.length });
  // Chunks are cut when their turn comes (slice, not subarray: a view would serialize the
  // whole buffer), so only one chunk's copies exist at a time.
  for (let offset = 0; offset < weights.length; offset += chunkFloats) {
    outbox = outbox.then(() =>
      signal.aborted ? undefined : write({ type: 'layer-chunk', runId: meta.runId, layer: meta.layer, offset, data: weights.slice(offset, offset + chunkFloats) }),
    );
  }
  return outbox;
}

/**
 * A run leaves hundreds of MB of dead typed arrays behind; V8 collects them lazily, so the next
 * run would start on top of them. The client starts us with --expose-gc to collect between runs.
 */
function collectGarbage(): void {
  if (runs.size === 0) (globalThis as { gc?: () => void }).gc?.();
}

function crashForTest(mode: TestCrashMode): void {
  if (mode === 'abort') process.abort(); // what a native crash looks like: SIGABRT
  if (mode === 'exit') process.exit(70);
  if (mode === 'hang') {
    // Block the event loop like a long native call that cannot be interrupted.
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      /* busy */
    }
    return;
  }
  // 'heap': grow the JS heap until V8 gives up ("JavaScript heap out of memory").
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array<number>(1 << 20).fill(hoard.length));
}

process.on('message', (message: HostToEngine) => {
  switch (message.type) {
    case 'inspect': {
      const { request } = message;
      for (const abort of runs.values()) abort.abort(); // a new request supersedes older ones
      const abort = new AbortController();
      runs.set(request.runId, abort);
      queue = queue
        .then(async () => {
          if (!abort.signal.aborted) await engine.inspect(request, (e) => forward(e, abort.signal), abort.signal);
        })
        .catch((e: unknown) => void forward({ type: 'error', runId: request.runId, message: `The engine failed: ${(e as Error)?.message ?? String(e)}` }, abort.signal))
        .finally(() => {
          runs.delete(request.runId);
          void send({ type: 'ended', runId: request.runId }).then(collectGarbage);
        });
      break;
    }
    case 'cancel':
      runs.get(message.runId)?.abort();
      break;
    case 'dispose':
      for (const abort of runs.values()) abort.abort();
      void engine.dispose().finally(() => process.exit(0));
      break;
    case 'test-crash':
      if (testHooks) crashForTest(message.mode);
      break;
  }
});
// The host went away (VS Code closed or crashed): nothing left to serve.
process.on('disconnect', () => process.exit(0));
void send({ type: 'ready', pid: process.pid });
