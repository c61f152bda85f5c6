// Runs Debian's Python with NumPy for tests that check our files against real NumPy.
// /usr/bin/python3 is the interpreter with python3-numpy (the `python3` on PATH may differ).
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

let available: boolean | undefined;

/** True when /usr/bin/python3 can import numpy. */
export function numpyAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

/** Skips the calling suite with a visible message when NumPy is missing. */
export function requireNumpy(ctx: Mocha.Context): void {
  if (!numpyAvailable()) {
    console.log(`      (skipped: ${PYTHON} cannot import numpy; install python3-numpy)`);
    ctx.skip();
  }
}

/** Runs a Python script (stdin) with NumPy, in `cwd`; returns stdout, throws with stderr on failure. */
export function runPython(script: string, cwd: string): string {
  const r = spawnSync(PYTHON, ['-'], { input: script, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
