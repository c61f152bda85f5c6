// `npm run test:e2e`: the extension in a real VS Code (code-server), on a fresh machine too.
//   1. installs code-server 4.99.4 (and, as root, the Debian packages) if missing;
//   2. packages the extension for this platform (tools/package.mjs) and installs the .vsix;
//   3. runs test/e2e/specs/*.e2e.ts with mocha (UI driven through Chromium);
//   4. runs the integration suites inside code-server's Node extension host.
// Options: --grep <re>, spec files, --no-package (reuse ATTN_E2E_VSIX), --no-integration,
//          --no-specs, --bail. Exits non-zero when anything fails; never skips silently.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import { ensureCodeServer } from '../../tools/e2e/install-code-server.mjs';
import { buildAndPackage, TARGETS } from '../../tools/package.mjs';
import { repoRoot, resultsDir } from './harness/paths';
import { killAllGroupsNow } from './harness/processes';
import { runIntegrationSuites } from '../integration/run-in-code-server';

/** The whole run must end within this, whatever hangs. */
const RUN_LIMIT_MS = Number(process.env.ATTN_E2E_RUN_LIMIT_MS ?? 40 * 60_000);

interface Args {
  grep?: string;
  files: string[];
  packageVsix: boolean;
  integration: boolean;
  specs: boolean;
  bail: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { files: [], packageVsix: true, integration: true, specs: true, bail: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--grep' || a === '-g') args.grep = argv[++i];
    else if (a === '--no-package') args.packageVsix = false;
    else if (a === '--no-integration') args.integration = false;
    else if (a === '--no-specs') args.specs = false;
    else if (a === '--bail') args.bail = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else args.files.push(resolve(a));
  }
  return args;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runSpecs(args: Args): Promise<{ failures: number; passes: number; pending: number }> {
  const specDir = join(repoRoot, 'test', 'e2e', 'specs');
  const files = args.files.length
    ? args.files
    : readdirSync(specDir)
        .filter((f) => f.endsWith('.e2e.ts'))
        .sort()
        .map((f) => join(specDir, f));
  if (files.length === 0) throw new Error(`no specs in ${specDir}`);
  const mocha = new Mocha({ reporter: 'spec', timeout: 180_000, slow: 30_000, bail: args.bail, color: process.stdout.isTTY });
  if (args.grep) mocha.grep(args.grep);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  return new Promise((resolveRun) => {
    const runner = mocha.run((failures) => resolveRun({ failures, passes: runner.stats?.passes ?? 0, pending: runner.stats?.pending ?? 0 }));
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const timings: string[] = [];
  const step = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
    const t = Date.now();
    console.log(`\n--- ${name}`);
    const result = await work();
    timings.push(`${name}: ${seconds(Date.now() - t)}`);
    return result;
  };

  await step('code-server (install if missing)', () => ensureCodeServer());

  const mode = process.env.ATTN_E2E_EXTENSION ?? 'packaged';
  if (mode === 'packaged') {
    if (args.packageVsix) {
      const host = `${process.platform}-${process.arch}`;
      const target = TARGETS.includes(host) ? host : undefined;
      const [vsix] = await step(`package the extension (${target ?? 'universal'})`, () => buildAndPackage({ targets: [target] }));
      process.env.ATTN_E2E_VSIX = vsix;
    } else if (!process.env.ATTN_E2E_VSIX || !existsSync(process.env.ATTN_E2E_VSIX)) {
      throw new Error('--no-package needs ATTN_E2E_VSIX naming an existing .vsix');
    }
    console.log(`extension under test: ${process.env.ATTN_E2E_VSIX}`);
  } else {
    console.log(`extension under test: ${mode} (ATTN_E2E_EXTENSION)`);
  }

  let failed = 0;
  const summary: string[] = [];
  if (args.specs) {
    const r = await step('end-to-end specs (Chromium + code-server)', () => runSpecs(args));
    summary.push(`e2e specs: ${r.passes} passing, ${r.failures} failing, ${r.pending} pending`);
    failed += r.failures;
  }
  if (args.integration && !(args.bail && failed > 0)) {
    const r = await step('integration suites (code-server extension host)', () => runIntegrationSuites());
    summary.push(`integration suites: ${r.passed ? 'passed' : 'FAILED'}${r.summary ? ` (${r.summary})` : ''}`);
    if (!r.passed) failed += 1;
  }

  console.log(`\n=== e2e ${failed ? 'FAILED' : 'passed'} in ${seconds(Date.now() - started)}`);
  for (const s of summary) console.log(`  ${s}`);
  for (const t of timings) console.log(`  ${t}`);
  console.log(`  artifacts: ${resultsDir}`);
  return failed ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`\ne2e: the run exceeded ${seconds(RUN_LIMIT_MS)}; stopping everything`);
  killAllGroupsNow();
  process.exit(124);
}, RUN_LIMIT_MS);

main().then(
  (code) => {
    clearTimeout(watchdog);
    killAllGroupsNow();
    process.exit(code);
  },
  (err: unknown) => {
    clearTimeout(watchdog);
    console.error(`\ne2e: ${err instanceof Error ? err.message : String(err)}`);
    killAllGroupsNow();
    process.exit(1);
  },
);
