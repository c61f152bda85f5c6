// RunPipeline: the messages a run produces (tokens, a layer's thumbnails, then its patterns and
// findings from the engine's analysis event, done), stale and post-failure events ignored, and
// the replay list a reloaded panel receives.
import assert from 'node:assert/strict';
import type { EngineEvent, LayerAttention, TokenSpan } from '../../../src/engine/engine-api';
import { analyzeLayerAttention } from '../../../src/engine/patterns/layer-attention-analysis';
import { toPanelAnalysis } from '../../../src/panel-model/layer-analysis';
import { RunPipeline } from '../../../src/panel-model/run-pipeline';
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

/** The 'analysis' event the engine sends after a layer when the run asks for it. */
function analysisEvent(l: LayerAttention): EngineEvent {
  return { type: 'analysis', runId: l.runId, layer: l.layer, kind: l.kind, ...analyzeLayerAttention(l, tokens, true) };
}

type Of<T extends HostToPanel['type']> = Extract<HostToPanel, { type: T }>;
const pipeline = () => new RunPipeline(RUN, new RunStore(1 << 20), 'test');

describe('RunPipeline', () => {
  it('sends a layer\'s thumbnails on the layer event and its patterns on the analysis event', () => {
    const p = pipeline();
    assert.deepEqual(p.handle(start()).map((m) => m.type), ['run/start']);
    const l0 = previousTokenLayer(0);
    const out = p.handle(layerEvent(l0));
    assert.deepEqual(out.map((m) => m.type), ['run/layer']);
    const layer = (out[0] as Of<'run/layer'>).layer;
    assert.equal(layer.pixels.length, HEADS * layer.rows * layer.cols);
    const patterns = p.handle(analysisEvent(l0));
    assert.deepEqual(patterns.map((m) => m.type), ['run/patterns']);
    const msg = patterns[0] as Of<'run/patterns'>;
    assert.equal(msg.layer, 0);
    assert.deepEqual(msg.patterns.map((x) => x.label), ['previous-token', 'previous-token']);
    assert.deepEqual(msg.patterns, toPanelAnalysis(analyzeLayerAttention(l0, tokens, true)).patterns);
  });

  it('adds a layer\'s masking findings to the run\'s findings, and sends them all again with done', () => {
    const p = pipeline();
    p.handle(start());
    const l0 = previousTokenLayer(0);
    const leak = leakyLayer(1);
    p.handle(layerEvent(l0));
    p.handle(analysisEvent(l0));
    p.handle(layerEvent(leak));
    const out = p.handle(analysisEvent(leak));
    assert.deepEqual(out.map((m) => m.type), ['run/patterns', 'run/findings']);
    assert.ok((out[1] as Of<'run/findings'>).findings.some((f) => f.layer === 1), 'the leak in layer 1 is a finding');
    const done = p.handle({ type: 'done', runId: RUN, elapsedMs: 12 });
    assert.deepEqual(done.map((m) => m.type), ['run/findings', 'run/done']);
    assert.equal(p.finished, true);
  });

  it('ignores events of another run', () => {
    const p = pipeline();
    p.handle(start());
    assert.deepEqual(p.handle({ ...layerEvent(previousTokenLayer(0)), runId: RUN + 1 } as EngineEvent), []);
    assert.deepEqual(p.handle({ ...analysisEvent(previousTokenLayer(0)), runId: RUN + 1 } as EngineEvent), []);
  });

  it('ignores analyses that arrive after the run failed or was cancelled', () => {
    for (const end of ['error', 'cancel'] as const) {
      const p = pipeline();
      p.handle(start());
      const l0 = previousTokenLayer(0);
      p.handle(layerEvent(l0));
      const stop = end === 'error' ? p.handle({ type: 'error', runId: RUN, message: 'boom' }) : p.cancel('Inspection cancelled.');
      assert.deepEqual(stop.map((m) => m.type), ['run/error']);
      assert.deepEqual(p.handle(analysisEvent(l0)), [], end);
      assert.equal(p.finished, false);
    }
  });

  it('replays everything a reloaded panel needs, with only the latest findings', () => {
    const p = pipeline();
    p.handle(start());
    for (const l of [leakyLayer(0), leakyLayer(1)]) {
      p.handle(layerEvent(l));
      p.handle(analysisEvent(l));
    }
    p.handle({ type: 'done', runId: RUN, elapsedMs: 5 });
    const types = p.replay().map((m) => m.type);
    assert.deepEqual(types, ['run/start', 'run/layer', 'run/patterns', 'run/layer', 'run/patterns', 'run/findings', 'run/done']);
    const findings = p.replay().find((m): m is Of<'run/findings'> => m.type === 'run/findings')!;
    assert.deepEqual([...new Set(findings.findings.map((f) => f.layer))].sort(), [0, 1]);
  });
});
