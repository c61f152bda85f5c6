#!/usr/bin/env node
// Installs code-server (VS Code for the web with a real Node extension host) from the npm
// registry into a cache folder outside the repository, so the end-to-end tests and `npm start`
// can run a real VS Code on machines where the desktop build cannot be downloaded.
//
// Usage: node tools/e2e/install-code-server.mjs [--force]
//   ATTN_E2E_CACHE   cache folder (default ~/.cache/attention-inspector-e2e)
//
// The npm package's own postinstall cannot run offline (it lets @vscode/ripgrep download from
// GitHub and node-pty call `npx node-gyp`), so we install with --ignore-scripts and redo the
// parts of it that matter by hand. The result is built in a scratch folder and renamed into
// place only when it works, so an interrupted install never looks finished.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.99.4';
/** Debian packages: kerberos headers (native module build), ripgrep (search), the browser for the tests. */
export const DEBIAN_PACKAGES = ['libkrb5-dev', 'ripgrep', 'chromium'];
export const CHROMIUM_PATH = process.env.ATTN_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Native modules of the VS Code server that the workbench, file watcher and logging need. */
const VSCODE_NATIVE_MODULES = ['@vscode/spdlog', '@parcel/watcher', 'native-watchdog', 'kerberos'];

export function e2eCacheDir() {
  return resolve(process.env.ATTN_E2E_CACHE ?? join(homedir(), '.cache', 'attention-inspector-e2e'));
}

/** Where the installed code-server lives; `entry` is the script to run with node. */
export function codeServerPaths(cacheDir = e2eCacheDir()) {
  const root = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const pkg = join(root, 'node_modules', 'code-server');
  return {
    root,
    pkg,
    entry: join(pkg, 'out', 'node', 'entry.js'),
    vscode: join(pkg, 'lib', 'vscode'),
    stamp: join(root, '.installed.json'),
  };
}

function log(msg) {
  process.stderr.write(`[code-server] ${msg}\n`);
}

function run(cmd, args, cwd, { allowFail = false, env = {} } = {}) {
  log(`$ (cd ${cwd} && ${cmd} ${args.join(' ')})`);
  const r = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...npmEnv(), ...env },
    timeout: 30 * 60_000,
  });
  if (r.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal})`);
  }
  return r.status === 0;
}

/** npm settings that make native rebuilds work offline and as root. */
function npmEnv() {
  const env = {
    npm_config_yes: 'true', // node-gyp through npx must not prompt (the user npmrc may say yes=false)
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // Build against the installed Node headers instead of downloading them from nodejs.org.
  if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  return env;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function debianPackageInstalled(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Installs the Debian packages when root; otherwise fails naming what is missing. */
export function ensureDebianPackages() {
  const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
  const missing = hasDpkg ? DEBIAN_PACKAGES.filter((p) => !debianPackageInstalled(p)) : [];
  if (missing.length > 0) {
    if (isRoot() && spawnSync('apt-get', ['--version']).status === 0) {
      run('apt-get', ['update', '-qq'], '/');
      run('apt-get', ['install', '-y', '-qq', ...missing], '/', { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    } else {
      throw new Error(
        `missing Debian packages: ${missing.join(' ')}. Install them with ` +
          `\`sudo apt-get install -y ${missing.join(' ')}\` (the end-to-end tests need them).`,
      );
    }
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no browser at ${CHROMIUM_PATH}: install Debian's chromium or set ATTN_E2E_CHROMIUM`);
  }
  if (!existsSync('/usr/bin/rg')) {
    throw new Error('ripgrep (/usr/bin/rg) is missing: install the Debian package `ripgrep`');
  }
}

/** True when the install is complete, for this Node ABI, and its native modules load. */
export function codeServerWorks(paths = codeServerPaths()) {
  if (!existsSync(paths.stamp) || !existsSync(paths.entry)) return false;
  try {
    const stamp = JSON.parse(readFileSync(paths.stamp, 'utf8'));
    if (stamp.version !== CODE_SERVER_VERSION || stamp.nodeModules !== process.versions.modules) return false;
  } catch {
    return false;
  }
  return nativeModulesLoad(paths);
}

