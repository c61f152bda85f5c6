// Builds every bundle with esbuild: the extension host (Node, CommonJS), the engine child
// process, the CLIs, and the webview (browser, ESM). `--production` minifies and drops
// source maps; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Native or wasm-carrying packages cannot be bundled: they are shipped in node_modules.
const nodeExternals = ['vscode', 'onnxruntime-node', 'tokenizers', '@vscode/tree-sitter-wasm'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  legalComments: 'none',
};

/** Node entry points: [source, output]. Entries whose source does not exist yet are skipped. */
const nodeEntries = [
  ['src/extension.ts', 'dist/extension.js'],
  ['src/engine/process/engine-process-main.ts', 'dist/engine-process.js'],
  ['src/cli/inspect-main.ts', 'dist/cli/inspect.js'],
  ['src/cli/lint-main.ts', 'dist/cli/lint.js'],
  // loaded by media/probe/script-worker.js to run TypeScript targets
  ['src/lint/probe/transpile-script.ts', 'dist/probe-transpile.js'],
];

const builds = [];
for (const [src, out] of nodeEntries) {
  if (!existsSync(src)) continue;
  builds.push({
    ...common,
    entryPoints: [src],
    outfile: out,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  });
}
/** Webview bundles: the attention panel, the lessons panel and the probe results panel. */
const webviewEntries = [
  ['webview/main.ts', 'dist/webview/main.js'],
  ['webview/lessons/lessons-main.ts', 'dist/webview/lessons.js'],
  ['webview/probe/probe-main.ts', 'dist/webview/probe.js'],
];
for (const [src, out] of webviewEntries) {
  if (!existsSync(src)) continue;
  builds.push({
    ...common,
    entryPoints: [src],
    outfile: out,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'css' },
  });
}

mkdirSync('dist/webview', { recursive: true });
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
// codicons are referenced by @vscode-elements controls; ship the stylesheet and font beside the bundle.
for (const f of ['codicon.css', 'codicon.ttf']) {
  const from = `node_modules/@vscode/codicons/dist/${f}`;
  if (existsSync(from)) copyFileSync(from, `dist/webview/${f}`);
}
