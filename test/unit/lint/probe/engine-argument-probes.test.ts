// The probe for functions that need an argument built from the reference engine: a `window`
// (compared with slidingWindowKeepMask), `cos`/`sin` rotary tables (buildRotaryCache), a second
// `memory` sequence (cross-attention), and a chunked softmax (softmaxRows). Each correct form
// passes; each planted bug fails on the property it breaks, with a sentence that names it.
// The files are written to a temporary folder; Python runs in a real interpreter.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toReport } from '../../../../src/host/probe/probe-report';
import { discoverProbeTargets, probeFile, type ProbeCheckId, type ProbeResult } from '../../../../src/lint/probe';
import { isProbeReport } from '../../../../src/protocol/probe-messages';
import { testPythons } from './python-interpreter';

const LIMITS = { timeoutSeconds: 120 };
let folder: string;
before(() => {
  folder = mkdtempSync(join(tmpdir(), 'probe-engine-args-'));
});
after(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function check(r: ProbeResult, id: ProbeCheckId) {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check in ${JSON.stringify(r.checks.map((x) => `${x.id}: ${x.message}`))} (error: ${r.error?.message})`);
  return c;
}

const failing = (r: ProbeResult) => r.checks.filter((c) => c.status === 'fail').map((c) => c.id);

const NUMPY_SOFTMAX = `
def _softmax(s):
    s = s - s.max(-1, keepdims=True)
    p = np.exp(s)
    return p / p.sum(-1, keepdims=True)
`;

describe('probe: arguments built from the engine (NumPy)', function () {
  const { numpy } = testPythons();
  before(function () {
    if (!numpy) this.skip();
  });
  const probe = (path: string, fn: string) => probeFile(path, fn, { pythonPath: numpy, ...LIMITS });

  it('window: a bottom-right aligned window with a default passes, on cross and self trials, against the engine mask', async () => {
    const path = write(
      'local_window.py',
      `import numpy as np
${NUMPY_SOFTMAX}
def local_attention(q, k, v, window_size=None):
    """Causal sliding window: query i sees the window_size keys ending at its own position."""
    lq, lk = q.shape[-2], k.shape[-2]
    i = np.arange(lq)[:, None] + (lk - lq)
    j = np.arange(lk)[None, :]
    keep = (j <= i) & (j > i - window_size)
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    return _softmax(np.where(keep, s, -np.inf)) @ v
`,
    );
    const r = await probe(path, 'local_attention');
    assert.deepEqual(failing(r), []);
    assert.deepEqual(r.shapes, { q: [2, 3, 5, 8], k: [2, 3, 7, 8], v: [2, 3, 7, 8] });
    assert.match(check(r, 'sliding-window').message, /^with window=3 every query sees exactly the keys i − 3 < j ≤ i/);
    assert.match(check(r, 'reference-agreement').message, /causal window of 3/);
    assert.equal(check(r, 'reference-agreement').details?.values?.causal, 'bottom-right');
  });

  it('window: a symmetric window that lets the future in is named', async () => {
    const path = write(
      'symmetric_window.py',
      `import numpy as np
${NUMPY_SOFTMAX}
def banded_attention(q, k, v, window):
    t = q.shape[-2]
    i = np.arange(t)[:, None]
    j = np.arange(t)[None, :]
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    return _softmax(np.where(np.abs(i - j) < window, s, -np.inf)) @ v
`,
    );
    const r = await probe(path, 'banded_attention');
    assert.equal(check(r, 'sliding-window').status, 'fail');
    assert.match(check(r, 'sliding-window').message, /^query 0 sees key 1, a future key/);
  });

  it('rotary: GPT-J pairs with half-width tables are found and pass; the tables come from the engine', async () => {
    const path = write(
      'rope_interleaved.py',
      `import numpy as np
${NUMPY_SOFTMAX}
def _rotate(x, cos, sin):
    out = np.empty_like(x)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out[..., 0::2] = x1 * cos - x2 * sin
    out[..., 1::2] = x1 * sin + x2 * cos
    return out

def rope_attention(q, k, v, cos, sin):
    """Interleaved (GPT-J) pairs (x0, x1), (x2, x3), …; cos and sin are [T, d/2]."""
    q, k = _rotate(q, cos, sin), _rotate(k, cos, sin)
    return _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])) @ v
`,
    );
    const r = await probe(path, 'rope_attention');
    assert.deepEqual(failing(r), []);
    assert.match(check(r, 'runs').message, /cos\/sin \[7, 4\] from the engine's rotary cache \(interleaved pairs\)/);
    assert.equal(check(r, 'rotary-relative').status, 'pass');
    assert.equal(check(r, 'scale').status, 'pass');
    assert.match(check(r, 'reference-agreement').message, /RoPE on q and k/);
  });

  it('rotary: rotating q alone breaks relative positions and is named', async () => {
    const path = write(
      'rope_q_only.py',
      `import numpy as np
${NUMPY_SOFTMAX}
def _rotate_half(x):
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)

def rotary_attention(q, k, v, cos, sin):
    q = q * cos + _rotate_half(q) * sin
    return _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])) @ v
