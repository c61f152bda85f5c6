// OnnxEngine end to end on the fixture model folders: tokenize, feed, choose a route, stream
// tokens → one event per layer → done; limits, cancellation, encoder–decoder kinds, fused
// graphs, and the same weights from both routes.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../../src/engine/engine-api';
import { OnnxEngine, type OnnxEngineOptions } from '../../../../src/engine/onnx/onnx-engine';
import { loadTokenizer } from '../../../../src/engine/tokenizer/load-tokenizer';
import { DECOMPOSED, FIXTURES, flat, golden, maxAbsDiff } from './fixture-golden';

type Layer = Extract<EngineEvent, { type: 'layer' }>;
type Tokens = Extract<EngineEvent, { type: 'tokens' }>;
const layersOf = (events: EngineEvent[]) => events.filter((e): e is Layer => e.type === 'layer');
const messageOf = (e: EngineEvent) => (e.type === 'error' ? e.message : `(${e.type})`);

async function run(dir: string, text: string, extra: Partial<InspectRequest> = {}, options: OnnxEngineOptions = {}, signal?: AbortSignal, onEvent?: (e: EngineEvent) => void) {
  const engine = new OnnxEngine({ threads: 1, ...options });
  const events: EngineEvent[] = [];
  try {
    await engine.inspect(
      { runId: 7, text, modelDir: join(FIXTURES, dir), backend: 'onnx', executionProvider: 'cpu', maxTokens: 64, ...extra },
      (e) => {
        events.push(e);
        onEvent?.(e);
      },
      signal,
    );
  } finally {
    await engine.dispose();
  }
  return events;
}

const TEXTS: Record<string, Partial<InspectRequest> & { text: string }> = {
  'gpt2-fused': { text: 'def area(r):\n    return 3.14 * r * r' },
  'bert-padding': { text: 'The Quick brown fox, naïvely: x = 42!' },
  'llama-rope-gqa': { text: 'def area(r):\n    return 3.14 * r * r' },
  'enc-dec-cross': { text: "print('hi')", sourceText: 'Translate: for i in range(10): total += i' },
};

describe('OnnxEngine on fixture model folders', function () {
  this.timeout(60_000);

  it('tokenizes like the export, streams tokens, one event per layer, done; reports the provider and its fallbacks', async () => {
    const g = golden('gpt2-fused');
    const events = await run('gpt2-fused', g.text as string, { executionProvider: 'auto' });
    assert.deepEqual(events.map((e) => e.type), ['tokens', 'layer', 'layer', 'done']);
    const tokens = events[0] as Tokens;
    assert.deepEqual(tokens.tokens.map((t) => t.id), g.inputs.input_ids[0]);
    assert.deepEqual(tokens.provider.backend, 'onnx');
    assert.ok(['cpu', 'cuda', 'webgpu'].includes(tokens.provider.provider));
    if (tokens.provider.provider === 'cpu') assert.ok(tokens.provider.fallbacks.length > 0, 'why no GPU provider was used is said');
    assert.deepEqual({ ...tokens.model, notes: [] }, { name: 'gpt2-fused', layers: 2, heads: 4, causal: true, route: 'weights', notes: [] });
    layersOf(events).forEach((l, i) => {
      assert.ok(maxAbsDiff(l.weights, flat(g.attentions[i].probs)) <= 1e-5);
      // each layer's weights own their buffer: sending one does not ship a larger tensor
      assert.equal(l.weights.byteOffset, 0);
      assert.equal(l.weights.buffer.byteLength, l.weights.byteLength);
    });
    assert.ok(events.every((e) => e.runId === 7));
  });

  for (const dir of DECOMPOSED) {
    it(`${dir}: route 1 and route 2 through the engine give the same weights (≤ 1e-5)`, async () => {
      const { text, ...extra } = TEXTS[dir];
      const weights = await run(dir, text, extra, { route: 'weights' });
      const qk = await run(dir, text, extra, { route: 'qk' });
      assert.equal((weights[0] as Tokens).model.route, 'weights');
      assert.equal((qk[0] as Tokens).model.route, 'qk');
      const a = layersOf(weights);
      const b = layersOf(qk);
      assert.equal(a.length, b.length);
      a.forEach((l, i) => {
        assert.deepEqual([l.layer, l.kind, l.heads, l.queryLength, l.keyLength], [b[i].layer, b[i].kind, b[i].heads, b[i].queryLength, b[i].keyLength]);
        assert.ok(maxAbsDiff(l.weights, b[i].weights) <= 1e-5, `${dir} layer ${l.layer}`);
      });
    });
  }

  it('auto recomputes from Q and K when the probabilities exceed the threshold, and says so', async () => {
    const events = await run('llama-rope-gqa', 'hello there, general kenobi', {}, { recomputeAboveMB: 0.0001 });
    const tokens = events[0] as Tokens;
    assert.equal(tokens.model.route, 'qk');
    assert.ok(tokens.model.notes.some((n) => /recomputed from Q and K/.test(n)));
    assert.equal(layersOf(events).length, 2);
  });

  it('fetches only the layers asked for', async () => {
    const events = await run('llama-rope-gqa', 'hello there', { layers: [1] });
    assert.deepEqual(layersOf(events).map((l) => l.layer), [1]);
    const bad = await run('llama-rope-gqa', 'hello there', { layers: [5] });
    assert.match(messageOf(bad[0]), /Layer 5 does not exist/);
  });

  it('labels encoder, decoder self and cross attention of an encoder–decoder (q ≠ k) and matches PyTorch', async () => {
    const g = golden('enc-dec-cross');
    const events = await run('enc-dec-cross', TEXTS['enc-dec-cross'].text, { sourceText: TEXTS['enc-dec-cross'].sourceText });
    const tokens = events[0] as Tokens;
    assert.deepEqual(tokens.tokens.map((t) => t.id), g.inputs.decoder_input_ids[0], 'decoder: start token + text');
    assert.deepEqual(tokens.sourceTokens!.map((t) => t.id), g.inputs.encoder_input_ids[0]);
    const layers = layersOf(events);
    assert.deepEqual(layers.map((l) => l.kind), ['encoder', 'encoder', 'self', 'cross', 'self', 'cross']);
    const cross = layers[3];
    assert.equal(cross.queryLength, tokens.tokens.length);
    assert.equal(cross.keyLength, tokens.sourceTokens!.length);
    layers.forEach((l, i) => assert.ok(maxAbsDiff(l.weights, flat(g.attentions[i].probs)) <= 1e-5, `module ${i}`));
  });

  it('inspects a graph whose attention is fused (MultiHeadAttention) by recomputation', async () => {
    const g = golden('gpt2-fused-mha');
    const events = await run('gpt2-fused-mha', g.text as string);
    const tokens = events[0] as Tokens;
    assert.equal(tokens.model.route, 'qk');
    assert.ok(tokens.model.notes.some((n) => /fused operators/.test(n)));
    assert.equal(tokens.model.heads, 4);
    assert.equal(tokens.model.causal, true);
    layersOf(events).forEach((l, i) => assert.ok(maxAbsDiff(l.weights, flat(g.attentions[i].probs)) <= 1e-5));
  });

  it('refuses inputs over the token limit or the context with a clear message', async () => {
    const over = await run('gpt2-fused', 'word '.repeat(40), { maxTokens: 10 });
    assert.equal(over.length, 1);
    assert.match(messageOf(over[0]), /limit is 10 \(setting attentionInspector\.maxTokens\)/);
    const context = await run('gpt2-fused', 'word '.repeat(200), { maxTokens: 10_000 });
    assert.match(messageOf(context[0]), /reads at most 64 tokens/);
  });

  it('refuses a text whose single layer would not fit the memory limit', async () => {
    const events = await run('gpt2-fused', 'word '.repeat(30), {}, { memoryLimitMB: 0.01 });
    assert.match(messageOf(events[events.length - 1]), /memory limit is 0\.01 MB/);
  });

  it('a cancelled run emits nothing after the cancel', async () => {
    const abort = new AbortController();
    const events = await run('enc-dec-cross', 'the cat sat', { sourceText: 'a cat' }, {}, abort.signal, (e) => {
      if (e.type === 'layer' && e.layer === 1) abort.abort();
    });
    assert.deepEqual(events.map((e) => e.type), ['tokens', 'layer', 'layer']);
  });

  it('a missing folder is one clear error', async () => {
    const events = await run('no-such-model', 'x');
    assert.equal(events.length, 1);
    assert.match(messageOf(events[0]), /does not exist/);
  });
});

