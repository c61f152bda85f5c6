#!/usr/bin/env node
// `npm start`: builds the extension and opens it in a real VS Code on the demo workspace
// (tools/demo-workspace: prose, code, and a buggy hand-written attention block), with the
// bundled model.
//   - desktop VS Code (`code` on PATH): launched with --extensionDevelopmentPath=<this repo>;
//   - otherwise: the same local code-server the tests use (installed from the npm registry on
//     first run), with this repo as the extension under development; prints the URL to open and
//     runs until Ctrl-C.
// Options: --web (use code-server even when `code` exists), --port <n> (default 8080, or the next
//          free one), --host <addr> (default 127.0.0.1), --theme dark|light|high-contrast,
//          --no-build (use dist/ as it is; e.g. with `npm run watch` in another terminal).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerArgs, isolatedEnv, userSettings, writeUserSettings } from './e2e/code-server-config.mjs';
import { e2eCacheDir, ensureCodeServer } from './e2e/install-code-server.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { web: false, port: Number(process.env.PORT) || 8080, host: '127.0.0.1', theme: 'dark', build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--web') opts.web = true;
    else if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--host') opts.host = argv[++i];
    else if (a === '--theme') opts.theme = argv[++i];
    else if (a === '--no-build') opts.build = false;
    else throw new Error(`unknown option ${a} (see the header of tools/start.mjs)`);
  }
  return opts;
}

/** A desktop VS Code CLI on PATH (not code-server's or a remote session's helper script). */
function desktopCode() {
  const r = spawnSync('code', ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0 || !r.stdout) return undefined;
  return /^\d+\.\d+\.\d+/.test(r.stdout.trim()) ? 'code' : undefined;
}

/** The demo workspace, copied where the user may edit it; demo files are refreshed each start. */
function demoWorkspaceCopy() {
  const target = join(e2eCacheDir(), 'demo-workspace');
  mkdirSync(target, { recursive: true });
  cpSync(join(repoRoot, 'tools', 'demo-workspace'), target, { recursive: true, force: true });
  return target;
}

function portIsFree(port, host) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, host, () => srv.close(() => res(true)));
  });
}

async function firstFreePort(from, host) {
  for (let p = from; p < from + 50; p++) if (await portIsFree(p, host)) return p;
  throw new Error(`no free port in ${from}..${from + 49}`);
}

function build() {
  const r = spawnSync(process.execPath, [join(repoRoot, 'tools', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed');
}

function openInDesktop(code, workspace) {
  console.log(`Opening VS Code with the extension from ${repoRoot} on ${workspace}`);
  const r = spawnSync(code, [`--extensionDevelopmentPath=${repoRoot}`, '--new-window', workspace], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`\`code\` exited with ${r.status ?? r.signal}`);
  console.log('Select text in notes.md or word_counts.py, right-click → Inspect Attention; open buggy_attention.py for the linter.');
}

async function serveInCodeServer(opts, workspace) {
  const paths = ensureCodeServer();
  const state = join(e2eCacheDir(), 'start');
  const userDataDir = join(state, 'user-data');
  const extensionsDir = join(state, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, userSettings({ theme: opts.theme }));
  const { env, configFile } = isolatedEnv(join(state, 'home'));
  const port = await firstFreePort(opts.port, opts.host);
  const args = codeServerArgs({ port, host: opts.host, userDataDir, extensionsDir, configFile, folder: workspace });
  const child = spawn(process.execPath, [paths.entry, ...args], { cwd: state, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });

  // The extension under development is this repository, named in the workbench URL's payload
  // (VS Code maps vscode-remote:// paths to the server's files whatever host name the browser uses).
  const shownHost = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const url = new URL(`http://${shownHost}:${port}/`);
  url.searchParams.set('folder', workspace);
  url.searchParams.set('payload', JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${shownHost}:${port}${repoRoot}`]]));

  let announced = false;
  const onLine = (line) => {
    if (process.env.ATTN_START_VERBOSE) process.stderr.write(`[code-server] ${line}\n`);
    if (!announced && /HTTP server listening on/.test(line)) {
      announced = true;
      console.log('\nAttention Inspector is running in VS Code (code-server). Open:\n');
      console.log(`  ${url.toString()}\n`);
      console.log('Select text in notes.md or word_counts.py, right-click → Inspect Attention; open buggy_attention.py for the linter.');
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost') console.log(`warning: listening on ${opts.host} without authentication`);
      console.log('After `npm run build` (or with `npm run watch`), run "Developer: Reload Window" to load the new code. Ctrl-C stops.');
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('SIGINT', () => {
    console.log('\nstopping code-server');
    stop();
  });
  process.on('SIGTERM', stop);
  process.on('exit', stop);
  const code = await new Promise((res) => child.once('exit', (c, s) => res(c ?? (s ? 0 : 1))));
  return announced ? 0 : code || 1;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) build();
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: the build produced nothing');
  const workspace = demoWorkspaceCopy();
  const code = opts.web ? undefined : desktopCode();
  if (code) {
    openInDesktop(code, workspace);
    return 0;
  }
  return serveInCodeServer(opts, workspace);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
