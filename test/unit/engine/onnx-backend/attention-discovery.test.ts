// Attention discovery on graphs built here: what counts as an attention softmax (and what
// does not), the replayable steps between Q·Kᵀ and the softmax, and the operators that are
// reported instead of guessed.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { discoverAttention } from '../../../../src/engine/onnx/attention-discovery';
import { AttentionSession, noAttentionMessage } from '../../../../src/engine/onnx/attention-session';
import { DataType, decodeModel } from '../../../../src/engine/onnx/proto';
import { recomputeWeights } from '../../../../src/engine/onnx/qk-recompute';
import { boolMask } from '../../../../src/engine/reference/masks';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { DECOMPOSED, FIXTURES, expectedKind, golden, maxAbsDiff } from './fixture-golden';
import { floatTensor, int, ints, model, node, randomValues, valueInfo } from './graph-builder';

const scalar = (name: string, v: number) => floatTensor(name, [], [v]);

describe('attention discovery', () => {
  for (const name of DECOMPOSED) {
    it(`${name}: one module per attention softmax, in graph order, with its kind and Q/K`, () => {
      const g = golden(name);
      const manifest = JSON.parse(readFileSync(join(FIXTURES, name, 'inspector.json'), 'utf8'));
      const found = discoverAttention(decodeModel(readFileSync(join(FIXTURES, name, 'model.onnx'))), { manifest });
      assert.deepEqual(found.sites.map((s) => s.probs), g.softmaxOutputs);
      assert.deepEqual(found.sites.map((s) => s.kind), g.attentions.map((a) => expectedKind(a.kind)));
      assert.ok(found.sites.every((s) => s.qk && s.qk.q.layout === 'rows' && s.qk.k.layout === 'columns'));
      assert.deepEqual(found.unsupported, []);
    });
  }

  it('the scale folded into Q before Q·Kᵀ (enc-dec) becomes a step, so the exposed Q is unscaled', () => {
    const found = discoverAttention(decodeModel(readFileSync(join(FIXTURES, 'enc-dec-cross', 'model.onnx'))));
    const steps = found.sites[0].qk!.steps;
    assert.equal(steps[0].kind, 'binary');
    assert.equal((steps[0] as { op: string }).op, 'Mul');
  });

  it('a softmax over a projection (a classifier head) is not attention', () => {
    const m = model({
      nodes: [node('MatMul', ['X', 'W'], ['logits']), node('Softmax', ['logits'], ['P'], [int('axis', -1)])],
      inputs: [valueInfo('X', DataType.FLOAT, [1, 4])],
      outputs: [valueInfo('P', DataType.FLOAT, [1, 3])],
      initializers: [floatTensor('W', [4, 3], randomValues(12, 1))],
    });
    const found = discoverAttention(m);
    assert.deepEqual(found.sites, []);
    assert.match(noAttentionMessage(found), /no Softmax fed by a Q·Kᵀ MatMul/);
  });

  it('rank-3 (bmm-style) attention with a pre-scaled Q, softcap and a Where mask: both routes equal the reference', async () => {
    const [H, L, D, cap] = [3, 6, 4, 2.5];
    const m = model({
      nodes: [
        node('Mul', ['Q', 'qscale'], ['Qs']),
        node('Transpose', ['K'], ['Kt'], [ints('perm', [0, 2, 1])]),
        node('MatMul', ['Qs', 'Kt'], ['S']),
        node('Div', ['S', 'cap'], ['S1']),
        node('Tanh', ['S1'], ['S2']),
        node('Mul', ['S2', 'cap'], ['S3']),
        node('Where', ['M', 'S3', 'neginf'], ['S4']),
        node('Softmax', ['S4'], ['P'], [int('axis', -1)]),
        node('MatMul', ['P', 'V'], ['Y']),
      ],
      inputs: [valueInfo('Q', DataType.FLOAT, [H, L, D]), valueInfo('K', DataType.FLOAT, [H, L, D]), valueInfo('V', DataType.FLOAT, [H, L, D]), valueInfo('M', DataType.BOOL, [L, L])],
      outputs: [valueInfo('Y', DataType.FLOAT, [H, L, D])],
      initializers: [scalar('qscale', 0.5), scalar('cap', cap), scalar('neginf', -Infinity)],
    });
    const found = discoverAttention(m);
    assert.equal(found.sites.length, 1);
    assert.deepEqual(found.sites[0].qk!.steps.map((s) => (s.kind === 'binary' || s.kind === 'unary' ? `${s.kind}:${s.op}` : s.kind)), [
      'binary:Mul',
      'binary:Div',
      'unary:Tanh',
      'binary:Mul',
      'where',
    ]);
    const session = AttentionSession.open(m, { provider: 'cpu', tuning: { threads: 1 } });
    try {
      const q = randomValues(H * L * D, 2);
      const k = randomValues(H * L * D, 3);
      const keep = new Uint8Array(L * L);
      for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) keep[i * L + j] = j <= i && j !== 2 ? 1 : 0;
      keep[2 * L + 2] = 1;
      const feeds = { Q: new ort.Tensor('float32', q, [H, L, D]), K: new ort.Tensor('float32', k, [H, L, D]), V: new ort.Tensor('float32', randomValues(H * L * D, 4), [H, L, D]), M: new ort.Tensor('bool', keep, [L, L]) };
      const p1 = (await session.probabilities(feeds, [0])).get(0)!;
      const p2 = recomputeWeights((await session.queriesAndKeys(feeds, [0])).get(0)!);
      const ref = scaledDotProductAttention({ data: q, shape: [1, H, L, D] }, { data: k, shape: [1, H, L, D] }, { data: k, shape: [1, H, L, D] }, { scale: 0.5, softcap: cap, mask: boolMask(keep, [L, L]) }).weights.data;
      assert.deepEqual(p1.dims, [H, L, L]);
      assert.ok(maxAbsDiff(p1.data, ref) <= 1e-5, `route 1 ${maxAbsDiff(p1.data, ref)}`);
      assert.ok(maxAbsDiff(p2, ref) <= 1e-5, `route 2 ${maxAbsDiff(p2, ref)}`);
    } finally {
      await session.release();
    }
  });

  it('reports fused kernels it cannot read, and refuses a model with nothing readable', async () => {
    const m = model({
      microsoft: true,
      nodes: [
        node('PackedAttention', ['X', 'W', 'b', 'token_offset', 'cu_seqlens'], ['Y'], [int('num_heads', 2)], 'com.microsoft', 'packed'),
        node('Attention', ['X2', 'W2', 'b2'], ['Y2'], [int('num_heads', 2)], 'com.microsoft', 'attn'),
      ],
      inputs: [valueInfo('X', DataType.FLOAT, [1, 4, 8]), valueInfo('X2', DataType.FLOAT, [1, 4, 8])],
      outputs: [valueInfo('Y', DataType.FLOAT, [1, 4, 8]), valueInfo('Y2', DataType.FLOAT, [1, 4, 8])],
      initializers: [floatTensor('W2', [8, 24], randomValues(192, 5)), floatTensor('b2', [24], randomValues(24, 6))],
    });
    const found = discoverAttention(m);
    assert.deepEqual(found.sites, []);
    assert.equal(found.unsupported.length, 2);
    assert.match(found.unsupported[0], /PackedAttention 'packed' packs several sequences/);
    assert.match(found.unsupported[1], /Attention 'attn'.*projections happen inside the operator/);
    assert.throws(() => AttentionSession.open(m, { provider: 'cpu' }), /cannot be inspected: com\.microsoft\.PackedAttention/);
  });
});
