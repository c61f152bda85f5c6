// Entry point of the engine child process (bundled to dist/engine-process.js). It runs the
// ONNX Runtime or reference engine for requests from the host, one run at a time; a native
// crash or an out-of-memory here ends only this process, and the host restarts it.
import { BackendRouter } from '../inspect';
import type { EngineToHost, HostToEngine } from './engine-messages';

const send = (m: EngineToHost) => process.send?.(m);
const engine = new BackendRouter({ threads: Number(process.env.ATTN_ENGINE_THREADS) || 0 });
const runs = new Map<number, AbortController>();

process.on('message', (raw: HostToEngine) => {
  if (raw.type === 'inspect') {
    const abort = new AbortController();
    runs.set(raw.request.runId, abort);
    void engine
      .inspect(raw.request, (event) => {
        if (!abort.signal.aborted) send({ type: 'event', event });
      }, abort.signal)
      .catch((e: unknown) => send({ type: 'event', event: { type: 'error', runId: raw.request.runId, message: String((e as Error)?.message ?? e) } }))
      .finally(() => runs.delete(raw.request.runId));
  } else if (raw.type === 'cancel') {
    runs.get(raw.runId)?.abort();
  } else if (raw.type === 'dispose') {
    void engine.dispose().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
