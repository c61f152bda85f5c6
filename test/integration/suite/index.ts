// Entry point VS Code calls (`extensionTestsPath`) inside the extension host: runs every
// *.test.js bundled next to this file with mocha. The runner outside (run-in-code-server.ts or
// test/electron/run-electron.ts) cannot see the extension host's stdout in the web topology, so
// the report also goes to files it names in run-config.json beside this bundle:
//   logFile      the spec reporter's lines, as they are printed
//   resultFile   { passes, failures, pending, tests, failed: [{ title, error }] } at the end
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

interface RunConfig {
  logFile?: string;
  resultFile?: string;
  grep?: string;
  timeoutMs?: number;
}

function readConfig(): RunConfig {
  const p = join(__dirname, 'run-config.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunConfig) : {};
}

export async function run(): Promise<void> {
  const config = readConfig();
  const consoleLog = console.log.bind(console);
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    if (config.logFile) appendFileSync(config.logFile, format(...args) + '\n');
    consoleLog(...args);
  };
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: config.timeoutMs ?? 120_000 });
  if (config.grep) mocha.grep(config.grep);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  if (files.length === 0) throw new Error(`no *.test.js bundles in ${__dirname}`);
  for (const f of files) mocha.addFile(join(__dirname, f));

  const failed: Array<{ title: string; error: string }> = [];
  const stats = await new Promise<Mocha.Stats>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve(runner.stats ?? ({ passes: 0, failures: 1, pending: 0, tests: 0 } as Mocha.Stats)));
      runner.on('fail', (test, err: Error) => failed.push({ title: test.fullTitle(), error: err?.stack ?? String(err) }));
    } catch (e) {
      reject(e);
    }
  });
  if (config.resultFile) {
    const { passes, failures, pending, tests, duration } = stats;
    writeFileSync(config.resultFile, JSON.stringify({ passes, failures, pending, tests, duration, failed }, null, 2));
  }
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed`);
}
