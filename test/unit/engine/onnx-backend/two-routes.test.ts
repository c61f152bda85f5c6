// Both routes on the four fixture architectures, fed exactly what PyTorch was fed (including
// BERT's padded second sequence): route 1 exposes each softmax by graph surgery, route 2
// recomputes the probabilities from the exposed Q and K. Each must match PyTorch, and each
// other, to 1e-5; the exposed Q and K must be PyTorch's (after RoPE, before scaling); and
// adding outputs must not change the model's own output.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AttentionSession } from '../../../../src/engine/onnx/attention-session';
import { exposeTensors } from '../../../../src/engine/onnx/graph-surgery';
import { decodeModel, encodeModel } from '../../../../src/engine/onnx/proto';
import { qkFetchNames, recomputeWeights } from '../../../../src/engine/onnx/qk-recompute';
import { DECOMPOSED, FIXTURES, expectedKind, flat, golden, goldenFeeds, maxAbsDiff } from './fixture-golden';

const open = async (name: string) =>
  AttentionSession.open(decodeModel(readFileSync(join(FIXTURES, name, 'model.onnx'))), {
    provider: 'cpu',
    tuning: { threads: 1 },
    manifest: JSON.parse(readFileSync(join(FIXTURES, name, 'inspector.json'), 'utf8')),
  });

