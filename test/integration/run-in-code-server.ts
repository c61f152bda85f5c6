// Runs the integration suites inside code-server's Node extension host, the way VS Code runs its
// own browser integration tests: the workbench URL's `payload` names the extension under
// development and the tests' module (`vscode-remote://` URIs); the page gets `codeAutomationLog`
// and `codeAutomationExit`, which the workbench calls with the host's log lines and exit code.
//
//   node --import tsx test/integration/run-in-code-server.ts [--grep <re>]
// (needs `npm run build` for dist/ and an installed code-server; `npm run test:e2e` does both)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../e2e/harness/browser';
import { CodeServer } from '../e2e/harness/code-server';
import { repoRoot, resultPath } from '../e2e/harness/paths';
import { withTimeout } from '../e2e/harness/processes';
import { makeWorkspace } from '../e2e/harness/workspace';
import { buildIntegrationSuite } from './build-suite';

export interface IntegrationResult {
  passed: boolean;
  /** "12 passing, 0 failing, 1 pending" when the suite wrote its result file. */
  summary?: string;
  exitCode: number;
}

interface SuiteResult {
  passes: number;
  failures: number;
  pending: number;
  tests: number;
}

/** Prints new lines of a file as it grows (the suite's spec reporter output). */
function follow(file: string, print: (line: string) => void): () => void {
  let offset = 0;
  let partial = '';
  const pump = () => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    if (text.length <= offset) return;
    partial += text.slice(offset);
    offset = text.length;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) print(l);
  };
  const timer = setInterval(pump, 200);
  return () => {
    clearInterval(timer);
    pump();
    if (partial) print(partial);
  };
}

export async function runIntegrationSuites(opts: { grep?: string; timeoutMs?: number } = {}): Promise<IntegrationResult> {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first (npm run test:e2e packages, which builds)');
  }
  const outDir = await buildIntegrationSuite();
  const reportDir = mkdtempSync(join(tmpdir(), 'attn-integration-'));
  const logFile = join(reportDir, 'mocha.log');
  const resultFile = join(reportDir, 'result.json');
  writeFileSync(join(outDir, 'run-config.json'), JSON.stringify({ logFile, resultFile, grep: opts.grep }, null, 2));

  const workspace = makeWorkspace();
  const server = await CodeServer.start({ folder: workspace.path });
  const browser = await launchBrowser();
  const hostLines: string[] = [];
  const stopFollowing = follow(logFile, (l) => console.log(`  ${l}`));
  try {
    let exited: (r: { code: number; logs: Array<{ relativePath: string; contents: string }> }) => void = () => {};
    const exit = new Promise<{ code: number; logs: Array<{ relativePath: string; contents: string }> }>((resolve) => (exited = resolve));
    await browser.context.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      hostLines.push(`[${type}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    });
    await browser.context.exposeFunction('codeAutomationExit', (code: number, logs?: Array<{ relativePath: string; contents: string }>) => {
      exited({ code, logs: logs ?? [] });
    });
    const url = server.workbenchUrl({
      payload: [
        ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
        ['extensionTestsPath', server.remoteUri(outDir)],
        ['skipWelcome', 'true'],
      ],
    });
    await browser.page.goto(url, { timeout: 60_000 });
    const { code, logs } = await withTimeout('the integration suites', opts.timeoutMs ?? 15 * 60_000, exit);
    stopFollowing();
    const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult) : undefined;
    const summary = result ? `${result.passes} passing, ${result.failures} failing, ${result.pending} pending` : undefined;
    const passed = code === 0 && result !== undefined && result.failures === 0 && result.tests > 0;
    if (!passed) {
      // Keep what explains the failure: the host log (activation errors, uncaught exceptions).
      writeFileSync(resultPath('integration', 'extension-host.log'), server.extensionHostLog());
      writeFileSync(resultPath('integration', 'browser-console.log'), browser.console.text() + '\n' + hostLines.join('\n'));
      writeFileSync(resultPath('integration', 'code-server.log'), server.output());
      for (const l of logs) writeFileSync(resultPath('integration', 'workbench-logs', l.relativePath.replace(/[\\/]/g, '__')), l.contents);
      if (!result) console.log(`  the suite wrote no result (exit ${code}); see test-results/integration/`);
    }
    return { passed, summary, exitCode: code };
  } finally {
    stopFollowing();
    await browser.close();
    await server.stop();
    workspace.dispose();
    rmSync(reportDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const grepAt = process.argv.indexOf('--grep');
  runIntegrationSuites({ grep: grepAt > 0 ? process.argv[grepAt + 1] : undefined }).then(
    (r) => {
      console.log(`integration suites ${r.passed ? 'passed' : 'FAILED'}${r.summary ? `: ${r.summary}` : ''}`);
      process.exit(r.passed ? 0 : 1);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
