// RunPipeline: the order of the messages a run produces (tokens, thumbnails before analysis,
// every layer's patterns before done), stale events ignored, and the replay list a reloaded
// panel receives.
import assert from 'node:assert/strict';
import type { EngineEvent, LayerAttention, TokenSpan } from '../../../src/engine/engine-api';
import { analyzeLayerAttention } from '../../../src/engine/patterns/layer-attention-analysis';
import { analyzeStreamedLayer } from '../../../src/panel-model/layer-analysis';
import { RunPipeline, type LayerAnalyzer } from '../../../src/panel-model/run-pipeline';
import { RunStore } from '../../../src/panel-model/run-store';
import type { HostToPanel } from '../../../src/protocol/panel-messages';

const N = 16;
const HEADS = 2;
const LAYERS = 3;
const RUN = 7;

const tokens: TokenSpan[] = Array.from({ length: N }, (_, i) => ({ id: i, text: `t${i}`, start: 2 * i, end: 2 * i + 1, special: false }));

/** Causal previous-token heads: row i puts all weight on i-1 (row 0 on itself). */
function previousTokenLayer(layer: number): LayerAttention {
  const weights = new Float32Array(HEADS * N * N);
  for (let h = 0; h < HEADS; h++) for (let i = 0; i < N; i++) weights[(h * N + i) * N + Math.max(0, i - 1)] = 1;
  return { runId: RUN, layer, kind: 'self', heads: HEADS, queryLength: N, keyLength: N, weights };
}

/** Layer 2 leaks: head 0 puts weight on the last (future) key. */
function leakyLayer(layer: number): LayerAttention {
  const l = previousTokenLayer(layer);
  for (let i = 0; i < N - 1; i++) {
    const row = l.weights.subarray(i * N, (i + 1) * N);
    row.fill(0);
    row[N - 1] = 1;
  }
  return l;
}

function start(): EngineEvent {
  return {
    type: 'tokens',
    runId: RUN,
    tokens,
    model: { name: 'toy', layers: LAYERS, heads: HEADS, causal: true, route: 'weights', notes: [] },
    provider: { backend: 'reference', provider: 'typescript', fallbacks: [] },
  };
}

function layerEvent(l: LayerAttention): EngineEvent {
  return { type: 'layer', ...l };
}

