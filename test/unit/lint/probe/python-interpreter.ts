// Finds a real Python with NumPy (and PyTorch) for the probe tests. Debian's /usr/bin/python3
// with python3-numpy is what CI installs; `python3` on PATH is the fallback. The suites skip
// with a visible reason when none is found: the probe runs user code in a real interpreter,
// and a fake one would prove nothing.
import { spawnSync } from 'node:child_process';

function hasModule(python: string, module: string): boolean {
  const r = spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60000 });
  return r.status === 0;
}

let cached: { numpy?: string; torch?: string } | undefined;

export function testPythons(): { numpy?: string; torch?: string } {
  if (cached) return cached;
  const candidates = [process.env.ATTENTION_PROBE_TEST_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p));
  const numpy = candidates.find((p) => hasModule(p, 'numpy'));
  const torch = candidates.find((p) => hasModule(p, 'torch') && hasModule(p, 'numpy'));
  cached = { numpy, torch };
  return cached;
}
