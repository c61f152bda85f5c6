// Reading roles from the graph: found by structure on the fixture decoder, float16 weights
// read through their Cast, and clear refusals for architectures the reference does not run.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModelFolder } from '../../../../src/engine/model/model-folder';
import { runDecoder } from '../../../../src/engine/reference-model/decoder-forward';
import { readDecoderWeights, UnsupportedArchitectureError } from '../../../../src/engine/reference-model/decoder-weights';
import {
  AttributeType,
  DataType,
  arrayToTensorProto,
  tensorToFloat32,
  type ModelProto,
  type NodeProto,
} from '../../../../src/engine/onnx/proto';
import { attentionExposingModel, GPT2_FUSED, maxAbsDiff, onnxRuntimeAttention, REPO } from './reference-test-inputs';

const FIXTURES = join(REPO, 'test', 'fixtures', 'models');

/** The same model with every weight matrix and vector stored as float16 and cast back at run time. */
function withFloat16Weights(model: ModelProto): ModelProto {
  const graph = model.graph;
  if (!graph) throw new Error('no graph');
  const casts: NodeProto[] = [];
  const initializer = graph.initializer.map((t) => {
    if (t.data_type !== DataType.FLOAT) return t;
    const name = t.name ?? '';
    casts.push({
      op_type: 'Cast', name: `${name}/cast`, input: [`${name}.f16`], output: [name],
      attribute: [{ name: 'to', type: AttributeType.INT, i: BigInt(DataType.FLOAT), floats: [], ints: [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] }],
      metadata_props: [], device_configurations: [],
    });
    return arrayToTensorProto(tensorToFloat32(t), t.dims, { dataType: DataType.FLOAT16, name: `${name}.f16` });
  });
  return { ...model, graph: { ...graph, initializer, node: [...casts, ...graph.node] } };
}

describe('decoder weights from the graph', () => {
  before(function () {
    if (!existsSync(join(GPT2_FUSED, 'model.onnx'))) this.skip();
  });

  it('finds every role of the GPT-2-style fixture by structure, anonymous initializers included', async () => {
    const folder = await openModelFolder(GPT2_FUSED);
    const w = readDecoderWeights(folder.model, folder.manifest);
    assert.equal(w.layers.length, 2);
    assert.equal(w.heads, 4);
    assert.equal(w.positions, 'learned');
    assert.equal(w.activation, 'gelu_tanh'); // the exporter wrote tanh-GELU out with a Tanh node
    assert.equal(w.causal, true);
    assert.equal(w.names.tokenEmbedding, 'wte.weight');
    assert.equal(w.names.positionEmbedding, 'wpe.weight');
    const d = w.dModel;
    const layer = w.layers[0];
    assert.ok('fused' in layer.qkv);
    if ('fused' in layer.qkv) assert.deepEqual(layer.qkv.fused.weight.shape, [d, 3 * d]);
    assert.deepEqual(layer.proj.weight.shape, [d, d]);
    assert.deepEqual(layer.fc.weight.shape, [d, 4 * d]);
    assert.deepEqual(layer.fcOut.weight.shape, [4 * d, d]);
    assert.ok(Math.abs(layer.ln1.epsilon - 1e-5) < 1e-9);
    assert.deepEqual(w.lmHead?.weight.shape, [d, w.tokenEmbedding.shape[0]]);
    // The LayerNorm biases are the named initializers, matched by structure.
    const ln1Bias = folder.model.graph?.initializer.find((t) => t.name === 'layers.0.ln1.bias');
    assert.ok(ln1Bias && layer.ln1.bias);
    assert.deepEqual(Array.from(layer.ln1.bias.data), Array.from(tensorToFloat32(ln1Bias)));
  });

  it('reads float16 initializers through their Cast and still matches ONNX Runtime to 1e-4', async () => {
    const folder = await openModelFolder(GPT2_FUSED);
    const half = withFloat16Weights(folder.model);
    const w = readDecoderWeights(half, folder.manifest);
    const exposed = attentionExposingModel({ ...folder, model: half, manifest: undefined });
    const ids = (await folder.tokenizer.encode('def f(x):\n    return x * 2  # 🙂')).map((t) => t.id);
    const ort = await onnxRuntimeAttention(exposed.bytes, exposed.names, 'input_ids', ids);
    const ours: Float32Array[] = [];
    await runDecoder(w, ids, { onLayer: (l, a) => void (ours[l] = Float32Array.from(a)) });
    ours.forEach((a, l) => assert.ok(maxAbsDiff(a, ort.attention[l]) <= 1e-4, `layer ${l}`));
    // And the rounding really happened: float16 weights differ from the float32 ones.
    const full = readDecoderWeights(folder.model, folder.manifest);
    assert.ok(maxAbsDiff(w.tokenEmbedding.data, full.tokenEmbedding.data) > 0);
  });

  const refusals: [string, RegExp][] = [
    ['bert-padding', /expected the attention LayerNorm, found a Linear|GPT-style pre-LayerNorm decoders/],
    ['llama-rope-gqa', /no learned position embedding found and inspector\.json does not say "positionEmbedding": "rope"/],
    ['enc-dec-cross', /encoder-decoder models are not run by the reference/],
  ];
  for (const [name, message] of refusals) {
    it(`refuses ${name} with a reason`, async function () {
      const dir = join(FIXTURES, name);
      if (!existsSync(join(dir, 'model.onnx'))) this.skip();
      const folder = await openModelFolder(dir);
      assert.throws(() => readDecoderWeights(folder.model, folder.manifest), (e: unknown) => {
        assert.ok(e instanceof UnsupportedArchitectureError);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it('refuses a graph that goes on after the decoder (an encoder-decoder without a manifest)', async function () {
    const dir = join(FIXTURES, 'enc-dec-cross');
    if (!existsSync(join(dir, 'model.onnx'))) this.skip();
    const folder = await openModelFolder(dir);
    assert.throws(
      () => readDecoderWeights(folder.model, { heads: folder.manifest?.heads }),
      /graph goes on with|Softmax nodes for|does not read the LayerNorm/,
    );
  });

  it('runs the fused-kernel twin (com.microsoft.MultiHeadAttention) and gets the unfused golden weights', async function () {
    const dir = join(FIXTURES, 'gpt2-fused-mha');
    if (!existsSync(join(dir, 'golden.json'))) this.skip();
    const folder = await openModelFolder(dir);
    const w = readDecoderWeights(folder.model, folder.manifest);
    const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { inputs: { input_ids: number[][] }; attentions: { probs: number[][][][] }[] };
    const got: Float32Array[] = [];
    await runDecoder(w, golden.inputs.input_ids[0], { onLayer: (l, a) => void (got[l] = Float32Array.from(a)) });
    golden.attentions.forEach((a, l) => assert.ok(maxAbsDiff(got[l], a.probs[0].flat(2)) <= 1e-5, `layer ${l}`));
  });

  it('needs the head count from inspector.json', async () => {
    const folder = await openModelFolder(GPT2_FUSED);
    assert.throws(() => readDecoderWeights(folder.model, { ...folder.manifest, heads: undefined }), /must give "heads"/);
    assert.throws(() => readDecoderWeights(folder.model, { ...folder.manifest, layers: 3 }), /found 2 decoder layers but inspector\.json says 3/);
  });
});