describe('RunPipeline', () => {
  let analysed: number[];
  const counting: LayerAnalyzer = (attention, toks, causal) => {
    analysed.push(attention.layer);
    return analyzeStreamedLayer(attention, toks, causal);
  };
  beforeEach(() => {
    analysed = [];
  });

  it('sends a layer\'s thumbnails without running its analysis, and its patterns on analyzeNext', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    assert.deepEqual(p.handle(start()).map((m) => m.type), ['run/start']);
    const out = p.handle(layerEvent(previousTokenLayer(0)));
    assert.deepEqual(out.map((m) => m.type), ['run/layer']);
    assert.deepEqual(analysed, [], 'no analysis before the thumbnails leave');
    const layer = (out[0] as Extract<HostToPanel, { type: 'run/layer' }>).layer;
    assert.equal(layer.pixels.length, HEADS * layer.rows * layer.cols);
    assert.ok(p.hasPendingAnalysis);
    const patterns = await p.analyzeNext();
    assert.deepEqual(patterns.map((m) => m.type), ['run/patterns']);
    const msg = patterns[0] as Extract<HostToPanel, { type: 'run/patterns' }>;
    assert.equal(msg.layer, 0);
    assert.deepEqual(msg.patterns.map((x) => x.label), ['previous-token', 'previous-token']);
    assert.equal(p.hasPendingAnalysis, false);
    assert.deepEqual(await p.analyzeNext(), [], 'nothing left to analyse');
  });

  it('holds done back until every pending layer is analysed, in order', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    p.handle(layerEvent(previousTokenLayer(0)));
    p.handle(layerEvent(previousTokenLayer(1)));
    await p.analyzeNext();
    p.handle(layerEvent(leakyLayer(2)));
    assert.deepEqual(p.handle({ type: 'done', runId: RUN, elapsedMs: 12 }), [], 'done waits for layers 1 and 2');
    assert.equal(p.finished, false);
    const one = await p.analyzeNext();
    assert.deepEqual(one.map((m) => m.type), ['run/patterns']);
    const last = await p.analyzeNext();
    assert.deepEqual(analysed, [0, 1, 2]);
    assert.deepEqual(last.map((m) => m.type), ['run/patterns', 'run/findings', 'run/findings', 'run/done']);
    assert.equal(p.finished, true);
    const findings = last.filter((m): m is Extract<HostToPanel, { type: 'run/findings' }> => m.type === 'run/findings').at(-1)!;
    assert.ok(findings.findings.some((f) => f.layer === 2), 'the leak in layer 2 is a finding');
  });

  it('sends done at once when nothing is waiting', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    p.handle(layerEvent(previousTokenLayer(0)));
    await p.drain();
    assert.deepEqual(p.handle({ type: 'done', runId: RUN, elapsedMs: 3 }).map((m) => m.type), ['run/findings', 'run/done']);
  });

  it('waits for an asynchronous analyzer, and a failed analysis leaves the layer without patterns', async () => {
    let calls = 0;
    const flaky = async (attention: LayerAttention, toks: TokenSpan[], causal: boolean) => {
      await new Promise((r) => setTimeout(r, 5));
      if (calls++ === 0) throw new Error('worker died');
      return analyzeStreamedLayer(attention, toks, causal);
    };
    const p = new RunPipeline(RUN, new RunStore(1 << 20), flaky, 'test');
    p.handle(start());
    p.handle(layerEvent(previousTokenLayer(0)));
    p.handle(layerEvent(previousTokenLayer(1)));
    p.handle({ type: 'done', runId: RUN, elapsedMs: 1 });
    const out = await p.drain();
    const patterns = out.filter((m): m is Extract<HostToPanel, { type: 'run/patterns' }> => m.type === 'run/patterns');
    assert.deepEqual(patterns.map((m) => m.patterns.length), [0, HEADS]);
    assert.equal(out.at(-1)!.type, 'run/done');
    assert.deepEqual(p.analysisErrors, ['layer 0: worker died']);
  });

  it('cancel drops outstanding analyses and the held-back done', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    p.handle(layerEvent(previousTokenLayer(0)));
    p.handle({ type: 'done', runId: RUN, elapsedMs: 1 });
    assert.deepEqual(p.cancel('Inspection cancelled.').map((m) => m.type), ['run/error']);
    assert.deepEqual(await p.drain(), []);
    assert.equal(p.finished, false);
  });

  it('relays the engine\'s own analysis events when the engine analyses (the extension\'s mode)', () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), 'engine', 'test');
    p.handle(start());
    const l0 = previousTokenLayer(0);
    assert.deepEqual(p.handle(layerEvent(l0)).map((m) => m.type), ['run/layer']);
    assert.equal(p.hasPendingAnalysis, false, 'nothing to analyse here');
    const leak = leakyLayer(1);
    p.handle(layerEvent(leak));
    const a0 = analyzeLayerAttention(l0, tokens, true);
    const out0 = p.handle({ type: 'analysis', runId: RUN, layer: 0, kind: 'self', ...a0 });
    assert.deepEqual(out0.map((m) => m.type), ['run/patterns']);
    assert.deepEqual((out0[0] as Extract<HostToPanel, { type: 'run/patterns' }>).patterns, analyzeStreamedLayer(l0, tokens, true).patterns);
    const out1 = p.handle({ type: 'analysis', runId: RUN, layer: 1, kind: 'self', ...analyzeLayerAttention(leak, tokens, true) });
    assert.deepEqual(out1.map((m) => m.type), ['run/patterns', 'run/findings']);
    assert.deepEqual(p.handle({ type: 'done', runId: RUN, elapsedMs: 2 }).map((m) => m.type), ['run/findings', 'run/done']);
    assert.deepEqual(analysed, [], 'no local analysis');
  });

  it('ignores events of another run', () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    assert.deepEqual(p.handle({ ...layerEvent(previousTokenLayer(0)), runId: RUN + 1 } as EngineEvent), []);
    assert.equal(p.hasPendingAnalysis, false);
  });

  it('drops pending analyses when the run fails', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    p.handle(layerEvent(previousTokenLayer(0)));
    assert.deepEqual(p.handle({ type: 'error', runId: RUN, message: 'boom' }).map((m) => m.type), ['run/error']);
    assert.deepEqual(await p.analyzeNext(), []);
    assert.deepEqual(analysed, []);
  });

  it('replays everything a reloaded panel needs, with only the latest findings', async () => {
    const p = new RunPipeline(RUN, new RunStore(1 << 20), counting, 'test');
    p.handle(start());
    p.handle(layerEvent(leakyLayer(0)));
    await p.analyzeNext();
    p.handle(layerEvent(leakyLayer(1)));
    p.handle({ type: 'done', runId: RUN, elapsedMs: 5 });
    await p.drain();
    const types = p.replay().map((m) => m.type);
    assert.deepEqual(types, ['run/start', 'run/layer', 'run/patterns', 'run/layer', 'run/patterns', 'run/findings', 'run/done']);
    const findings = p.replay().find((m): m is Extract<HostToPanel, { type: 'run/findings' }> => m.type === 'run/findings')!;
    assert.deepEqual([...new Set(findings.findings.map((f) => f.layer))].sort(), [0, 1]);
  });
});
