import { strict as assert } from 'node:assert';
import { openModelFolder } from '../../../src/engine/model/model-folder';
import { readDecoderWeights } from '../../../src/engine/reference-model/decoder-weights';
import { runDecoder } from '../../../src/engine/reference-model/decoder-forward';
import { ReferenceEngine } from '../../../src/engine/reference-model/reference-engine';
import { computeMultiHead, MULTI_HEAD_DEFAULTS, parameterTable } from '../../../src/lessons/multi-head';
import { GPT2_FUSED, hasModel, maxDiff } from './lesson-test-helpers';

describe('lesson 5: multi-head', () => {
  it('the parameters of Q, K, V and O do not depend on the head count: 4d² + 4d for every h dividing d', () => {
    const rows = parameterTable(768, 100);
    assert.deepEqual(rows.map((r) => r.heads), [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]);
    for (const r of rows) {
      assert.equal(r.parameters, 4 * 768 * 768 + 4 * 768);
      assert.equal(r.headDim * r.heads, 768);
      assert.equal(r.scoreMultiplyAdds, 100 * 100 * 768); // h · n² · d/h
    }
  });

  it('without a model it says why and still computes the parameter table', async () => {
    const d = await computeMultiHead(MULTI_HEAD_DEFAULTS, { modelDir: '/nonexistent/model' });
    assert.equal(d.available, false);
    if (!d.available) {
      assert.match(d.reason, /does not exist/);
      assert.ok(d.parameterTable.length > 0);
    }
  });

  it("shows the engine's attention for the chosen layer, every head labelled, and the model's own count", async function () {
    if (!hasModel(GPT2_FUSED)) this.skip();
    const text = 'a b c d e f a b c d e f a b c d e f';
    const d = await computeMultiHead({ text, layer: 1 }, { modelDir: GPT2_FUSED, engine: () => new ReferenceEngine() });
    assert.equal(d.available, true);
    if (!d.available) return;
    const folder = await openModelFolder(GPT2_FUSED);
    const w = readDecoderWeights(folder.model, folder.manifest);
    const ids = (await folder.tokenizer.encode(text)).map((t) => t.id);
    const layers: Float32Array[] = [];
    await runDecoder(w, ids, { onLayer: (l, a) => void (layers[l] = Float32Array.from(a)) });
    assert.equal(d.layer, 1);
    assert.equal(d.tokens.length, ids.length);
    assert.ok(maxDiff(d.weights, layers[1]) < 1e-6);
    assert.equal(d.patterns.length, w.layers.length * w.heads);
    for (const p of d.patterns) assert.ok(p.confidence >= 0 && p.confidence <= 1 && typeof p.label === 'string');
    // GPT-2 style: fused qkv [d, 3d] + bias, proj [d, d] + bias
    assert.equal(d.modelAttentionParameters, 4 * w.dModel * w.dModel + 4 * w.dModel);
    assert.ok(d.parameterTable.every((r) => r.parameters === d.modelAttentionParameters));
    assert.match(d.providerNote, /TypeScript reference/);
  });

  it('cuts long text to whole tokens and clamps the layer', async function () {
    if (!hasModel(GPT2_FUSED)) this.skip();
    const d = await computeMultiHead({ text: 'word '.repeat(200), layer: 99 }, { modelDir: GPT2_FUSED });
    assert.equal(d.available, true);
    if (!d.available) return;
    assert.equal(d.truncated, true);
    assert.ok(d.tokens.length <= 96);
    assert.equal(d.layer, d.layers - 1);
  });
});
