// The reference forward pass against PyTorch: the golden files written by the fixture and
// training scripts hold attention probabilities computed by the PyTorch model the ONNX file
// was exported from.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelFolder } from '../../../../src/engine/model/model-folder';
import { runDecoder } from '../../../../src/engine/reference-model/decoder-forward';
import { readDecoderWeights } from '../../../../src/engine/reference-model/decoder-weights';
import { BUNDLED, GPT2_FUSED, maxAbsDiff, REPO } from './reference-test-inputs';

describe('reference forward pass vs PyTorch golden files', () => {
  it('gpt2-fused: every layer of the golden input', async function () {
    const golden = join(GPT2_FUSED, 'golden.json');
    if (!existsSync(golden)) this.skip();
    const g = JSON.parse(readFileSync(golden, 'utf8')) as { inputs: { input_ids: number[][] }; attentions: { probs: number[][][][] }[] };
    const folder = await openModelFolder(GPT2_FUSED);
    const weights = readDecoderWeights(folder.model, folder.manifest);
    const got: Float32Array[] = [];
    await runDecoder(weights, g.inputs.input_ids[0], { onLayer: (l, a) => void (got[l] = Float32Array.from(a)) });
    assert.equal(got.length, g.attentions.length);
    g.attentions.forEach((a, l) => {
      const diff = maxAbsDiff(got[l], a.probs[0].flat(2));
      assert.ok(diff <= 1e-5, `layer ${l}: max |diff| ${diff}`);
    });
  });

  it('bundled model: the golden heads on the golden texts', async function () {
    const golden = join(REPO, 'test', 'fixtures', 'models', 'mini-code-golden.json');
    if (!existsSync(golden) || !existsSync(join(BUNDLED, 'model.onnx'))) this.skip();
    const g = JSON.parse(readFileSync(golden, 'utf8')) as {
      heads: { layer: number; head: number }[];
      texts: { text: string; ids: number[]; attention: number[][][] }[];
    };
    const folder = await openModelFolder(BUNDLED);
    const weights = readDecoderWeights(folder.model, folder.manifest);
    for (const t of g.texts) {
      // The tokenizer must give the ids the golden file was made with.
      assert.deepEqual((await folder.tokenizer.encode(t.text)).map((s) => s.id), t.ids, `ids of ${JSON.stringify(t.text)}`);
      const byLayer: Float32Array[] = [];
      await runDecoder(weights, t.ids, { onLayer: (l, a) => void (byLayer[l] = Float32Array.from(a)) });
      const n = t.ids.length;
      g.heads.forEach(({ layer, head }, k) => {
        const ours = byLayer[layer].subarray(head * n * n, (head + 1) * n * n);
        const diff = maxAbsDiff(ours, t.attention[k].flat());
        assert.ok(diff <= 1e-4, `layer ${layer} head ${head} on ${JSON.stringify(t.text)}: max |diff| ${diff}`);
      });
    }
  });
});