function nativeModulesLoad(paths) {
  const probe = (cwd, mods) =>
    spawnSync(process.execPath, ['-e', mods.map((m) => `require(${JSON.stringify(m)});`).join('')], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
  const a = probe(paths.vscode, ['@vscode/spdlog', '@parcel/watcher', 'native-watchdog']);
  const b = probe(paths.root, ['argon2']);
  const rg = spawnSync(join(paths.vscode, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'), ['--version']);
  if (a.status !== 0) log(`native module check failed in lib/vscode: ${a.stderr.trim().split('\n').pop()}`);
  if (b.status !== 0) log(`native module check failed for argon2: ${b.stderr.trim().split('\n').pop()}`);
  return a.status === 0 && b.status === 0 && rg.status === 0;
}

function linkForce(target, linkPath) {
  try {
    lstatSync(linkPath);
    rmSync(linkPath, { recursive: true, force: true });
  } catch {
    /* nothing there */
  }
  symlinkSync(target, linkPath);
}

/** Makes sure code-server is installed and working; returns its paths. Idempotent. */
export function ensureCodeServer({ force = false } = {}) {
  ensureDebianPackages();
  const cacheDir = e2eCacheDir();
  const paths = codeServerPaths(cacheDir);
  if (!force && codeServerWorks(paths)) {
    log(`code-server ${CODE_SERVER_VERSION} ready at ${paths.root}`);
    return paths;
  }
  if (process.versions.node.split('.')[0] !== '20') {
    // code-server 4.99 ships a VS Code server built for Node 20's ABI and refuses other versions.
    log(`warning: code-server ${CODE_SERVER_VERSION} expects Node 20; this is Node ${process.versions.node}`);
  }
  const started = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  const scratch = `${paths.root}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'attention-inspector-e2e-code-server', private: true }) + '\n');

  // 1. code-server itself and its server-side dependencies (argon2 etc.), no install scripts.
  run('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], scratch);
  const pkg = join(scratch, 'node_modules', 'code-server');
  const vscode = join(pkg, 'lib', 'vscode');

  // 2. The VS Code server's dependencies, then the native modules it loads.
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], vscode);
  run('npm', ['rebuild', ...VSCODE_NATIVE_MODULES], vscode);
  // node-pty backs the integrated terminal, which no test uses; its build may fail offline.
  if (!run('npm', ['rebuild', 'node-pty'], vscode, { allowFail: true })) log('node-pty did not build: terminals will not work (not needed)');

  // 3. What code-server's postinstall would do: the asar alias, the CLI helper scripts, ripgrep.
  linkForce('node_modules', join(vscode, 'node_modules.asar'));
  linkForce('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
  linkForce('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
  const rgDir = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  linkForce('/usr/bin/rg', join(rgDir, 'rg'));

  // 4. Built-in extensions' shared dependency (typescript for the TS/JS language features).
  const exts = join(vscode, 'extensions');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], exts);
  run(process.execPath, ['postinstall.mjs'], exts, { allowFail: true });

  // 5. code-server's password hashing module (loaded at startup even with --auth none).
  run('npm', ['rebuild', 'argon2'], scratch);

  const scratchPaths = { ...codeServerPaths(cacheDir), root: scratch, pkg, vscode, entry: join(pkg, 'out', 'node', 'entry.js') };
  if (!nativeModulesLoad(scratchPaths)) throw new Error(`code-server install in ${scratch} does not work (see the messages above)`);
  writeFileSync(
    join(scratch, '.installed.json'),
    JSON.stringify({ version: CODE_SERVER_VERSION, nodeModules: process.versions.modules, node: process.versions.node, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n',
  );
  rmSync(paths.root, { recursive: true, force: true });
  renameSync(scratch, paths.root);
  log(`code-server ${CODE_SERVER_VERSION} installed at ${paths.root} in ${Math.round((Date.now() - started) / 1000)} s`);
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const p = ensureCodeServer({ force: process.argv.includes('--force') });
    process.stdout.write(`${p.entry}\n`);
  } catch (e) {
    process.stderr.write(`[code-server] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
