// The probe on Python code run by a REAL interpreter (NumPy; PyTorch when importable): the
// correct kernel passes every check, and each planted bug is caught by the right check with
// the right message. Skips with a reason when no Python with NumPy is installed.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFile, type ProbeCheckId, type ProbeResult } from '../../../../src/lint/probe';
import { testPythons } from './python-interpreter';

const fixtures = join(__dirname, '..', '..', '..', 'fixtures', 'probe');
const fixture = (name: string) => join(fixtures, name);

function check(r: ProbeResult, id: ProbeCheckId) {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check in ${JSON.stringify(r.checks.map((x) => x.id))} (error: ${r.error?.message})`);
  return c;
}

function failing(r: ProbeResult): ProbeCheckId[] {
  return r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

// generous: slow shared machines; this is a limit, not a timing assertion
const LIMITS = { timeoutSeconds: 120 };

describe('probe: Python kernels in a real interpreter (NumPy)', function () {
  const { numpy } = testPythons();
  before(function () {
    if (!numpy) {
      console.warn('    skipped: no Python with NumPy found (/usr/bin/python3 or python3; install python3-numpy)');
      this.skip();
    }
  });
  const probe = (file: string, fn: string) => probeFile(fixture(file), fn, { pythonPath: numpy, ...LIMITS });

  it('a correct causal kernel passes every check, on non-square inputs', async () => {
    const r = await probe('numpy_attention.py', 'causal_attention');
    assert.equal(r.error, undefined);
    assert.deepEqual(failing(r), []);
    assert.equal(r.layout, 'BHLD');
    assert.equal(r.framework, 'numpy');
    assert.equal(r.causal, 'causal');
    // Lq ≠ Lk ≠ D, B ≠ L, several heads
    assert.deepEqual(r.shapes, { q: [2, 3, 5, 8], k: [2, 3, 7, 8], v: [2, 3, 7, 8] });
    assert.match(check(r, 'causal-leak').message, /^no leak/);
    assert.match(check(r, 'causal-leak').message, /bottom-right aligned/);
    assert.equal(check(r, 'scale').status, 'pass');
    const agreement = check(r, 'reference-agreement');
    assert.equal(agreement.status, 'pass');
    assert.ok((agreement.details?.values?.maxAbsDiff as number) < 1e-5);
    assert.deepEqual(r.violatingCells, []);
    // the weights read back equal the reference's (self trial, head 0)
    assert.ok(r.userWeights && r.referenceWeights);
    const diff = Math.max(...r.userWeights.data.map((x, i) => Math.abs(x - (r.referenceWeights as { data: number[] }).data[i])));
    assert.ok(diff < 1e-5, `weights differ by ${diff}`);
  });

  it('catches a planted causal leak (the wrong triangle) and marks the cells above the diagonal', async () => {
    const r = await probe('numpy_attention.py', 'leaky_attention');
    const leak = check(r, 'causal-leak');
    assert.equal(leak.status, 'fail');
    assert.match(leak.message, /^position 0 changes when token 6 changes: the mask keeps the wrong triangle/);
    assert.equal(check(r, 'reference-agreement').status, 'fail');
    // every violating cell lies above the diagonal and carries weight in the user's matrix
    const cells = r.violatingCells ?? [];
    assert.equal(cells.length, 21); // 7·6/2
    const w = r.userWeights as { data: number[]; cols: number };
    for (const c of cells) {
      assert.ok(c.key > c.query);
      assert.ok(w.data[c.query * w.cols + c.key] > 0);
    }
  });

  it('catches a softmax over the wrong axis (columns sum to 1)', async () => {
    const r = await probe('numpy_attention.py', 'wrong_axis_attention');
    assert.deepEqual(failing(r), ['rows-sum-to-one', 'softmax-axis', 'reference-agreement']);
    assert.match(check(r, 'softmax-axis').message, /softmax over the wrong axis: each column \(key\) sums to 1 over the 5 queries/);
  });

  it('catches a missing 1/√d_k and measures the effective scale', async () => {
    const r = await probe('numpy_attention.py', 'unscaled_attention');
    assert.deepEqual(failing(r), ['scale', 'reference-agreement']);
    const scale = check(r, 'scale');
    assert.match(scale.message, /effective scale is 1 \(no scaling at all\); expected 1\/√d_k = 1\/√8 = 0\.3536/);
    assert.ok(Math.abs((scale.details?.values?.scale as number) - 1) < 1e-3);
    assert.match(check(r, 'reference-agreement').message, /the scale is the only difference/);
  });

  it('catches triu without diagonal=1: NaN in row 0 and every query blind to itself', async () => {
    const r = await probe('masked_numpy.py', 'triu_causal_attention');
    assert.match(check(r, 'runs').message, /only runs when query length = key length/);
    const finite = check(r, 'finite');
    assert.equal(finite.status, 'fail');
    assert.deepEqual(finite.details?.positions, [0]);
    assert.equal(check(r, 'causal-self').status, 'fail');
    assert.equal(check(r, 'causal-leak').status, 'pass');
  });

  it('finds the mask convention, and catches NaN on fully masked rows', async () => {
    const good = await probe('masked_numpy.py', 'masked_attention');
    assert.deepEqual(failing(good), []);
    assert.match(check(good, 'mask-convention').message, /True = attend/);
    assert.equal(check(good, 'masked-rows-nan').status, 'pass');

    const nan = await probe('masked_numpy.py', 'nan_masked_attention');
    assert.deepEqual(failing(nan), ['masked-rows-nan']);
    assert.match(check(nan, 'masked-rows-nan').message, /fully masked query rows 1 and 3 give NaN/);
  });

  it('catches a mask applied after the softmax (blocked keys still move the output)', async () => {
    const r = await probe('masked_numpy.py', 'mask_after_softmax_attention');
    const mask = check(r, 'mask-convention');
    assert.equal(mask.status, 'fail');
    assert.match(mask.message, /not honoured under any convention.*changes when masked key/);
  });

  it('uses GQA-shaped inputs for GQA signatures and names tiled kv heads', async () => {
    const good = await probe('masked_numpy.py', 'gqa_attention');
    assert.deepEqual(failing(good), []);
    assert.deepEqual(good.shapes?.q, [2, 6, 5, 8]);
    assert.deepEqual(good.shapes?.k, [2, 2, 7, 8]);
    const tiled = await probe('masked_numpy.py', 'gqa_tiled_attention');
    assert.deepEqual(failing(tiled), ['reference-agreement']);
    assert.match(check(tiled, 'reference-agreement').message, /tiled \[k0, k1, k0, k1, …\] instead of repeated in place/);
  });

  it('does not run `if __name__ == "__main__"` blocks', async () => {
    // numpy_attention.py raises SystemExit in its main block: the probe must not see it
    const r = await probe('numpy_attention.py', 'unscaled_attention');
    assert.equal(r.error, undefined);
  });
});

describe('probe: Python failures are reported with what to do', function () {
  const { numpy } = testPythons();
  before(function () {
    if (!numpy) {
      console.warn('    skipped: no Python with NumPy found');
      this.skip();
    }
  });

  it('a function that never returns is stopped at the time limit (process group killed)', async () => {
    const r = await probeFile(fixture('slow_and_broken.py'), 'looping_attention', { pythonPath: numpy, timeoutSeconds: 3 });
    assert.equal(r.error?.kind, 'timeout');
    assert.match(r.error?.message ?? '', /calls took longer than 3 s.*attentionInspector\.probe\.timeoutSeconds/);
    assert.equal(check(r, 'runs').status, 'fail');
  });

  it('the timeout kills the whole process group, children included', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'probe-')), 'child.pid');
    process.env.ATTENTION_PROBE_TEST_PID_FILE = pidFile;
    try {
      const r = await probeFile(fixture('slow_and_broken.py'), 'spawning_attention', { pythonPath: numpy, timeoutSeconds: 3 });
      assert.equal(r.error?.kind, 'timeout');
    } finally {
      delete process.env.ATTENTION_PROBE_TEST_PID_FILE;
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(), false, `child ${pid} of the probed function still runs`);
  });

  it('top-level code that never finishes times out in the import phase', async () => {
    const r = await probeFile(fixture('import_loop.py'), 'attention', { pythonPath: numpy, timeoutSeconds: 3 });
    assert.equal(r.error?.kind, 'timeout');
    assert.match(r.error?.message ?? '', /importing the file took longer than 3 s.*heavy work at import/);
  });

  it('a function that allocates without end hits the memory limit (RLIMIT_AS)', async () => {
    const r = await probeFile(fixture('slow_and_broken.py'), 'greedy_attention', { pythonPath: numpy, memoryLimitMB: 300, ...LIMITS });
    assert.equal(r.error?.kind, 'memory');
    assert.match(r.error?.message ?? '', /out of memory \(limit 300 MB\)/);
  });

  it('an import error shows the exception and the last traceback lines in the user file', async () => {
    const r = await probeFile(fixture('import_error.py'), 'attention', { pythonPath: numpy, ...LIMITS });
    assert.equal(r.error?.kind, 'import-error');
    assert.match(r.error?.message ?? '', /NameError: name 'undefined_head_size' is not defined/);
    assert.match(r.error?.detail ?? '', /import_error\.py", line 4/);
    assert.doesNotMatch(r.error?.detail ?? '', /harness\.py|frozen importlib/);
  });

  it('a library the file imports but the interpreter lacks is named, with the install command', async () => {
    const r = await probeFile(fixture('missing_library.py'), 'attention', { pythonPath: numpy, ...LIMITS });
    assert.equal(r.error?.kind, 'missing-library');
    assert.match(r.error?.message ?? '', /attention_inspector_not_a_real_package is not installed for the Python interpreter .* -m pip install/);
  });

  it('an interpreter without NumPy is reported as such', async () => {
    const r = await probeFile(fixture('numpy_attention.py'), 'causal_attention', { pythonPath: fixture('python-without-site.sh'), ...LIMITS });
    assert.equal(r.error?.kind, 'missing-library');
    assert.match(r.error?.message ?? '', /^NumPy is not installed for the Python interpreter/);
  });

  it('a missing interpreter says how to choose one', async () => {
    const r = await probeFile(fixture('numpy_attention.py'), 'causal_attention', { pythonPath: '/nonexistent/bin/python3' });
    assert.equal(r.error?.kind, 'no-interpreter');
    assert.match(r.error?.message ?? '', /"\/nonexistent\/bin\/python3" was not found.*Select Interpreter.*attentionInspector\.probe\.pythonPath/);
  });

  it('an unknown function name lists what the file offers', async () => {
    const r = await probeFile(fixture('numpy_attention.py'), 'flash_attention', { pythonPath: numpy });
    assert.equal(r.error?.kind, 'not-found');
    assert.match(r.error?.message ?? '', /found: causal_attention, leaky_attention, wrong_axis_attention, unscaled_attention/);
  });

  it('cancellation stops the child', async () => {
    const controller = new AbortController();
    const pending = probeFile(fixture('slow_and_broken.py'), 'looping_attention', { pythonPath: numpy, signal: controller.signal, ...LIMITS });
    setTimeout(() => controller.abort(), 1500);
    const r = await pending;
    assert.equal(r.error?.kind, 'cancelled');
  });
});

describe('probe: nn.Module attention in a real interpreter (PyTorch)', function () {
  const { torch } = testPythons();
  before(function () {
    if (!torch) {
      console.warn('    skipped: PyTorch is not importable (optional; CI machines may not have it)');
      this.skip();
    }
  });
  const probe = (fn: string) => probeFile(fixture('torch_modules.py'), fn, { pythonPath: torch, ...LIMITS });

  it('a correct nanoGPT-style module passes, constructed with small sizes, weights captured from softmax', async () => {
    const r = await probe('CausalSelfAttention');
    assert.equal(r.error, undefined);
    assert.deepEqual(failing(r), []);
    assert.equal(r.framework, 'torch');
    assert.equal(r.layout, 'BTC');
    assert.match(check(r, 'runs').message, /constructed with d_model=24, n_heads=3, block_size=64, dropout=0/);
    assert.equal(check(r, 'causal-leak').status, 'pass');
    assert.match(check(r, 'rows-sum-to-one').message, /captured from softmax/);
    assert.equal(check(r, 'scale').status, 'skipped');
  });

  it('catches an inverted mask (== 1) in a module', async () => {
    const r = await probe('LeakyCausalSelfAttention');
    assert.deepEqual(failing(r), ['causal-leak']);
    assert.match(check(r, 'causal-leak').message, /^position \d changes when token \d changes/);
  });

  it('catches softmax(dim=-2) in a module', async () => {
    const r = await probe('WrongAxisSelfAttention');
    assert.ok(failing(r).includes('softmax-axis'));
    assert.match(check(r, 'softmax-axis').message, /wrong axis/);
  });

  it('catches F.dropout left on after eval()', async () => {
    const r = await probe('DropoutAtInferenceAttention');
    assert.deepEqual(failing(r), ['deterministic']);
    assert.match(check(r, 'deterministic').message, /dropout is still active at inference/);
  });

  it('a q/k/v module (annotated-transformer style) runs with its mask convention found', async () => {
    const r = await probe('MultiHeadedAttention');
    assert.deepEqual(failing(r), []);
    assert.match(check(r, 'runs').message, /query\/key\/value \[2, 7, 24\] \(constructed with h=3, d_model=24, dropout=0\)/);
    assert.match(check(r, 'mask-convention').message, /True = attend/);
  });

  it('falls back to NumPy arrays for a NumPy kernel in a file that imports torch', async () => {
    const r = await probeFile(fixture('numpy_kernel_in_torch_file.py'), 'attention', { pythonPath: torch, ...LIMITS });
    assert.deepEqual(failing(r), []);
    assert.equal(r.framework, 'numpy');
  });

  it('a functional PyTorch kernel with attn_mask and is_causal passes every check', async () => {
    const r = await probe('sdpa_attention');
    assert.deepEqual(failing(r), []);
    assert.equal(check(r, 'mask-convention').status, 'pass');
    assert.equal(check(r, 'masked-rows-nan').status, 'pass');
  });
});
