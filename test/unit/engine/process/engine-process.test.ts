// The engine child process: a real forked process running a real model. A crash of the child
// is reported to the run in progress and the next request starts a fresh child; cancelling
// stops a run and drops its late events.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../../src/engine/engine-api';
import { EngineProcessClient } from '../../../../src/engine/process/engine-process-client';

const ROOT = join(__dirname, '..', '..', '..', '..');
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'gpt2-fused');

const request = (runId: number, extra: Partial<InspectRequest> = {}): InspectRequest => ({
  runId, text: 'def area(r): return r * r', modelDir: MODEL, backend: 'onnx', executionProvider: 'cpu', maxTokens: 64, ...extra,
});

describe('engine child process', function () {
  this.timeout(60_000);
  let client: EngineProcessClient;
  beforeEach(() => {
    client = new EngineProcessClient({ entry: join(ROOT, 'src', 'engine', 'process', 'engine-process-main.ts'), execArgv: ['--import', 'tsx'], threads: 1, memoryLimitMB: 512, cancelGraceMs: 300 });
  });
  afterEach(() => client.dispose());

  const collect = async (req: InspectRequest, signal?: AbortSignal) => {
    const events: EngineEvent[] = [];
    await client.inspect(req, (e) => events.push(e), signal);
    return events;
  };

  it('runs both backends out of process, weights arriving as Float32Array', async () => {
    const onnx = await collect(request(1));
    assert.deepEqual(onnx.map((e) => e.type), ['tokens', 'layer', 'layer', 'done']);
    const layer = onnx[1] as Extract<EngineEvent, { type: 'layer' }>;
    assert.ok(layer.weights instanceof Float32Array);
    assert.notEqual(client.pid, process.pid);
    const reference = await collect(request(2, { backend: 'reference' }));
    const refLayer = reference.find((e) => e.type === 'layer') as Extract<EngineEvent, { type: 'layer' }>;
    let diff = 0;
    for (let i = 0; i < layer.weights.length; i++) diff = Math.max(diff, Math.abs(layer.weights[i] - refLayer.weights[i]));
    assert.ok(diff <= 1e-4, `reference vs ONNX Runtime in the child: ${diff}`);
  });

  it('reports a crashed child to the active run and restarts on the next request', async () => {
    await collect(request(1)); // child is up
    const pid = client.pid!;
    const pending = collect(request(2, { text: 'x '.repeat(30) }));
    process.kill(pid, 'SIGKILL'); // what a native crash or the OOM killer does
    const events = await pending;
    const last = events[events.length - 1];
    assert.equal(last.type, 'error');
    assert.match((last as { message: string }).message, /engine process exited \(signal SIGKILL\).*restarted/);
    const again = await collect(request(3));
    assert.equal(again[again.length - 1].type, 'done');
    assert.notEqual(client.pid, pid);
  });

  it('cancels a run: the promise settles and no later event is delivered', async () => {
    await collect(request(1));
    const abort = new AbortController();
    const events: EngineEvent[] = [];
    const pending = client.inspect(request(2), (e) => {
      events.push(e);
      if (e.type === 'tokens') abort.abort();
    }, abort.signal);
    await pending;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!events.some((e) => e.type === 'done'), 'no done after cancel');
    const after = await collect(request(3));
    assert.equal(after[after.length - 1].type, 'done', 'the engine still works after a cancel');
  });

  it('reports a broken model folder without killing the child', async () => {
    const events = await collect(request(1, { modelDir: join(ROOT, 'test', 'fixtures', 'no-such-model') }));
    assert.equal(events[0].type, 'error');
    assert.match((events[0] as { message: string }).message, /does not exist/);
    const ok = await collect(request(2));
    assert.equal(ok[ok.length - 1].type, 'done');
  });
});
