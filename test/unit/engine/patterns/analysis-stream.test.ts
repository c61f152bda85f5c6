// InspectRequest.analyze: engines from createInProcessEngine (and so the engine process) send
// an 'analysis' event after each layer, equal to the analysis of that layer's weights, started
// only after the layer was handed on, and 'done' after the last one; without the flag nothing
// changes; a cancelled run sends no further analyses.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EngineEvent, InspectRequest } from '../../../../src/engine/engine-api';
import { createInProcessEngine } from '../../../../src/engine/inspect';
import { analyzeLayerAttention } from '../../../../src/engine/patterns/layer-attention-analysis';
import { EngineProcessClient } from '../../../../src/engine/process/engine-process-client';

const ROOT = join(__dirname, '..', '..', '..', '..');
const BUNDLED = join(ROOT, 'media', 'models', 'mini-code');
const TEXT = 'for i in range(3):\n    print(i)\nfor i in range(3):\n    print(i)\n';

const request = (extra: Partial<InspectRequest> = {}): InspectRequest => ({
  runId: 1,
  text: TEXT,
  modelDir: BUNDLED,
  backend: 'reference',
  executionProvider: 'cpu',
  maxTokens: 512,
  analyze: true,
  ...extra,
});

type Layer = Extract<EngineEvent, { type: 'layer' }>;
type Analysis = Extract<EngineEvent, { type: 'analysis' }>;
type Tokens = Extract<EngineEvent, { type: 'tokens' }>;

describe('analysis stream (InspectRequest.analyze)', function () {
  this.timeout(120_000);

  it('sends each layer\'s analysis after the layer, in order, and done last', async () => {
    const engine = createInProcessEngine('reference');
    const events: EngineEvent[] = [];
    await engine.inspect(request(), (e) => void events.push(e));
    await engine.dispose();
    const types = events.map((e) => (e.type === 'layer' || e.type === 'analysis' ? `${e.type}${e.layer}` : e.type));
    for (let l = 0; l < 4; l++) assert.ok(types.indexOf(`layer${l}`) < types.indexOf(`analysis${l}`), types.join(' '));
    assert.deepEqual(types.filter((t) => t.startsWith('analysis')), ['analysis0', 'analysis1', 'analysis2', 'analysis3']);
    assert.equal(types[0], 'tokens');
    assert.equal(types.at(-1), 'done');
    const tokens = events[0] as Tokens;
    for (const a of events.filter((e): e is Analysis => e.type === 'analysis')) {
      const layer = events.find((e): e is Layer => e.type === 'layer' && e.layer === a.layer)!;
      assert.deepEqual({ heads: a.heads, findings: a.findings }, analyzeLayerAttention(layer, tokens.tokens, tokens.model.causal));
      assert.equal(a.heads.length, layer.heads);
    }
  });

  it('sends no analysis without the flag', async () => {
    const engine = createInProcessEngine('reference');
    const events: EngineEvent[] = [];
    await engine.inspect(request({ analyze: false }), (e) => void events.push(e));
    await engine.dispose();
    assert.ok(!events.some((e) => e.type === 'analysis'));
    assert.equal(events.at(-1)!.type, 'done');
  });

  it('analyses a layer only after the consumer has taken it', async () => {
    const engine = createInProcessEngine('reference');
    const log: string[] = [];
    await engine.inspect(request(), (e) => {
      if (e.type === 'analysis') log.push(`analysis ${e.layer}`);
      if (e.type !== 'layer') return undefined;
      log.push(`layer ${e.layer}`);
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          log.push(`taken ${e.layer}`);
          resolve();
        }, 50),
      );
    });
    await engine.dispose();
    for (let l = 0; l < 4; l++) assert.ok(log.indexOf(`taken ${l}`) < log.indexOf(`analysis ${l}`), log.join(', '));
  });

  it('stops analysing when the run is cancelled', async () => {
    const engine = createInProcessEngine('reference');
    const abort = new AbortController();
    const events: EngineEvent[] = [];
    await engine.inspect(request(), (e) => {
      events.push(e);
      if (e.type === 'layer' && e.layer === 0) abort.abort();
    }, abort.signal);
    await engine.dispose();
    assert.ok(!events.some((e) => e.type === 'analysis'), events.map((e) => e.type).join(', '));
    assert.ok(!events.some((e) => e.type === 'done'));
  });

  it('comes through the engine process, analysed in the child', async () => {
    const client = new EngineProcessClient({ entry: join(ROOT, 'src', 'engine', 'process', 'engine-process-main.ts'), execArgv: ['--import', 'tsx'], threads: 1, memoryLimitMB: 512 });
    try {
      const events: EngineEvent[] = [];
      await client.inspect(request({ backend: 'onnx' }), (e) => void events.push(e));
      const analyses = events.filter((e): e is Analysis => e.type === 'analysis');
      assert.equal(analyses.length, events.filter((e) => e.type === 'layer').length);
      assert.ok(analyses.some((a) => a.heads.some((h) => h.label === 'previous-token')), 'the bundled model has a previous-token head');
      assert.equal(events.at(-1)!.type, 'done');
    } finally {
      await client.dispose();
    }
  });
});
