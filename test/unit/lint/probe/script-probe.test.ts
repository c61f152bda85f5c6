// The probe on TypeScript/JavaScript run in a worker thread: nested arrays, {data, shape}
// tensors and flat Float32Arrays with size parameters; a planted leak and a wrong scale are
// caught; an infinite loop and a throwing module are reported cleanly.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { probeFile, type ProbeCheckId, type ProbeResult } from '../../../../src/lint/probe';

const fixture = (name: string) => join(__dirname, '..', '..', '..', 'fixtures', 'probe', name);

function check(r: ProbeResult, id: ProbeCheckId) {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check (error: ${r.error?.message})`);
  return c;
}

const failing = (r: ProbeResult) => r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const LIMITS = { timeoutSeconds: 120 };

describe('probe: TypeScript/JavaScript in a worker', () => {
  it('a correct causal TS function on nested arrays passes every check', async () => {
    const r = await probeFile(fixture('attention.ts'), 'causalAttention', LIMITS);
    assert.equal(r.error, undefined);
    assert.deepEqual(failing(r), []);
    assert.equal(r.language, 'typescript');
    assert.equal(r.layout, 'LD'); // number[][] asks for rank 2
    assert.equal(r.framework, 'nested');
    assert.equal(r.causal, 'causal');
    assert.deepEqual(r.shapes, { q: [5, 8], k: [7, 8], v: [7, 8] });
  });

  it('catches the planted leak in TS with the position that moves', async () => {
    const r = await probeFile(fixture('attention.ts'), 'leakyCausalAttention', LIMITS);
    assert.deepEqual(failing(r), ['causal-leak', 'reference-agreement']);
    assert.equal(check(r, 'causal-leak').message, 'position 0 changes when token 6 changes: the mask keeps the wrong triangle: query i sees keys j ≥ i (the future) instead of j ≤ i');
    assert.ok((r.violatingCells ?? []).every((c) => c.key > c.query));
  });

  it('passes {data, shape} tensors and reads the returned weights', async () => {
    const r = await probeFile(fixture('tensor-attention.ts'), 'tensorAttention', LIMITS);
    assert.deepEqual(failing(r), []);
    assert.equal(r.framework, 'tensor');
    assert.equal(r.layout, 'BHLD');
    const bad = await probeFile(fixture('tensor-attention.ts'), 'overScaledAttention', LIMITS);
    assert.deepEqual(failing(bad), ['scale', 'reference-agreement']);
    assert.match(check(bad, 'scale').message, /effective scale is 0\.125 \(1\/d_k = 1\/8: divided by d_k instead of √d_k/);
  });

  it('calls a CommonJS function over flat Float32Arrays with its size parameters', async () => {
    const r = await probeFile(fixture('flat-attention.js'), 'attention', LIMITS);
    assert.deepEqual(failing(r), []);
    assert.equal(r.framework, 'flat');
    assert.equal(r.language, 'javascript');
  });

  it('an infinite loop is terminated at the time limit', async () => {
    const r = await probeFile(fixture('flat-attention.js'), 'spinningAttention', { timeoutSeconds: 2 });
    assert.equal(r.error?.kind, 'timeout');
    assert.match(r.error?.message ?? '', /calls took longer than 2 s/);
  });

  it('a module that throws at load time is reported with the error', async () => {
    const r = await probeFile(fixture('throws-at-load.ts'), 'attention', LIMITS);
    assert.equal(r.error?.kind, 'import-error');
    assert.match(r.error?.message ?? '', /RangeError: head size is not configured/);
  });
});
