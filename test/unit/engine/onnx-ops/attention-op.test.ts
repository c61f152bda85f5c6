// The ONNX Attention adaptor on variants the shared ONNX cases do not cover, checked
// against hand-derived expectations and against onnxruntime-node on the same model.
import { strict as assert } from 'node:assert';
import {
  DataType,
  TensorArray,
  encodeModel,
  makeFloatAttribute,
  makeIntAttribute,
} from '../../../../src/engine/onnx/proto';
import { runReferenceGraph, UnsupportedOpError } from '../../../../src/engine/onnx/ops/run-node';
import { runModelOnce } from '../../../../src/engine/onnx/run-single-node';
import { compareOutputs } from '../../../conformance/conformance-cases';
import { wave } from '../reference/helpers';
import { singleNodeModel } from './single-node-model';

const f32 = (shape: number[], seed: number): TensorArray => ({ dataType: DataType.FLOAT, dims: shape, data: wave(shape, seed).data });
const bool = (shape: number[], values: number[]): TensorArray => ({ dataType: DataType.BOOL, dims: shape, data: Uint8Array.from(values) });
const i64 = (values: number[]): TensorArray => ({ dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });

type Inputs = Array<[string, TensorArray] | ''>;
const ALL_OUTPUTS: Array<[string, DataType] | ''> = [['Y', 1], ['present_key', 1], ['present_value', 1], ['qk', 1]];

async function bothBackends(inputs: Inputs, attrs: Parameters<typeof singleNodeModel>[4], outputs = ALL_OUTPUTS, opset = 24) {
  const model = singleNodeModel('Attention', opset, inputs, outputs, attrs);
  const feeds = Object.fromEntries(inputs.filter((i): i is [string, TensorArray] => i !== ''));
  const reference = runReferenceGraph(model, feeds);
  const ort = await runModelOnce(encodeModel(model), feeds);
  return { reference, ort };
}

function assertAgree(r: Awaited<ReturnType<typeof bothBackends>>): void {
  const notes = { maskedSentinelMatches: 0 };
  const mismatches = compareOutputs(r.reference, r.ort, false, notes);
  assert.deepEqual(mismatches, []);
}

