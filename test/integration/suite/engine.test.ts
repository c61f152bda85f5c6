// The engine child process as the extension runs it, from inside the real extension host: the
// installed extension's dist/engine-process.js is forked through EngineProcessClient (bundled
// into this suite from src/engine/process), runs the bundled model on a text and streams
// tokens, one layer per attention module, then done. Checks the data, not just the events:
// token spans cover the text, every layer is [heads, n, n] of causal softmax rows, and the
// child is a separate process that the client shuts down.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent, InspectRequest } from '../../../src/engine/engine-api';
import { EngineProcessClient } from '../../../src/engine/process/engine-process-client';

const EXTENSION_ID = 'attention-inspector.attention-inspector';
const TEXT = 'def area(r):\n    return 3.14 * r * r\n\nThe river ran fast after the storm.';

type Layer = Extract<EngineEvent, { type: 'layer' }>;
type Tokens = Extract<EngineEvent, { type: 'tokens' }>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('engine process (forked from the installed extension)', function () {
  this.timeout(180_000);
  let root = '';
  let client: EngineProcessClient | undefined;

  before(() => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    root = extension.extensionUri.fsPath;
  });

  afterEach(async () => {
    await client?.dispose();
    client = undefined;
  });

  const run = async (request: Partial<InspectRequest> = {}): Promise<EngineEvent[]> => {
    const entry = join(root, 'dist', 'engine-process.js');
    assert.ok(existsSync(entry), `${entry} exists`);
    client ??= new EngineProcessClient({ entry, threads: 1, memoryLimitMB: 1024 });
    const events: EngineEvent[] = [];
    await client.inspect(
      { runId: 1, text: TEXT, modelDir: join(root, 'media', 'models', 'mini-code'), backend: 'onnx', executionProvider: 'cpu', maxTokens: 512, ...request },
      (e) => events.push(e),
    );
    return events;
  };

  for (const backend of ['onnx', 'reference'] as const) {
    it(`runs the bundled model with the ${backend} backend: tokens, every layer, done`, async () => {
      const manifest = JSON.parse(readFileSync(join(root, 'media', 'models', 'mini-code', 'inspector.json'), 'utf8')) as { layers: number; heads: number };
      const events = await run({ backend });
      const error = events.find((e) => e.type === 'error');
      assert.equal(error, undefined, error?.type === 'error' ? error.message : '');
      assert.deepEqual(
        events.map((e) => e.type),
        ['tokens', ...Array.from({ length: manifest.layers }, () => 'layer'), 'done'],
      );
      assert.ok(client?.pid && client.pid !== process.pid, 'the engine runs in its own process');

      const tokens = events[0] as Tokens;
      assert.equal(tokens.model.layers, manifest.layers);
      assert.equal(tokens.model.causal, true);
      assert.equal(tokens.provider.backend, backend);
      assert.equal(tokens.provider.provider, backend === 'onnx' ? 'cpu' : 'typescript');
      // Ordinary tokens tile the text exactly (UTF-16 spans, in order, no gaps).
      const ordinary = tokens.tokens.filter((t) => !t.special);
      assert.equal(ordinary.map((t) => TEXT.slice(t.start, t.end)).join(''), TEXT);
      ordinary.forEach((t, i) => i > 0 && assert.equal(t.start, ordinary[i - 1].end));
      const n = tokens.tokens.length;

      const layers = events.filter((e): e is Layer => e.type === 'layer');
      layers.forEach((layer, l) => {
        assert.equal(layer.layer, l);
        assert.deepEqual([layer.heads, layer.queryLength, layer.keyLength], [manifest.heads, n, n]);
        assert.ok(layer.weights instanceof Float32Array, 'weights arrive as a Float32Array');
        assert.equal(layer.weights.length, manifest.heads * n * n);
        for (let h = 0; h < layer.heads; h++) {
          for (let q = 0; q < n; q++) {
            const row = layer.weights.subarray((h * n + q) * n, (h * n + q + 1) * n);
            let sum = 0;
            for (let k = 0; k < n; k++) {
              sum += row[k];
              if (k > q) assert.equal(row[k], 0, `causal: layer ${l} head ${h} row ${q} key ${k}`);
            }
            assert.ok(Math.abs(sum - 1) < 1e-4, `layer ${l} head ${h} row ${q} sums to ${sum}`);
          }
        }
      });
    });
  }

  it('both backends give the same weights for the same text, and dispose ends the child', async () => {
    const layersOf = (events: EngineEvent[]) => {
      const error = events.find((e) => e.type === 'error');
      assert.equal(error, undefined, error?.type === 'error' ? error.message : '');
      return events.filter((e): e is Layer => e.type === 'layer');
    };
    const onnx = layersOf(await run({ backend: 'onnx' }));
    const reference = layersOf(await run({ backend: 'reference', runId: 2 }));
    assert.ok(onnx.length > 0, 'layers arrived');
    assert.equal(reference.length, onnx.length);
    let worst = 0;
    onnx.forEach((layer, l) => {
      const other = reference[l].weights;
      for (let i = 0; i < layer.weights.length; i++) worst = Math.max(worst, Math.abs(layer.weights[i] - other[i]));
    });
    assert.ok(worst <= 1e-4, `max |ONNX − reference| = ${worst}`);
    const pid = client!.pid!;
    await client!.dispose();
    client = undefined;
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false, `engine process ${pid} ended`);
  });

  it('a text over maxTokens is refused with a message, and the same engine process runs the next request', async () => {
    const refused = await run({ maxTokens: 5 });
    assert.equal(refused.length, 1);
    assert.equal(refused[0].type, 'error');
    assert.match((refused[0] as Extract<EngineEvent, { type: 'error' }>).message, /tokens long; the limit is 5/);
    const pid = client!.pid;
    const next = await run({ runId: 2 });
    assert.equal(next[next.length - 1].type, 'done');
    assert.equal(client!.pid, pid, 'no restart was needed');
    assert.equal(client!.starts, 1);
  });
});
