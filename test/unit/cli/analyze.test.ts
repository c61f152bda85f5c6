// `attention-inspector analyze` on .npy files written by real NumPy.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTokenJson, runAnalyze } from '../../../src/cli/analyze-command';
import type { HeadReport, MaskingFinding } from '../../../src/engine/patterns/pattern-types';
import { requireNumpy, runPython } from '../engine/io/numpy-python';

/** Runs the command, capturing both streams. */
async function analyze(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAnalyze(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

// Heads built in NumPy: 0.85 of a known pattern + 0.15 uniform over the allowed keys.
const MAKE_FILES = String.raw`
import json, numpy as np
L = 16
rng = np.random.default_rng(0)
r = rng.integers(100, 5000, size=L)
ids = [1] + list(r) + list(r)
n = len(ids)
causal = np.tril(np.ones((n, n)))
uniform = causal / causal.sum(1, keepdims=True)
def head(pattern):
    return 0.85 * pattern + 0.15 * uniform
def one_hot(cols):
    p = np.zeros((n, n))
    p[np.arange(n), cols] = 1
    return p
prev = one_hot([max(0, i - 1) for i in range(n)])
bos = one_hot([0] * n)
diag = one_hot(list(range(n)))
induction = one_hot([i - L + 1 if i > L else 0 for i in range(n)])
duplicate = one_hot([i - L if i > L else 0 for i in range(n)])
leaky = head(prev)
leaky[4] *= 0.7
leaky[4, 10] = 0.3          # query 4 sees key 10: a future token
layer0 = [head(prev), head(bos), head(diag), uniform]
layer1 = [head(induction), head(duplicate), head(prev), leaky]
w = np.array([layer0, layer1])               # [layers, heads, q, k]
np.save('model.npy', w.astype(np.float32))
np.save('model_f16.npy', w.astype(np.float16))
np.save('layer.npy', np.array(layer0, dtype=np.float32))  # [heads, q, k]
np.save('rank2.npy', uniform.astype(np.float32))
cross = np.zeros((2, 5, 9))
cross[0, :, 8] = 1.0                         # every target token on the source's last token
cross[1] = 1 / 9
np.save('cross.npy', cross.astype(np.float32))
texts = ['<s>'] + [' t%d' % t for t in list(r) + list(r)]
json.dump({'ids': [int(x) for x in ids], 'texts': texts}, open('tokens.json', 'w'))
json.dump({'ids': [1, 2, 3]}, open('short-tokens.json', 'w'))
print(n)
`;

describe('analyze command (NumPy files)', function () {
  let dir = '';
  let n = 0;
  const file = (name: string): string => join(dir, name);

  before(function () {
    requireNumpy(this);
    dir = mkdtempSync(join(tmpdir(), 'analyze-test-'));
    n = Number(runPython(MAKE_FILES, dir).trim());
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('labels every head of a [layers, heads, q, k] float32 file and reports the planted leak', async () => {
    const r = await analyze([file('model.npy'), '--tokens', file('tokens.json'), '--causal', '--json', file('out.json')]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(readFileSync(file('out.json'), 'utf8')) as { shape: number[]; causal: boolean; dtype: string; heads: HeadReport[]; findings: MaskingFinding[] };
    assert.deepEqual(json.shape, [2, 4, n, n]);
    assert.equal(json.causal, true);
    assert.equal(json.dtype, 'float32');
    assert.deepEqual(
      json.heads.map((h) => `${h.layer}.${h.head} ${h.label}`),
      ['0.0 previous-token', '0.1 sink', '0.2 diagonal', '0.3 broad', '1.0 induction', '1.1 duplicate-token', '1.2 previous-token', '1.3 previous-token'],
    );
    assert.equal(json.heads[1].sinkColumn, 0);
    assert.equal(json.heads[1].sinkToken, '<s>');
    assert.equal(json.heads[4].positions.induction, 16);
    assert.equal(json.findings.length, 1);
    assert.equal(json.findings[0].kind, 'causal-leak');
    assert.equal(json.findings[0].layer, 1);
    assert.deepEqual(json.findings[0].heads, [3]);
    assert.deepEqual(json.findings[0].cells, [[4, 10]]);
    // The table and the findings on stdout.
    assert.match(r.out, /^\s+1\s+0\s+induction\s+\d\.\d\d\s+induction 0\.\d\d \(16 rows\)/m);
    assert.match(r.out, /^\s+0\s+1\s+sink\s+\d\.\d\d\s+sink 0\.\d\d @0 "<s>"/m);
    assert.match(r.out, /error\s+layer 1\s+causal-leak: causal model attends to future tokens in head 3/);
  });

  it('reads float16 files to the same labels, and --fail-on-findings fails on the leak', async () => {
    const a = JSON.parse(((await analyze([file('model.npy'), '--tokens', file('tokens.json'), '--causal', '--json', file('a.json')])), readFileSync(file('a.json'), 'utf8')));
    const r = await analyze([file('model_f16.npy'), '--tokens', file('tokens.json'), '--causal', '--json', file('b.json'), '--fail-on-findings']);
    assert.equal(r.code, 1);
    const b = JSON.parse(readFileSync(file('b.json'), 'utf8'));
    assert.equal(b.dtype, 'float16');
    assert.deepEqual(b.heads.map((h: HeadReport) => h.label), a.heads.map((h: HeadReport) => h.label));
    // float16 rounding stays within the row-sum tolerance: the leak is the only finding.
    assert.deepEqual(b.findings.map((f: MaskingFinding) => f.kind), ['causal-leak']);
  });

  it('accepts [heads, q, k] as one layer, without tokens', async () => {
    const r = await analyze([file('layer.npy'), '--causal', '--json', file('c.json')]);
    assert.equal(r.code, 0, r.err);
    const c = JSON.parse(readFileSync(file('c.json'), 'utf8'));
    assert.deepEqual(c.heads.map((h: HeadReport) => `${h.layer}.${h.head} ${h.label}`), ['0.0 previous-token', '0.1 sink', '0.2 diagonal', '0.3 broad']);
    assert.match(r.out, /no tokens/);
  });

  it('analyses cross-attention (q ≠ k) but refuses to call it causal', async () => {
    const ok = await analyze([file('cross.npy'), '--json', file('d.json')]);
    assert.equal(ok.code, 0, ok.err);
    const d = JSON.parse(readFileSync(file('d.json'), 'utf8'));
    assert.deepEqual(d.heads.map((h: HeadReport) => h.label), ['sink', 'broad']);
    assert.equal(d.heads[0].sinkColumn, 8);
    const bad = await analyze([file('cross.npy'), '--causal']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--causal needs square attention \(q = k\), but .*cross\.npy has q = 5 and k = 9/);
  });

  it('gives clear errors: missing file, wrong rank, tokens that do not match', async () => {
    const missing = await analyze([file('nope.npy')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read .*nope\.npy: no such file/);
    const rank = await analyze([file('rank2.npy')]);
    assert.equal(rank.code, 1);
    assert.match(rank.err, /rank2\.npy has shape \[\d+, \d+\] \(rank 2\); expected \[layers, heads, q, k\] or \[heads, q, k\]/);
    const short = await analyze([file('model.npy'), '--tokens', file('short-tokens.json')]);
    assert.equal(short.code, 1);
    assert.match(short.err, /3 token ids but the attention has \d+ query positions/);
    const notNpy = await analyze([file('tokens.json')]);
    assert.equal(notNpy.code, 1);
    assert.match(notNpy.err, /not a \.npy file/);
  });

  it('usage errors exit 2 with the usage text; --help exits 0', async () => {
    const none = await analyze([]);
    assert.equal(none.code, 2);
    assert.match(none.err, /missing the weights file/);
    assert.match(none.err, /usage: attention-inspector analyze/);
    assert.equal((await analyze([file('model.npy'), '--bogus'])).code, 2);
    assert.equal((await analyze([file('model.npy'), '--json'])).code, 2);
    const help = await analyze(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /--tokens FILE/);
  });
});

describe('analyze: token JSON shapes', () => {
  it('reads {ids, texts, offsets, padding}, token lists, inspect output and HF encodings', () => {
    assert.deepEqual(parseTokenJson({ ids: [5, 6], texts: ['a', 'b'], offsets: [[0, 1], [1, 2]], padding: [0, true] }, 't'), {
      tokens: { ids: [5, 6], texts: ['a', 'b'], offsets: [[0, 1], [1, 2]] },
      padding: [0, 1],
    });
    const spans = [{ id: 7, text: 'x', start: 0, end: 1, special: false }, { id: 8, text: ' y', start: 1, end: 3, special: false }];
    assert.deepEqual(parseTokenJson(spans, 't').tokens, { ids: [7, 8], texts: ['x', ' y'], offsets: [[0, 1], [1, 3]] });
    assert.deepEqual(parseTokenJson({ model: 'm', tokens: spans }, 't').tokens.ids, [7, 8]);
    assert.equal(parseTokenJson({ text: 'x y', tokens: spans }, 't').tokens.source, 'x y');
    assert.deepEqual(parseTokenJson({ input_ids: [1, 2, 0], attention_mask: [1, 1, 0] }, 't'), { tokens: { ids: [1, 2, 0] }, padding: [0, 0, 1] });
    assert.deepEqual(parseTokenJson(['a', 'b'], 't').tokens, { texts: ['a', 'b'] });
    assert.throws(() => parseTokenJson({ ids: ['x'] }, 'f.json'), /f\.json: "ids" must be an array of numbers/);
    assert.throws(() => parseTokenJson({ hello: 1 }, 'f.json'), /no "ids", "texts"/);
  });
});
