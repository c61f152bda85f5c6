// The engine child process: a real forked Node process running a real model. Crashes of the
// child (native abort, JS heap exhaustion, an external kill) are reported to the run in
// progress and the next request starts a fresh child; cancelling stops a run and drops its
// late events; a new run supersedes the old one; a child stuck in an uninterruptible call is
// killed after the grace period and the waiting request completes on a new child.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../../src/engine/engine-api';
import { OnnxEngine } from '../../../../src/engine/onnx/onnx-engine';
import { EngineProcessClient, type EngineProcessOptions } from '../../../../src/engine/process/engine-process-client';

const ROOT = join(__dirname, '..', '..', '..', '..');
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'gpt2-fused');
const BUNDLED = join(ROOT, 'media', 'models', 'mini-code');
const ENTRY = join(ROOT, 'src', 'engine', 'process', 'engine-process-main.ts');

const request = (runId: number, extra: Partial<InspectRequest> = {}): InspectRequest => ({
  runId,
  text: 'def area(r): return r * r',
  modelDir: MODEL,
  backend: 'onnx',
  executionProvider: 'cpu',
  maxTokens: 64,
  ...extra,
});

type Layer = Extract<EngineEvent, { type: 'layer' }>;
const layers = (events: EngineEvent[]) => events.filter((e): e is Layer => e.type === 'layer');
const last = (events: EngineEvent[]) => events[events.length - 1];
const message = (e: EngineEvent) => (e.type === 'error' ? e.message : `(${e.type})`);

