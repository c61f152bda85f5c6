// ReferenceEngine through the AttentionEngine contract: event order, what each event holds,
// refusals with clear messages, layer selection, cancellation between layers.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../../src/engine/engine-api';
import { openModelFolder } from '../../../../src/engine/model/model-folder';
import { runDecoder } from '../../../../src/engine/reference-model/decoder-forward';
import { readDecoderWeights } from '../../../../src/engine/reference-model/decoder-weights';
import { ReferenceEngine } from '../../../../src/engine/reference-model/reference-engine';
import { GPT2_FUSED, maxAbsDiff, REPO } from './reference-test-inputs';

const TEXT = 'def area(r):\n    return 3.14 * r * r  # 🙂';

function request(overrides: Partial<InspectRequest> = {}): InspectRequest {
  return { runId: 7, text: TEXT, modelDir: GPT2_FUSED, backend: 'reference', executionProvider: 'cpu', maxTokens: 4096, ...overrides };
}

async function run(engine: ReferenceEngine, req: InspectRequest, signal?: AbortSignal, onEvent?: (e: EngineEvent) => void): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  await engine.inspect(req, (e) => {
    events.push(e);
    onEvent?.(e);
  }, signal);
  return events;
}

describe('ReferenceEngine', () => {
  let engine: ReferenceEngine;
  before(function () {
    if (!existsSync(join(GPT2_FUSED, 'model.onnx'))) this.skip();
    engine = new ReferenceEngine();
  });
  after(() => engine?.dispose());

  it('emits tokens, one layer per layer in order, then done', async () => {
    const events = await run(engine, request());
    assert.deepEqual(events.map((e) => e.type), ['tokens', 'layer', 'layer', 'done']);
    const tokens = events[0];
    assert.ok(tokens.type === 'tokens');
    assert.equal(tokens.runId, 7);
    assert.deepEqual(tokens.provider, { backend: 'reference', provider: 'typescript', fallbacks: [] });
    assert.equal(tokens.model.name, 'gpt2-fused');
    assert.equal(tokens.model.layers, 2);
    assert.equal(tokens.model.heads, 4);
    assert.equal(tokens.model.causal, true);
    assert.equal(tokens.model.route, 'weights');
    for (const t of tokens.tokens) assert.equal(t.text, TEXT.slice(t.start, t.end));
    assert.equal(tokens.tokens[tokens.tokens.length - 1].end, TEXT.length);

    // The layers carry exactly what runDecoder computes, with the contract's shapes.
    const folder = await openModelFolder(GPT2_FUSED);
    const expected: Float32Array[] = [];
    await runDecoder(readDecoderWeights(folder.model, folder.manifest), tokens.tokens.map((t) => t.id), {
      onLayer: (l, a) => void (expected[l] = Float32Array.from(a)),
    });
    const n = tokens.tokens.length;
    events.slice(1, 3).forEach((e, l) => {
      assert.ok(e.type === 'layer');
      assert.equal(e.layer, l);
      assert.equal(e.kind, 'self');
      assert.equal(e.heads, 4);
      assert.equal(e.queryLength, n);
      assert.equal(e.keyLength, n);
      assert.equal(e.weights.length, 4 * n * n);
      assert.equal(maxAbsDiff(e.weights, expected[l]), 0);
      // causal: nothing above the diagonal, rows sum to 1
      for (let h = 0; h < 4; h++)
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let j = 0; j < n; j++) {
            const p: number = e.weights[(h * n + i) * n + j];
            if (j > i) assert.equal(p, 0);
            sum += p;
          }
          assert.ok(Math.abs(sum - 1) < 1e-5);
        }
    });
    const done = events[3];
    assert.ok(done.type === 'done' && done.runId === 7 && done.elapsedMs >= 0);
  });

  it('computes only the requested layers', async () => {
    const events = await run(engine, request({ layers: [1] }));
    assert.deepEqual(events.map((e) => (e.type === 'layer' ? `layer ${e.layer}` : e.type)), ['tokens', 'layer 1', 'done']);
    const first = await run(engine, request({ layers: [0] }));
    assert.deepEqual(first.map((e) => (e.type === 'layer' ? `layer ${e.layer}` : e.type)), ['tokens', 'layer 0', 'done']);
  });

  it('refuses more tokens than maxTokens, and more than the model context, with a clear message', async () => {
    const over = await run(engine, request({ maxTokens: 5 }));
    assert.equal(over.length, 1);
    assert.ok(over[0].type === 'error');
    assert.match(over[0].message, /^The text is \d+ tokens long; the limit is 5 \(setting attentionInspector\.maxTokens\)\. Select a shorter range or raise the limit\.$/);
    const long = await run(engine, request({ text: TEXT.repeat(20) }));
    assert.ok(long[0].type === 'error');
    assert.match(long[0].message, /The model gpt2-fused reads at most \d+ tokens; the text is \d+ tokens long/);
    const empty = await run(engine, request({ text: '' }));
    assert.ok(empty[0].type === 'error' && /no tokens/.test(empty[0].message));
    const badLayer = await run(engine, request({ layers: [5] }));
    assert.ok(badLayer[0].type === 'error' && /Layer 5 does not exist: gpt2-fused has layers 0 to 1/.test(badLayer[0].message));
  });

  it('reports a bad model folder as one error with the file and the fix', async () => {
    const missing = join(REPO, 'test', 'fixtures', 'no-such-model');
    const events = await run(engine, request({ modelDir: missing }));
    assert.equal(events.length, 1);
    const e = events[0];
    assert.ok(e.type === 'error');
    assert.match(e.message, /The model folder .*no-such-model does not exist\. Fix: /);
    assert.equal(e.detail, 'folder-missing');
  });

  it('refuses an architecture it does not run, pointing to the ONNX backend', async function () {
    const bert = join(REPO, 'test', 'fixtures', 'models', 'bert-padding');
    if (!existsSync(join(bert, 'model.onnx'))) this.skip();
    const events = await run(engine, request({ modelDir: bert, text: 'hello there' }));
    assert.ok(events[0].type === 'error');
    assert.match(events[0].message, /The TypeScript reference cannot run .*bert-padding: .*Use the ONNX backend for this model\./);
  });

  it('stops between layers when cancelled, without further events', async () => {
    const abort = new AbortController();
    const events = await run(engine, request(), abort.signal, (e) => {
      if (e.type === 'layer' && e.layer === 0) abort.abort();
    });
    assert.deepEqual(events.map((e) => e.type), ['tokens', 'layer']);
  });

  it('stops inside a layer when cancelled while it is being computed', async () => {
    const abort = new AbortController();
    const events: EngineEvent[] = [];
    const pending = engine.inspect(request(), (e) => {
      events.push(e);
      // Abort on the next turn of the event loop: the forward pass is then inside layer 0.
      if (e.type === 'tokens') setImmediate(() => abort.abort());
    }, abort.signal);
    await pending;
    assert.deepEqual(events.map((e) => e.type), ['tokens']);
  });

  it('refuses encoder-decoder requests', async () => {
    const events = await run(engine, request({ sourceText: 'x' }));
    assert.ok(events[0].type === 'error' && /decoder-only/.test(events[0].message));
  });
});
