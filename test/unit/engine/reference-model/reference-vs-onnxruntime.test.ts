// The reference forward pass against ONNX Runtime on the same model file: every layer's
// attention probabilities must agree to 1e-4 (max absolute difference) on twenty varied
// inputs from 1 to 512 tokens. The differences are printed, as llm.c's test_gpt2 does.
import { strict as assert } from 'node:assert';
import { relative } from 'node:path';
import { openModelFolder, type ModelFolder } from '../../../../src/engine/model/model-folder';
import { runDecoder } from '../../../../src/engine/reference-model/decoder-forward';
import { readDecoderWeights, type DecoderWeights } from '../../../../src/engine/reference-model/decoder-weights';
import { attentionExposingModel, inputIds, maxAbsDiff, onnxRuntimeAttention, REFERENCE_TEXTS, referenceModelDirs, REPO } from './reference-test-inputs';

const TOLERANCE = 1e-4;

for (const dir of referenceModelDirs()) {
  describe(`reference forward pass vs ONNX Runtime: ${relative(REPO, dir)}`, function () {
    this.timeout(600_000);
    let folder: ModelFolder;
    let weights: DecoderWeights;
    let exposed: { bytes: Uint8Array; names: string[] };
    const table: string[] = [];

    before(async () => {
      folder = await openModelFolder(dir);
      weights = readDecoderWeights(folder.model, folder.manifest);
      exposed = attentionExposingModel(folder);
      assert.equal(exposed.names.length, weights.layers.length, 'one attention tensor per layer');
    });
    after(() => {
      if (table.length) console.log(`      max |reference − ORT| per input (${relative(REPO, dir)}):\n` + table.join('\n'));
    });

    for (const input of REFERENCE_TEXTS) {
      it(`${input.label}`, async () => {
        const ids = await inputIds(folder, input, weights.contextLength ?? 512);
        assert.ok(ids.length >= 1);
        const ort = await onnxRuntimeAttention(exposed.bytes, exposed.names, folder.idsInput ?? 'input_ids', ids);
        const ours: Float32Array[] = [];
        // Logits (the whole vocabulary at every position) are checked on the shorter inputs only, to keep the suite quick.
        const withLogits = ort.logits !== undefined && ids.length <= 128;
        const result = await runDecoder(weights, ids, { onLayer: (l, a) => void (ours[l] = Float32Array.from(a)), logits: withLogits });
        const diffs = ours.map((a, l) => maxAbsDiff(a, ort.attention[l]));
        const worst = Math.max(...diffs);
        const logitsDiff = withLogits && ort.logits && result.logits ? maxAbsDiff(result.logits, ort.logits) : undefined;
        table.push(`        ${String(ids.length).padStart(4)} tokens  ${worst.toExponential(2)}  (${input.label}${logitsDiff !== undefined ? `; logits ${logitsDiff.toExponential(2)}` : ''})`);
        for (let l = 0; l < diffs.length; l++) assert.ok(diffs[l] <= TOLERANCE, `layer ${l}: max |diff| ${diffs[l]} > ${TOLERANCE}`);
        if (logitsDiff !== undefined) assert.ok(logitsDiff <= 1e-3, `logits differ by ${logitsDiff}`);
      });
    }
  });
}
