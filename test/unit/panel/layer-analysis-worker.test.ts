// The analysis worker: the same patterns and findings as the analysis on the calling thread,
// for weights in shared memory (no copy) and in ordinary buffers; several jobs in flight; a
// worker that cannot start or dies falls back to the calling thread with the same results.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { LayerAttention, TokenSpan } from '../../../src/engine/engine-api';
import { analyzeStreamedLayer } from '../../../src/panel-model/layer-analysis';
import { LayerAnalysisWorker } from '../../../src/panel-model/layer-analysis-worker';

const SCRIPT = join(__dirname, '..', '..', '..', 'src', 'panel-model', 'analysis-worker-main.ts');
const N = 24;
const HEADS = 3;
const tokens: TokenSpan[] = Array.from({ length: N }, (_, i) => ({ id: i % 7, text: `w${i % 7}`, start: 3 * i, end: 3 * i + 2, special: false }));

/** Head 0 previous-token, head 1 first-token sink, head 2 leaks one future key. */
function layer(shared: boolean, index = 0): LayerAttention {
  const size = HEADS * N * N;
  const weights = shared ? new Float32Array(new SharedArrayBuffer(size * 4)) : new Float32Array(size);
  for (let i = 0; i < N; i++) {
    weights[(0 * N + i) * N + Math.max(0, i - 1)] = 1;
    weights[(1 * N + i) * N] = 1;
    const j = Math.min(N - 1, i + 1);
    weights[(2 * N + i) * N + j] = 1;
  }
  return { runId: 1, layer: index, kind: 'self', heads: HEADS, queryLength: N, keyLength: N, weights };
}

describe('LayerAnalysisWorker', function () {
  this.timeout(60_000);
  let worker: LayerAnalysisWorker | undefined;
  afterEach(() => worker?.dispose());

  it('gives the same analysis as the calling thread, for shared and ordinary buffers', async () => {
    worker = new LayerAnalysisWorker({ script: SCRIPT, execArgv: ['--require', 'tsx/cjs'] });
    for (const shared of [true, false]) {
      const l = layer(shared);
      const got = await worker.analyze(l, tokens, true);
      assert.deepEqual(got, analyzeStreamedLayer(l, tokens, true));
      assert.ok(got.findings.some((f) => f.heads.includes(2)), 'the leaking head is a finding');
    }
    assert.equal(worker.fallbackReason, undefined, 'the worker itself answered');
  });

  it('answers several jobs in flight, each with its own layer', async () => {
    worker = new LayerAnalysisWorker({ script: SCRIPT, execArgv: ['--require', 'tsx/cjs'] });
    const results = await Promise.all([0, 1, 2, 3].map((i) => worker!.analyze(layer(true, i), tokens, true)));
    assert.deepEqual(results.map((r) => r.patterns[0].layer), [0, 1, 2, 3]);
  });

  it('falls back to the calling thread when the worker cannot run', async () => {
    worker = new LayerAnalysisWorker({ script: join(__dirname, 'no-such-worker.js') });
    const l = layer(false);
    const got = await worker.analyze(l, tokens, true);
    assert.deepEqual(got, analyzeStreamedLayer(l, tokens, true));
    assert.match(worker.fallbackReason ?? '', /analysis worker/);
    // and keeps working without it
    assert.deepEqual(await worker.analyze(l, tokens, false), analyzeStreamedLayer(l, tokens, false));
  });

  it('rejects what is outstanding when disposed', async () => {
    worker = new LayerAnalysisWorker({ script: SCRIPT, execArgv: ['--require', 'tsx/cjs'] });
    const pending = worker.analyze(layer(true), tokens, true);
    worker.dispose();
    await assert.rejects(pending, /disposed/);
  });
});