describe('route 1 (graph surgery) and route 2 (Q/K recomputation) on fixture architectures', () => {
  for (const name of DECOMPOSED) {
    it(`${name}: both routes give PyTorch's probabilities and agree with each other`, async () => {
      const g = golden(name);
      const session = await open(name);
      try {
        assert.deepEqual(session.sites.map((s) => s.probs), g.softmaxOutputs);
        assert.deepEqual(session.sites.map((s) => s.kind), g.attentions.map((a) => expectedKind(a.kind)));
        const feeds = goldenFeeds(g);
        const all = session.sites.map((s) => s.index);
        const route1 = await session.probabilities(feeds, all);
        const route2 = await session.queriesAndKeys(feeds, all);
        for (const a of g.attentions) {
          const expected = flat(a.probs);
          const p1 = route1.get(a.index)!;
          assert.deepEqual(p1.dims, [a.probs.length, a.heads, a.qLen, a.kLen]);
          const w2 = recomputeWeights(route2.get(a.index)!);
          const d1 = maxAbsDiff(p1.data, expected);
          const d2 = maxAbsDiff(w2, expected);
          const d12 = maxAbsDiff(p1.data, w2);
          assert.ok(d1 <= 1e-5 && d2 <= 1e-5 && d12 <= 1e-5, `${name} module ${a.index}: route 1 ${d1}, route 2 ${d2}, between ${d12}`);
        }
      } finally {
        await session.release();
      }
    });

    it(`${name}: the exposed Q and K are PyTorch's, after RoPE and before scaling`, async () => {
      const g = golden(name);
      const session = await open(name);
      try {
        const qk = await session.queriesAndKeys(goldenFeeds(g), session.sites.map((s) => s.index));
        for (const a of g.attentions) {
          const p = qk.get(a.index)!;
          const batch = a.q.length;
          assert.equal(p.heads, batch * a.heads);
          assert.equal(p.headSize, a.q[0][0][0].length);
          assert.ok(maxAbsDiff(p.q, flat(a.q)) <= 1e-5, `${name} module ${a.index}: Q`);
          // K as the MatMul reads it: GQA models repeat each KV head for its query heads.
          const group = a.queryHeadToKvHead ?? Array.from({ length: a.heads }, (_, h) => h);
          const expectedK = flat(a.k.map((perBatch) => group.map((kv) => perBatch[kv])));
          assert.ok(maxAbsDiff(p.k, expectedK) <= 1e-5, `${name} module ${a.index}: K`);
        }
      } finally {
        await session.release();
      }
    });

    it(`${name}: exposing attention tensors leaves the model's output unchanged`, async () => {
      const g = golden(name);
      const model = decodeModel(readFileSync(join(FIXTURES, name, 'model.onnx')));
      const session = AttentionSession.open(model, { provider: 'cpu' });
      const names = session.sites.flatMap((s) => [s.probs!, ...qkFetchNames(s.qk!)]);
      const edited = exposeTensors(model, names, session.sites);
      assert.equal(edited.pruned, 0);
      const ortSession = await ort.InferenceSession.create(encodeModel(edited.model), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      try {
        const outputName = g.logitsLastPosition ? 'logits' : 'last_hidden_state';
        assert.ok(ortSession.outputNames.includes(outputName) && names.every((n) => ortSession.outputNames.includes(n) || n in goldenFeeds(g)));
        const out = (await ortSession.run(goldenFeeds(g), [outputName]))[outputName];
        const [batch, seq, width] = out.dims.map(Number);
        const data = out.data as Float32Array;
        for (let b = 0; b < batch; b++) {
          const at = g.logitsLastPosition ? (b * seq + seq - 1) * width : b * seq * width;
          const expected = (g.logitsLastPosition ?? g.lastHiddenStateFirstToken!)[b];
          assert.ok(maxAbsDiff(data.subarray(at, at + width), expected) <= 1e-4, `${name} batch ${b}`);
        }
      } finally {
        await ortSession.release();
      }
    });

    it(`${name}: the route sessions output only what they fetch, pruned to the nodes they need`, () => {
      const model = decodeModel(readFileSync(join(FIXTURES, name, 'model.onnx')));
      const session = AttentionSession.open(model, { provider: 'cpu' });
      const qkNames = [...new Set(session.sites.flatMap((s) => qkFetchNames(s.qk!)))];
      const lean = exposeTensors(model, qkNames, session.sites, { only: true });
      assert.deepEqual(lean.model.graph!.output.map((o) => o.name).sort(), qkNames.filter((n) => !model.graph!.input.some((i) => i.name === n)).sort());
      // Nothing after the last module's Q and K is computed: no logits, no last softmax.
      assert.ok(lean.pruned > 0);
      assert.ok(!lean.model.graph!.node.some((n) => n.output.includes('logits') || n.output.includes('last_hidden_state')));
      assert.ok(lean.model.graph!.node.filter((n) => n.op_type === 'Softmax').length < session.sites.length);
    });
  }

  it('gpt2-fused-mha: fused MultiHeadAttention has no probabilities in the graph; route 2 recomputes PyTorch\'s', async () => {
    const g = golden('gpt2-fused-mha');
    const session = await open('gpt2-fused-mha');
    try {
      assert.equal(session.sites.length, 2);
      for (const s of session.sites) {
        assert.equal(s.op, 'com.microsoft.MultiHeadAttention');
        assert.equal(s.probs, undefined);
      }
      const feeds = goldenFeeds(g);
      assert.deepEqual(await session.checkFusedSites(feeds), [], 'P·V reproduces the operator output');
      const qk = await session.queriesAndKeys(feeds, [0, 1]);
      for (const a of g.attentions) {
        const w = recomputeWeights(qk.get(a.index)!);
        assert.ok(maxAbsDiff(w, flat(a.probs)) <= 1e-5);
      }
      // The same weights as the decomposed export of the same model, read by route 1.
      const plain = await open('gpt2-fused');
      const p1 = await plain.probabilities(feeds, [0, 1]);
      for (const i of [0, 1]) assert.ok(maxAbsDiff(p1.get(i)!.data, recomputeWeights(qk.get(i)!)) <= 1e-5);
      await plain.release();
    } finally {
      await session.release();
    }
  });

  it('a fused module whose recomputation disagrees with its output is withdrawn, with the reason', async () => {
    const g = golden('gpt2-fused-mha');
    const session = await open('gpt2-fused-mha');
    try {
      // Misread the operator on purpose: drop the causal mask of module 1.
      const spec = session.sites[1].qk!;
      spec.steps = spec.steps.filter((s) => s.kind !== 'causal');
      const problems = await session.checkFusedSites(goldenFeeds(g));
      assert.equal(problems.length, 1);
      assert.match(problems[0], /do not reproduce the operator's output/);
      assert.equal(session.sites[1].qk, undefined);
      assert.ok(session.sites[0].qk, 'module 0 still recomputable');
    } finally {
      await session.release();
    }
  });

  it('recomputes only the heads and rows asked for', async () => {
    const g = golden('llama-rope-gqa');
    const session = await open('llama-rope-gqa');
    try {
      const p = (await session.queriesAndKeys(goldenFeeds(g), [1])).get(1)!;
      const full = recomputeWeights(p);
      const part = recomputeWeights(p, { heads: [3, 1], rowStart: 5, rowEnd: 9 });
      const lk = p.keyLength;
      const block = p.queryLength * lk;
      assert.equal(part.length, 2 * 4 * lk);
      for (const [n, h] of [3, 1].entries()) {
        const expected = full.subarray(h * block + 5 * lk, h * block + 9 * lk);
        assert.deepEqual(Array.from(part.subarray(n * 4 * lk, (n + 1) * 4 * lk)), Array.from(expected));
      }
    } finally {
      await session.release();
    }
  });
});
