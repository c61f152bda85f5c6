// `npm run test:electron`: the integration suites (test/integration/suite) in desktop VS Code with
// the standard @vscode/test-electron runner. For machines that have VS Code or can download it;
// CI here uses the code-server runner instead (npm run test:e2e), because desktop VS Code cannot
// be downloaded on these machines.
//
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron    use an installed desktop VS Code
//   npm run test:electron                                     download the latest stable build
// On headless Linux run it under a display (e.g. `xvfb-run -a npm run test:electron`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeWorkspace } from '../e2e/harness/workspace';
import { buildIntegrationSuite } from '../integration/build-suite';

const repoRoot = join(__dirname, '..', '..');

async function main(): Promise<number> {
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first');
  }
  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE || undefined;
  if (vscodeExecutablePath && !existsSync(vscodeExecutablePath)) {
    throw new Error(`VSCODE_EXECUTABLE=${vscodeExecutablePath} does not exist`);
  }
  const extensionTestsPath = await buildIntegrationSuite(join(repoRoot, '.cache', 'electron-suite'));
  const workspace = makeWorkspace();
  try {
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      // The demo workspace; other installed extensions stay off so only ours is under test.
      launchArgs: [workspace.path, '--disable-extensions', '--disable-workspace-trust'],
      timeout: 60_000,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!vscodeExecutablePath && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|getaddrinfo|timeout|fetch|download|status code/i.test(message)) {
      throw new Error(
        `could not download VS Code (${message}).\n` +
          'This machine seems to be offline: set VSCODE_EXECUTABLE to a desktop VS Code executable, ' +
          'or run the same suites in code-server with `npm run test:e2e`.',
      );
    }
    throw e;
  } finally {
    workspace.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`test:electron: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
