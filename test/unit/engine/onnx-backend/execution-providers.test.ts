// Execution provider choice: the order `auto` tries per platform, the reasons recorded for
// providers skipped or failing, and a real fallback to CPU on this machine.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  candidateProviders,
  createSessionWithFallback,
  cudaLibrariesPresent,
  defaultThreads,
  linuxGpuDevicePresent,
  sessionOptions,
  type PlatformFacts,
} from '../../../../src/engine/onnx/execution-providers';
import { FIXTURES } from './fixture-golden';

const facts = (f: Partial<PlatformFacts>): PlatformFacts => ({ platform: 'linux', arch: 'x64', cudaLibraries: false, gpuDevice: false, ...f });

describe('execution providers', () => {
  it('auto on Linux x64: CUDA only with its libraries, WebGPU only with a GPU device, then CPU', () => {
    const bare = candidateProviders('auto', facts({}));
    assert.deepEqual(bare.order, ['cpu']);
    assert.deepEqual(bare.skipped.map((s) => s.provider), ['cuda', 'webgpu']);
    assert.match(bare.skipped[0].reason, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.deepEqual(candidateProviders('auto', facts({ cudaLibraries: true, gpuDevice: true })).order, ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(candidateProviders('auto', facts({ gpuDevice: true })).order, ['webgpu', 'cpu']);
    assert.deepEqual(candidateProviders('auto', facts({ arch: 'arm64', gpuDevice: true })).order, ['cpu']);
  });

  it('auto on Windows and macOS: the platform GPU provider, then WebGPU, then CPU', () => {
    assert.deepEqual(candidateProviders('auto', facts({ platform: 'win32', gpuDevice: true })).order, ['dml', 'webgpu', 'cpu']);
    assert.deepEqual(candidateProviders('auto', facts({ platform: 'darwin', arch: 'arm64', gpuDevice: true })).order, ['coreml', 'webgpu', 'cpu']);
  });

  it('an explicit provider is tried first, with CPU behind it; cpu is CPU only', () => {
    assert.deepEqual(candidateProviders('cuda', facts({})).order, ['cuda', 'cpu']);
    assert.deepEqual(candidateProviders('webgpu', facts({})).order, ['webgpu', 'cpu']);
    assert.deepEqual(candidateProviders('cpu', facts({ cudaLibraries: true })).order, ['cpu']);
  });

  it('threads: the setting when positive, else min(4, cores − 1), at least 1', () => {
    assert.equal(defaultThreads(3, 16), 3);
    assert.equal(defaultThreads(0, 16), 4);
    assert.equal(defaultThreads(undefined, 2), 1);
    assert.equal(defaultThreads(0, 1), 1);
    const o = sessionOptions({ threads: 2 });
    assert.equal(o.intraOpNumThreads, 2);
    assert.equal(o.enableCpuMemArena, false);
    assert.equal(sessionOptions({ memoryArena: true }).enableCpuMemArena, true);
  });

  for (const wanted of ['cuda', 'webgpu', 'dml'] as const) {
    it(`asking for ${wanted} on this machine either uses it or falls back to CPU with ORT's reason`, async () => {
      const model = readFileSync(join(FIXTURES, 'gpt2-fused', 'model.onnx'));
      const choice = await createSessionWithFallback(model, wanted, { threads: 1 });
      try {
        if (choice.provider === wanted) return; // a machine with that GPU stack
        assert.equal(choice.provider, 'cpu');
        const failure = choice.fallbacks.find((f) => f.provider === wanted);
        assert.ok(failure, `the ${wanted} failure is reported`);
        assert.ok(failure.reason.length > 10 && !/^\s*$/.test(failure.reason));
        if (wanted === 'cuda' && !cudaLibrariesPresent()) assert.match(failure.reason, /shared library/i);
        if (wanted === 'webgpu' && !linuxGpuDevicePresent() && process.platform === 'linux') assert.match(failure.reason, /adapter/i);
      } finally {
        await choice.session.release();
      }
    });
  }
});