`,
    );
    const r = await probe(path, 'rotary_attention');
    assert.deepEqual(failing(r), ['rotary-relative', 'reference-agreement']);
    assert.match(check(r, 'rotary-relative').message, /changes the weights .*rotate both q and k/);
    assert.match(check(r, 'reference-agreement').message, /it matches RoPE applied to q: rotate both q and k/);
  });

  it('cross-attention: a function of (x, memory) that returns its weights equals the engine built from its own pieces', async () => {
    const path = write(
      'cross_numpy.py',
      `import numpy as np
${NUMPY_SOFTMAX}
_rng = np.random.default_rng(0)
WQ, WK, WV = (_rng.standard_normal((24, 24)) / np.sqrt(24) for _ in range(3))

def cross_attention(x, memory):
    q, k, v = x @ WQ, memory @ WK, memory @ WV
    p = _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(24))
    return p @ v, p
`,
    );
    const r = await probe(path, 'cross_attention');
    assert.deepEqual(failing(r), []);
    assert.deepEqual(r.shapes, { x: [2, 5, 24], memory: [2, 7, 24] });
    assert.equal(check(r, 'cross-sources').status, 'pass');
    assert.equal(check(r, 'reference-agreement').status, 'pass');
    assert.ok((check(r, 'reference-agreement').details?.values?.maxAbsDiff as number) < 1e-5);
    // the panel's guards accept the new check ids
    assert.ok(isProbeReport(toReport(r, path, 1)));
  });
});

describe('probe: cross-attention modules (PyTorch)', function () {
  const { torch } = testPythons();
  before(function () {
    if (!torch) this.skip();
  });

  it('nn.MultiheadAttention called as (tgt, memory, memory): sources pass; the reference is not claimed for several heads', async () => {
    const path = write(
      'decoder_cross.py',
      `import torch
from torch import nn

class DecoderCrossAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)

    def forward(self, tgt, memory):
        out, _ = self.attn(tgt, memory, memory)
        return out
`,
    );
    const r = await probeFile(path, 'DecoderCrossAttention', { pythonPath: torch, ...LIMITS });
    assert.deepEqual(failing(r), []);
    assert.equal(check(r, 'cross-sources').status, 'pass');
    assert.equal(check(r, 'reference-agreement').status, 'skipped');
    assert.match(check(r, 'reference-agreement').message, /3 heads/);
  });
});

describe('probe: chunked softmax (TypeScript/JavaScript)', () => {
  it('is discovered from its name and its chunks parameter', async () => {
    const targets = await discoverProbeTargets('export function onlineSoftmax(chunks: number[][]): number[] { return []; }\nexport function other(chunks: number[][]) {}\n', 'x.ts');
    assert.deepEqual(
      targets.map((t) => [t.name, t.style]),
      [['onlineSoftmax', 'chunks']],
    );
  });

  it('a CommonJS module that returns one array per chunk passes', async () => {
    const path = write(
      'chunked.js',
      `function chunkedSoftmax(chunks) {
  let max = -Infinity, sum = 0;
  for (const c of chunks) {
    const m = Math.max(max, ...c);
    sum = sum * Math.exp(max - m);
    for (const s of c) sum += Math.exp(s - m);
    max = m;
  }
  return chunks.map((c) => c.map((s) => Math.exp(s - max) / sum));
}
module.exports = { chunkedSoftmax };
`,
    );
    const r = await probeFile(path, 'chunkedSoftmax', LIMITS);
    assert.equal(r.error, undefined);
    assert.deepEqual(failing(r), []);
    assert.deepEqual(
      r.checks.map((c) => c.id),
      ['runs', 'finite', 'rows-sum-to-one', 'chunk-invariance', 'reference-agreement'],
    );
  });

  it('exp without the max overflows at ±1000, and the report says to subtract the running max', async () => {
    const path = write(
      'naive-softmax.ts',
      `export function onlineSoftmax(chunks: number[][]): number[] {
  let sum = 0;
  for (const c of chunks) for (const s of c) sum += Math.exp(s);
  return chunks.flat().map((s) => Math.exp(s) / sum);
}
`,
    );
    const r = await probeFile(path, 'onlineSoftmax', LIMITS);
    assert.deepEqual(failing(r), ['finite', 'rows-sum-to-one', 'reference-agreement']);
    assert.match(check(r, 'finite').message, /^row B \(10 scores between −1000 and 1000.*\) cut as \[4, 3, 3\] gives NaN or ∞ .*subtract the running max before exp/);
    assert.equal(check(r, 'chunk-invariance').status, 'pass');
  });

  it('a wrong number of weights fails "runs" with what came back', async () => {
    const path = write('short.ts', 'export const onlineSoftmax = (chunks: number[][]) => chunks.map((c) => c[0]);\n');
    const r = await probeFile(path, 'onlineSoftmax', LIMITS);
    assert.deepEqual(failing(r), ['runs']);
    assert.match(check(r, 'runs').message, /returned \[3\] for a row of 12 scores/);
  });
});
