// Graph surgery on ONNX exports of four architecture styles (built by
// tools/make-fixture-models.py with PyTorch, no attention outputs): the engine must find each
// attention softmax, expose it, and ONNX Runtime must then return PyTorch's probabilities.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { discoverAttention, exposeAttentionOutputs, noAttentionMessage } from '../../../../src/engine/onnx/attention-discovery';
import { createSessionWithFallback } from '../../../../src/engine/onnx/execution-providers';
import { OnnxEngine } from '../../../../src/engine/onnx/onnx-engine';
import { decodeModel, encodeModel } from '../../../../src/engine/onnx/proto';
import type { EngineEvent } from '../../../../src/engine/engine-api';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'models');

interface Golden {
  text: string;
  inputs: Record<string, number[][]>;
  softmaxOutputs?: string[];
  attentions: { kind: string; heads: number; qLen: number; kLen: number; probs: number[][][][] }[];
}

const golden = (name: string): Golden => JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8'));

function maxDiff(a: Float32Array, b: number[][][]): number {
  let m = 0;
  let i = 0;
  for (const head of b) for (const row of head) for (const v of row) m = Math.max(m, Math.abs(a[i++] - v));
  assert.equal(i, a.length, 'same number of weights');
  return m;
}

describe('graph surgery on fixture architectures', () => {
  for (const name of ['gpt2-fused', 'bert-padding', 'llama-rope-gqa', 'enc-dec-cross']) {
    it(`${name}: finds every attention softmax and ORT returns PyTorch's probabilities`, async () => {
      const g = golden(name);
      const model = decodeModel(readFileSync(join(FIXTURES, name, 'model.onnx')));
      const found = discoverAttention(model);
      assert.deepEqual(found.outputs, g.softmaxOutputs);
      assert.deepEqual(found.fused, []);
      const { session, provider } = await createSessionWithFallback(encodeModel(exposeAttentionOutputs(model, found.outputs)), 'cpu', 1);
      assert.equal(provider, 'cpu');
      const feeds: Record<string, ort.Tensor> = {};
      for (const [input, rows] of Object.entries(g.inputs)) {
        feeds[input] = new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, rows[0].length]);
      }
      const out = await session.run(feeds, found.outputs);
      found.outputs.forEach((o, i) => {
        const expected = g.attentions[i];
        const dims = out[o].dims.map(Number);
        assert.deepEqual(dims.slice(1), [expected.heads, expected.qLen, expected.kLen]);
        const n = expected.heads * expected.qLen * expected.kLen;
        const d = maxDiff((out[o].data as Float32Array).subarray(0, n), expected.probs[0]);
        assert.ok(d <= 1e-5, `${name} ${o}: max abs diff ${d}`);
      });
      await session.release();
    });
  }

  it('reports fused attention kernels instead of guessing', () => {
    const model = decodeModel(readFileSync(join(FIXTURES, 'gpt2-fused-mha', 'model.onnx')));
    const found = discoverAttention(model);
    assert.deepEqual(found.outputs, []);
    assert.equal(found.fused.length, 2);
    assert.match(found.fused[0], /MultiHeadAttention/);
    assert.match(noAttentionMessage(found), /fused operators that never output the weights/);
  });
});

describe('OnnxEngine on fixture models', () => {
  const run = async (dir: string, text: string, extra: Partial<Parameters<OnnxEngine['inspect']>[0]> = {}) => {
    const engine = new OnnxEngine({ threads: 1 });
    const events: EngineEvent[] = [];
    await engine.inspect({ runId: 7, text, modelDir: join(FIXTURES, dir), backend: 'onnx', executionProvider: 'auto', maxTokens: 64, ...extra }, (e) => events.push(e));
    await engine.dispose();
    return events;
  };

  it('tokenizes like the export, streams tokens then layers then done, with the provider and its fallbacks', async () => {
    const g = golden('gpt2-fused');
    const events = await run('gpt2-fused', g.text);
    assert.deepEqual(events.map((e) => e.type), ['tokens', 'layer', 'layer', 'done']);
    const tokens = events[0] as Extract<EngineEvent, { type: 'tokens' }>;
    assert.deepEqual(tokens.tokens.map((t) => t.id), g.inputs.input_ids[0]);
    assert.equal(tokens.provider.backend, 'onnx');
    assert.equal(tokens.provider.provider, 'cpu');
    assert.equal(tokens.model.layers, 2);
    assert.equal(tokens.model.heads, 4);
    const layer1 = events[2] as Extract<EngineEvent, { type: 'layer' }>;
    assert.ok(maxDiff(layer1.weights, g.attentions[1].probs[0]) <= 1e-5);
    assert.ok(events.every((e) => e.runId === 7));
  });

  it('fetches only the layers asked for', async () => {
    const events = await run('llama-rope-gqa', 'hello there', { layers: [1] });
    assert.deepEqual(events.filter((e) => e.type === 'layer').map((e) => (e as { layer: number }).layer), [1]);
  });

  it('labels encoder, decoder self and cross attention of an encoder–decoder (q ≠ k)', async () => {
    const events = await run('enc-dec-cross', 'the cat sat on the mat', { sourceText: 'a small cat sat down on a mat today' });
    const layers = events.filter((e): e is Extract<EngineEvent, { type: 'layer' }> => e.type === 'layer');
    assert.deepEqual(layers.map((l) => l.kind), ['encoder', 'encoder', 'self', 'cross', 'self', 'cross']);
    const cross = layers[3];
    assert.notEqual(cross.queryLength, cross.keyLength);
    const tokens = events[0] as Extract<EngineEvent, { type: 'tokens' }>;
    assert.equal(cross.keyLength, tokens.sourceTokens!.length);
    assert.equal(cross.queryLength, tokens.tokens.length);
  });

  it('refuses inputs over the token limit or the context with a clear message', async () => {
    const over = await run('gpt2-fused', 'word '.repeat(40), { maxTokens: 10 });
    assert.equal(over[0].type, 'error');
    assert.match((over[0] as { message: string }).message, /limit is 10/);
    const context = await run('gpt2-fused', 'word '.repeat(200), { maxTokens: 10_000 });
    assert.match((context[0] as { message: string }).message, /reads at most 64 tokens/);
  });

  it('names the fix for a model whose attention is fused', async () => {
    const events = await run('gpt2-fused-mha', 'hello');
    assert.equal(events[0].type, 'error');
    assert.match((events[0] as { message: string }).message, /fused/);
  });
});