describe('ONNX Attention adaptor', () => {
  it('qk_matmul_output modes 0–3 return scores, softcapped, masked, softmax (and agree with onnxruntime)', async () => {
    const base: Inputs = [['Q', f32([1, 2, 3, 4], 1)], ['K', f32([1, 2, 5, 4], 2)], ['V', f32([1, 2, 5, 4], 3)], ['attn_mask', bool([3, 5], [1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0])]];
    const results = [];
    for (const mode of [0, 1, 2, 3]) {
      const r = await bothBackends(base, [makeIntAttribute('qk_matmul_output_mode', mode), makeFloatAttribute('softcap', 0.7)]);
      assertAgree(r);
      results.push(r.reference.qk.data as Float32Array);
    }
    const [raw, capped, masked, probs] = results;
    for (let i = 0; i < raw.length; i++) {
      assert.ok(Math.abs(capped[i] - 0.7 * Math.tanh(raw[i] / 0.7)) < 1e-6); // mode 1 = softcap(mode 0)
      const blocked = [2, 6, 14].includes(i % 15);
      assert.equal(masked[i], blocked ? -Infinity : capped[i]); // mode 2 = mode 1 + mask
      if (blocked) assert.equal(probs[i], 0);
    }
  });

  it('a mask shorter than the keys is padded as blocked (opset 23 text)', async () => {
    const model = singleNodeModel('Attention', 23, [['Q', f32([1, 1, 2, 4], 4)], ['K', f32([1, 1, 4, 4], 5)], ['V', f32([1, 1, 4, 4], 6)], ['attn_mask', f32([2, 3], 7)]], [['Y', 1], '', '', ['qk', 1]], [makeIntAttribute('qk_matmul_output_mode', 3)]);
    const feeds = { Q: f32([1, 1, 2, 4], 4), K: f32([1, 1, 4, 4], 5), V: f32([1, 1, 4, 4], 6), attn_mask: f32([2, 3], 7) };
    const probs = runReferenceGraph(model, feeds).qk.data as Float32Array;
    assert.equal(probs[3], 0); // key 3 has no mask column → blocked
    assert.equal(probs[7], 0);
  });

  it('3-D GQA with past, a bool mask and is_causal agrees with onnxruntime', async () => {
    // Q [B=2, Lq=2, 6 heads × 4], K/V [2, 2, 2 heads × 4], past 3 → total 5; causal offset = past length
    const r = await bothBackends(
      [['Q', f32([2, 2, 24], 8)], ['K', f32([2, 2, 8], 9)], ['V', f32([2, 2, 8], 10)], ['attn_mask', bool([2, 5], [1, 0, 1, 1, 1, 1, 1, 1, 0, 1])], ['past_key', f32([2, 2, 3, 4], 11)], ['past_value', f32([2, 2, 3, 4], 12)]],
      [makeIntAttribute('q_num_heads', 6), makeIntAttribute('kv_num_heads', 2), makeIntAttribute('is_causal', 1), makeIntAttribute('qk_matmul_output_mode', 3)],
    );
    assertAgree(r);
    assert.deepEqual(r.reference.Y.dims, [2, 2, 24]);
    assert.deepEqual(r.reference.present_key.dims, [2, 2, 5, 4]);
    const p = r.reference.qk.data as Float32Array; // [2, 6, 2, 5]: query 0 may see keys ≤ 3
    assert.equal(p[4], 0);
  });

  it('nonpad_kv_seqlen with is_causal uses offset nonpad[b] − Lq per batch', async () => {
    const r = await bothBackends(
      [['Q', f32([2, 2, 2, 4], 13)], ['K', f32([2, 2, 6, 4], 14)], ['V', f32([2, 2, 6, 4], 15)], '', '', '', ['nonpad_kv_seqlen', i64([5, 3])]],
      [makeIntAttribute('is_causal', 1), makeIntAttribute('qk_matmul_output_mode', 3)],
      [['Y', 1], '', '', ['qk', 1]],
    );
    assertAgree(r);
    const p = r.reference.qk.data as Float32Array; // [2, 2, 2, 6]
    // batch 0: offset 3 → query 0 sees keys 0…3, query 1 sees 0…4
    assert.deepEqual(Array.from(p.subarray(0, 6), (x) => (x > 0 ? 1 : 0)), [1, 1, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(p.subarray(6, 12), (x) => (x > 0 ? 1 : 0)), [1, 1, 1, 1, 1, 0]);
    // batch 1: offset 1 → query 0 sees keys 0…1, query 1 sees 0…2
    assert.deepEqual(Array.from(p.subarray(24, 30), (x) => (x > 0 ? 1 : 0)), [1, 1, 0, 0, 0, 0]);
  });

  it('cross-attention is_causal without a cache is top-left', async () => {
    const r = await bothBackends(
      [['Q', f32([1, 1, 3, 4], 16)], ['K', f32([1, 1, 5, 4], 17)], ['V', f32([1, 1, 5, 4], 18)]],
      [makeIntAttribute('is_causal', 1), makeIntAttribute('qk_matmul_output_mode', 3)],
      [['Y', 1], '', '', ['qk', 1]],
    );
    assertAgree(r);
    const p = r.reference.qk.data as Float32Array;
    assert.deepEqual(Array.from(p.subarray(0, 5), (x) => (x > 0 ? 1 : 0)), [1, 0, 0, 0, 0]);
  });

  it('refuses unknown ops and heads that do not divide', () => {
    const relu = singleNodeModel('Relu', 14, [['x', f32([2], 1)]], [['y', 1]], []);
    assert.throws(() => runReferenceGraph(relu, { x: f32([2], 1) }), (e: unknown) => e instanceof UnsupportedOpError && /unsupported op Relu/.test(e.message));
    const bad = singleNodeModel('Attention', 23, [['Q', f32([1, 3, 2, 4], 1)], ['K', f32([1, 2, 2, 4], 2)], ['V', f32([1, 2, 2, 4], 3)]], [['Y', 1]], []);
    assert.throws(() => runReferenceGraph(bad, { Q: f32([1, 3, 2, 4], 1), K: f32([1, 2, 2, 4], 2), V: f32([1, 2, 2, 4], 3) }), /query heads \(3\)/);
  });
});
