import { strict as assert } from 'node:assert';
import { openModelFolder } from '../../../src/engine/model/model-folder';
import { readDecoderWeights } from '../../../src/engine/reference-model/decoder-weights';
import { runDecoder } from '../../../src/engine/reference-model/decoder-forward';
import { computeSdpaSteps, DEFAULT_SENTENCE, SDPA_DEFAULTS, SDPA_MAX_TOKENS } from '../../../src/lessons/sdpa-steps';
import { dotRows, GPT2_FUSED, hasModel, matMul, maxDiff, softmaxRows } from './lesson-test-helpers';

describe('lesson 1: sdpa-steps', () => {
  it('every stage of the toy route matches the formulas, with the shapes it reports', async () => {
    const d = await computeSdpaSteps({ ...SDPA_DEFAULTS, text: 'the cat sat on the mat', headDim: 6 });
    assert.deepEqual(d.tokens, ['the', 'cat', 'sat', 'on', 'the', 'mat']);
    const n = 6;
    assert.equal(d.n, n);
    assert.equal(d.headDim, 6);
    assert.equal(d.q.length, n * 6);
    const raw = dotRows(d.q, d.k, n, n, 6);
    assert.ok(maxDiff(d.rawScores, raw) < 1e-5);
    assert.ok(Math.abs(d.scale - 1 / Math.sqrt(6)) < 1e-12);
    assert.ok(maxDiff(d.scaledScores, raw.map((x) => x / Math.sqrt(6))) < 1e-5);
    // causal: the mask is −∞ exactly above the diagonal
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const m = d.maskedScores[i * n + j];
        if (j > i) assert.equal(m, -Infinity);
        else assert.ok(Math.abs(m - d.scaledScores[i * n + j]) < 1e-6);
      }
    const p = softmaxRows(d.maskedScores, n, n);
    assert.ok(maxDiff(d.weights, p) < 1e-6);
    assert.ok(maxDiff(d.output, matMul(p, d.v, n, n, 6)) < 1e-5);
    for (const s of d.rowSums) assert.ok(Math.abs(s - 1) < 1e-6);
    // same word → same key (toy embeddings depend on the text only, no positions)
    assert.ok(maxDiff(d.k.slice(0, 6), d.k.slice(24, 30)) === 0);
    assert.deepEqual(d.shapes.map((s) => s.shape), [[n, 6], [n, 6], [n, 6], [n, n], [n, n], [n, n], [n, n], [n, 6]]);
  });

  it('without the causal mask every key is visible', async () => {
    const d = await computeSdpaSteps({ ...SDPA_DEFAULTS, causal: false });
    assert.ok(d.maskedScores.every((x) => Number.isFinite(x)));
    assert.ok(d.weights.every((x) => x > 0));
  });

  it('cuts long text, and falls back to the default sentence when empty', async () => {
    const long = await computeSdpaSteps({ ...SDPA_DEFAULTS, text: 'a '.repeat(40) });
    assert.equal(long.n, SDPA_MAX_TOKENS);
    assert.equal(long.truncated, true);
    const empty = await computeSdpaSteps({ ...SDPA_DEFAULTS, text: '   ' });
    assert.equal(empty.tokens.join(' '), 'The cat sat on the mat because it was tired .');
    assert.ok(DEFAULT_SENTENCE.startsWith('The cat'));
  });

  it('asked for a model without one, uses the toy projection and says why', async () => {
    const d = await computeSdpaSteps({ ...SDPA_DEFAULTS, source: 'model' }, {});
    assert.equal(d.source, 'toy');
    assert.match(d.fallbackReason ?? '', /No model folder/);
    const missing = await computeSdpaSteps({ ...SDPA_DEFAULTS, source: 'model' }, { modelDir: '/nonexistent/model' });
    assert.match(missing.fallbackReason ?? '', /does not exist/);
  });

  it("the model route's layer-0 weights are the ones the model's forward pass computes", async function () {
    if (!hasModel(GPT2_FUSED)) this.skip();
    const text = 'def area(r):\n    return 3.14 * r * r';
    const folder = await openModelFolder(GPT2_FUSED);
    const w = readDecoderWeights(folder.model, folder.manifest);
    const ids = (await folder.tokenizer.encode(text)).slice(0, SDPA_MAX_TOKENS).map((t) => t.id);
    let layer0: Float32Array | undefined;
    await runDecoder(w, ids, { layers: [0], onLayer: (_l, a) => void (layer0 = Float32Array.from(a)) });
    const n = ids.length;
    for (const head of [0, 3]) {
      const d = await computeSdpaSteps({ text, source: 'model', causal: true, headDim: 8, head }, { modelDir: GPT2_FUSED });
      assert.equal(d.source, 'model');
      assert.equal(d.fallbackReason, undefined);
      assert.equal(d.n, n);
      assert.equal(d.headDim, w.dModel / w.heads);
      assert.equal(d.head, head);
      const expected = (layer0 as Float32Array).subarray(head * n * n, (head + 1) * n * n);
      assert.ok(maxDiff(d.weights, expected) < 1e-5, `head ${head}`);
    }
  });
});
