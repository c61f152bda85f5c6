// Worker thread for the linter benchmark. After loading the grammars and linting a few files
// (so the first timed pass does not include module loading), it lints its whole share once
// per 'go' message and reports the time. The suite times the first pass (a fresh worker:
// the JIT and WebAssembly tier-up are still compiling) and a later one (steady state, as in
// the long-lived extension host) separately.
import { parentPort, workerData } from 'node:worker_threads';
import { initLinter, lintText } from '../../src/lint/index';

interface Job {
  files: { text: string; language: string }[];
}

async function main(): Promise<void> {
  await initLinter();
  const job = workerData as Job;
  for (const f of job.files.slice(0, 8)) lintText(f.text, f.language);
  parentPort?.postMessage({ ready: true });
  parentPort?.on('message', (m: string) => {
    if (m !== 'go') return;
    const t0 = performance.now();
    let findings = 0;
    for (const f of job.files) findings += lintText(f.text, f.language).length;
    parentPort?.postMessage({ ms: performance.now() - t0, findings });
  });
}

void main();