describe('OnnxEngine on the bundled model (media/models/mini-code)', function () {
  this.timeout(120_000);
  const BUNDLED = join(__dirname, '..', '..', '..', '..', 'media', 'models', 'mini-code');
  const GOLDEN = join(FIXTURES, 'mini-code-golden.json');
  interface MiniGolden {
    heads: { layer: number; head: number }[];
    texts: { text: string; ids: number[]; attention: number[][][] }[];
  }
  const inspect = async (text: string, options: OnnxEngineOptions) => {
    const engine = new OnnxEngine({ threads: 2, ...options });
    const events: EngineEvent[] = [];
    await engine.inspect({ runId: 1, text, modelDir: BUNDLED, backend: 'onnx', executionProvider: 'cpu', maxTokens: 4096 }, (e) => events.push(e));
    await engine.dispose();
    return events;
  };

  it("matches PyTorch on the golden texts, through both routes", async () => {
    const g = JSON.parse(readFileSync(GOLDEN, 'utf8')) as MiniGolden;
    for (const t of g.texts) {
      for (const route of ['weights', 'qk'] as const) {
        const events = await inspect(t.text, { route });
        assert.deepEqual((events[0] as Tokens).tokens.map((x) => x.id), t.ids);
        const layers = layersOf(events);
        g.heads.forEach(({ layer, head }, n) => {
          const l = layers[layer];
          const block = l.queryLength * l.keyLength;
          const d = maxAbsDiff(l.weights.subarray(head * block, (head + 1) * block), flat(t.attention[n]));
          assert.ok(d <= 1e-5, `${route} layer ${layer} head ${head}: ${d}`);
        });
      }
    }
  });

  it('both routes agree on every head of a 500-token source file (≤ 1e-5)', async () => {
    // Two source files of the engine, so there are always more than 500 tokens to cut from.
    const dir = join(__dirname, '..', '..', '..', '..', 'src', 'engine', 'onnx');
    const source = ['qk-recompute.ts', 'onnx-engine.ts'].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    // Cut the text at the end of token 500 (the model reads 512).
    const spans = await (await loadTokenizer(join(BUNDLED, 'tokenizer.json'))).encode(source);
    const text = source.slice(0, spans[499].end);
    const a = layersOf(await inspect(text, { route: 'weights' }));
    const b = layersOf(await inspect(text, { route: 'qk' }));
    assert.equal(a.length, 4);
    assert.equal(a[0].queryLength, 500);
    a.forEach((l, i) => assert.ok(maxAbsDiff(l.weights, b[i].weights) <= 1e-5, `layer ${i}: ${maxAbsDiff(l.weights, b[i].weights)}`));
  });
});
