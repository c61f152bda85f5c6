// Worker thread for the linter benchmark: lints the files it is given and reports the time.
import { parentPort, workerData } from 'node:worker_threads';
import { initLinter, lintText } from '../../src/lint/index';

interface Job {
  files: { text: string; language: string }[];
}

async function main(): Promise<void> {
  await initLinter();
  const job = workerData as Job;
  // Warm up the JIT on a few files first.
  for (const f of job.files.slice(0, 8)) lintText(f.text, f.language);
  parentPort?.postMessage({ ready: true });
  parentPort?.once('message', () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let findings = 0;
    for (const f of job.files) findings += lintText(f.text, f.language).length;
    const c = process.cpuUsage(c0);
    parentPort?.postMessage({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, findings });
  });
}

void main();
