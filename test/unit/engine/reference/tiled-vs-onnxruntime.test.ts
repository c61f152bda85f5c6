import { strict as assert } from 'node:assert';
import { AttentionOpSession, attentionOpModel, onnxRuntimeVersion } from '../../../../src/engine/onnx/attention-op-session';
import { decodeModel } from '../../../../src/engine/onnx/proto';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { tiledAttention } from '../../../../src/engine/reference/tiled-attention';
import { assertClose, wave } from './helpers';

// The benchmark compares the reference kernels with onnxruntime's Attention node: check that
// the node built for it computes the same attention, so the timings compare like with like.
describe('reference: tiled attention vs onnxruntime-node Attention (opset 23)', () => {
  it('the benchmark model is one Attention node of opset 23 with the requested attributes', () => {
    const model = decodeModel(attentionOpModel({ batch: 1, queryHeads: 2, kvHeads: 2, queryLength: 5, keyLength: 5, headSize: 4 }, { causal: true, scale: 0.25 }));
    assert.equal(model.opset_import[0].version, 23);
    assert.equal(model.graph?.node.length, 1);
    const node = model.graph!.node[0];
    assert.equal(node.op_type, 'Attention');
    assert.deepEqual(node.attribute.map((a) => a.name), ['is_causal', 'scale']);
    assert.match(onnxRuntimeVersion(), /^\d+\.\d+/);
  });

  const cases = [
    { name: 'MHA, 3 heads, n = 70, d = 16', hq: 3, hkv: 3, lq: 70, lk: 70, d: 16, causal: false },
    { name: 'causal (top-left), n = 65', hq: 2, hkv: 2, lq: 65, lk: 65, d: 8, causal: true },
    { name: 'GQA 4 → 2, cross-attention 9 × 30', hq: 4, hkv: 2, lq: 9, lk: 30, d: 8, causal: false },
  ];
  for (const c of cases) {
    it(`same output as the reference: ${c.name}`, async () => {
      const q = wave([1, c.hq, c.lq, c.d], 1);
      const k = wave([1, c.hkv, c.lk, c.d], 2);
      const v = wave([1, c.hkv, c.lk, c.d], 3);
      const session = await AttentionOpSession.create({ batch: 1, queryHeads: c.hq, kvHeads: c.hkv, queryLength: c.lq, keyLength: c.lk, headSize: c.d }, { causal: c.causal });
      try {
        const ort = await session.run(q.data, k.data, v.data);
        const causal = c.causal ? ('top-left' as const) : false;
        assertClose(tiledAttention(q, k, v, { causal }).output.data, ort, 1e-5, 'tiled vs onnxruntime');
        assertClose(scaledDotProductAttention(q, k, v, { causal }).output.data, ort, 1e-5, 'naive vs onnxruntime');
      } finally {
        await session.release();
      }
    });
  }
});
