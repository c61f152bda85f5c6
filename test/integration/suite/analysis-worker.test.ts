// The head-pattern analysis worker as the installed extension runs it: the package's
// dist/analysis-worker.js starts as a worker thread inside the real extension host and
// analyses a layer the engine process streamed (weights in shared memory), with the same
// result as the analysis on the extension host thread.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../../../src/engine/engine-api';
import { EngineProcessClient } from '../../../src/engine/process/engine-process-client';
import { analyzeStreamedLayer } from '../../../src/panel-model/layer-analysis';
import { LayerAnalysisWorker } from '../../../src/panel-model/layer-analysis-worker';

const EXTENSION_ID = 'attention-inspector.attention-inspector';

describe('analysis worker (from the installed extension)', function () {
  this.timeout(120_000);

  it('analyses streamed layers in a worker thread, as the host thread would', async () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri.fsPath;
    const script = join(root, 'dist', 'analysis-worker.js');
    assert.ok(existsSync(script), `${script} ships in the package`);
    const client = new EngineProcessClient({ entry: join(root, 'dist', 'engine-process.js'), threads: 1, memoryLimitMB: 1024 });
    const worker = new LayerAnalysisWorker({ script });
    try {
      const events: EngineEvent[] = [];
      const text = 'for i in range(10):\n    print(i)\nfor i in range(10):\n    print(i)\n';
      await client.inspect({ runId: 1, text, modelDir: join(root, 'media', 'models', 'mini-code'), backend: 'onnx', executionProvider: 'cpu', maxTokens: 512 }, (e) => events.push(e));
      const tokens = events.find((e): e is Extract<EngineEvent, { type: 'tokens' }> => e.type === 'tokens')!;
      const layers = events.filter((e): e is Extract<EngineEvent, { type: 'layer' }> => e.type === 'layer');
      assert.ok(layers.length > 0);
      for (const layer of layers) {
        const got = await worker.analyze(layer, tokens.tokens, tokens.model.causal);
        assert.deepEqual(got, analyzeStreamedLayer(layer, tokens.tokens, tokens.model.causal), `layer ${layer.layer}`);
      }
      assert.equal(worker.fallbackReason, undefined, 'the worker thread answered, not the fallback');
    } finally {
      worker.dispose();
      await client.dispose();
    }
  });
});
