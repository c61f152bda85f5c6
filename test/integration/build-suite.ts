// Bundles the integration suite for the extension host, which cannot load TypeScript: index.ts and
// every suite/*.test.ts become CommonJS files in one folder (mocha bundled in; `vscode` and the
// native packages left to the host's resolver). The folder sits inside the repository
// (.cache/, gitignored) so that those externals resolve from its node_modules.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const repoRoot = join(__dirname, '..', '..');
export const suiteSourceDir = join(__dirname, 'suite');
export const suiteOutDir = join(repoRoot, '.cache', 'integration-suite');

/** Externals: the host provides `vscode`; native/wasm packages load from node_modules. */
const EXTERNAL = ['vscode', 'onnxruntime-node', 'tokenizers', '@vscode/tree-sitter-wasm'];

export async function buildIntegrationSuite(outDir = suiteOutDir): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entries = readdirSync(suiteSourceDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => join(suiteSourceDir, f));
  await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: EXTERNAL,
    logLevel: 'warning',
    // mocha's optional browser/watch paths reach for these; the host never takes those paths.
    logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-require-call': 'silent', 'unsupported-dynamic-import': 'silent' },
  });
  return outDir;
}
