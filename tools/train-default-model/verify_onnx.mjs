// Run model.onnx with onnxruntime-node on the inputs export.py saved and compare every output
// with the PyTorch values (raw little-endian float32 files). Also checks that the tokenizer.json
// loads in both the `tokenizers` binding and `@huggingface/tokenizers` and that they agree.
// usage: node tools/train-default-model/verify_onnx.mjs MODEL_DIR CHECK_DIR
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import tk from 'tokenizers';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';

const [modelDir, checkDir] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(path.join(checkDir, 'check.json'), 'utf8'));
const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'), {
  intraOpNumThreads: 1,
});
const report = { inputs: session.inputNames, outputs: session.outputNames, cases: [] };
for (const c of spec.cases) {
  const ids = BigInt64Array.from(c.ids.flat().map(BigInt));
  const feeds = { input_ids: new ort.Tensor('int64', ids, c.shape) };
  const t0 = performance.now();
  const res = await session.run(feeds);
  const ms = performance.now() - t0;
  const diffs = {};
  for (const name of c.outputs) {
    const buf = fs.readFileSync(path.join(checkDir, `${c.name}.${name}.f32`));
    const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const got = res[name].data;
    if (got.length !== ref.length) throw new Error(`${c.name}/${name}: ${got.length} values, expected ${ref.length}`);
    let m = 0;
    for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]));
    diffs[name] = { maxAbsDiff: m, dims: res[name].dims };
  }
  report.cases.push({ name: c.name, shape: c.shape, runMs: Math.round(ms), diffs });
}
// Tokenizer: both JS loaders must produce the ids the Rust binding produces.
const tokPath = path.join(modelDir, 'tokenizer.json');
const rust = tk.Tokenizer.fromFile(tokPath);
const js = new JsTokenizer(JSON.parse(fs.readFileSync(tokPath, 'utf8')), {});
const samples = ['def main(argv):\n    return 0\n', 'Hello, world! Ünïcödé — 中文 🙂', '  x = [1, 2, 3]  # list\n\n'];
report.tokenizerAgreement = [];
for (const s of samples) {
  const a = (await rust.encode(s)).getIds();
  const b = js.encode(s).ids;
  report.tokenizerAgreement.push({ text: s, same: JSON.stringify(a) === JSON.stringify(Array.from(b)), rust: a, js: Array.from(b) });
}
console.log(JSON.stringify(report, null, 1));