describe('engine child process', function () {
  this.timeout(120_000);
  let client: EngineProcessClient;
  const make = (extra: Partial<EngineProcessOptions> = {}) =>
    (client = new EngineProcessClient({ entry: ENTRY, execArgv: ['--import', 'tsx'], threads: 1, memoryLimitMB: 512, cancelGraceMs: 500, testHooks: true, ...extra }));
  afterEach(() => client?.dispose());

  const collect = async (req: InspectRequest, signal?: AbortSignal) => {
    const events: EngineEvent[] = [];
    await client.inspect(req, (e) => events.push(e), signal);
    return events;
  };

  it('runs the bundled model with both backends out of process; weights arrive as Float32Array equal to the in-process engine', async () => {
    make();
    const bundled = (runId: number, extra: Partial<InspectRequest> = {}) => request(runId, { modelDir: BUNDLED, text: 'def area(r):\n    return 3.14 * r * r\n', ...extra });
    const onnx = await collect(bundled(1));
    assert.deepEqual(onnx.map((e) => e.type), ['tokens', 'layer', 'layer', 'layer', 'layer', 'done']);
    const layer = layers(onnx)[0];
    assert.ok(layer.weights instanceof Float32Array);
    assert.ok(client.pid && client.pid !== process.pid);

    const local = new OnnxEngine({ threads: 1 });
    const inProcess: EngineEvent[] = [];
    await local.inspect(bundled(1), (e) => inProcess.push(e));
    await local.dispose();
    assert.deepEqual(Array.from(layer.weights), Array.from(layers(inProcess)[0].weights));

    const reference = await collect(bundled(2, { backend: 'reference' }));
    const refLayer = layers(reference)[0];
    let diff = 0;
    for (let i = 0; i < layer.weights.length; i++) diff = Math.max(diff, Math.abs(layer.weights[i] - refLayer.weights[i]));
    assert.ok(diff <= 1e-4, `reference vs ONNX Runtime in the child: ${diff}`);
  });

  it('sends large layers in chunks and reassembles them exactly', async () => {
    make({ chunkFloats: 100 }); // 4 heads × 12 × 12 = 576 floats → 6 chunks
    const events = await collect(request(1, { text: 'one two three four five six seven eight nine ten eleven twelve' }));
    const local = new OnnxEngine({ threads: 1 });
    const expected: EngineEvent[] = [];
    await local.inspect(request(1, { text: 'one two three four five six seven eight nine ten eleven twelve' }), (e) => expected.push(e));
    await local.dispose();
    assert.deepEqual(events.map((e) => e.type), expected.map((e) => e.type));
    layers(events).forEach((l, i) => {
      assert.ok(l.weights.length > 100);
      assert.deepEqual(Array.from(l.weights), Array.from(layers(expected)[i].weights));
    });
  });

  it('a native crash (SIGABRT) is reported to the active run; the next request restarts the child', async () => {
    make();
    await collect(request(1));
    const pid = client.pid;
    const pending = collect(request(2, { text: 'x '.repeat(30) }));
    client.crashForTest('abort');
    const events = await pending;
    assert.equal(last(events).type, 'error');
    assert.match(message(last(events)), /engine process exited \(signal SIGABRT\).*restarted on the next inspection/);
    const again = await collect(request(3));
    assert.equal(last(again).type, 'done', message(last(again)));
    assert.notEqual(client.pid, pid);
    assert.equal(client.starts, 2);
  });

  it('running out of JS heap is reported as out of memory, and the engine recovers', async () => {
    make({ memoryLimitMB: 96 });
    await collect(request(1));
    const pending = collect(request(2));
    client.crashForTest('heap');
    const events = await pending;
    assert.equal(last(events).type, 'error');
    assert.match(message(last(events)), /engine process exited .*out of memory/);
    assert.equal(last(await collect(request(3))).type, 'done');
  });

  it('a child killed from outside (what the OOM killer does) is reported the same way', async () => {
    make();
    await collect(request(1));
    const pid = client.pid!;
    const pending = collect(request(2, { text: 'x '.repeat(30) }));
    process.kill(pid, 'SIGKILL');
    const events = await pending;
    assert.match(message(last(events)), /engine process exited \(signal SIGKILL\)/);
    assert.equal(last(await collect(request(3))).type, 'done');
  });

  it('cancels a run: the promise settles and no later event is delivered', async () => {
    make();
    await collect(request(1));
    const abort = new AbortController();
    const events: EngineEvent[] = [];
    await client.inspect(
      request(2),
      (e) => {
        events.push(e);
        if (e.type === 'tokens') abort.abort();
      },
      abort.signal,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(events.map((e) => e.type), ['tokens'], 'nothing after the cancel');
    const after = await collect(request(3));
    assert.equal(last(after).type, 'done', 'the engine still works after a cancel');
    assert.equal(client.starts, 1, 'a run that stops in time keeps its child');
  });

  it('a new run supersedes the previous one: the old run ends quietly and its late events are dropped', async () => {
    make();
    await collect(request(1));
    const first: EngineEvent[] = [];
    const second: EngineEvent[] = [];
    const a = client.inspect(request(10, { text: 'first text to inspect' }), (e) => first.push(e));
    const b = client.inspect(request(11, { text: 'second text' }), (e) => second.push(e));
    await Promise.all([a, b]);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!first.some((e) => e.type === 'done'), 'the superseded run never completes');
    assert.ok(first.every((e) => e.runId === 10));
    assert.deepEqual(second.map((e) => e.type), ['tokens', 'layer', 'layer', 'done']);
    assert.ok(second.every((e) => e.runId === 11));
  });

  it('a child that does not stop within the grace period is killed and the waiting request runs on a new child', async () => {
    make({ cancelGraceMs: 300 });
    await collect(request(1));
    const pid = client.pid;
    const stuck = client.inspect(request(20), () => undefined);
    client.crashForTest('hang'); // the child blocks its event loop, as inside a long native call
    const next = await collect(request(21));
    await stuck;
    assert.equal(last(next).type, 'done', message(last(next)));
    assert.ok(next.every((e) => e.runId === 21));
    assert.notEqual(client.pid, pid);
    assert.equal(client.starts, 2);
  });

  it('reports a broken model folder without killing the child', async () => {
    make();
    const events = await collect(request(1, { modelDir: join(ROOT, 'test', 'fixtures', 'no-such-model') }));
    assert.equal(events[0].type, 'error');
    assert.match(message(events[0]), /does not exist/);
    const ok = await collect(request(2));
    assert.equal(last(ok).type, 'done');
    assert.equal(client.starts, 1);
  });

  it('the crash hook is inert unless the client enabled it', () => {
    make({ testHooks: false });
    assert.throws(() => client.crashForTest('abort'), /testHooks/);
  });
});
