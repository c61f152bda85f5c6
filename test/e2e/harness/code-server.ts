// One code-server process (VS Code 1.99 for the web, with a real Node extension host) on a free
// 127.0.0.1 port, in throwaway user-data / extensions / config folders.
import { ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { codeServerArgs, installExtensionArgs, isolatedEnv, userSettings, writeUserSettings, type Settings, type ThemeName } from '../../../tools/e2e/code-server-config.mjs';
import { codeServerPaths, codeServerWorks } from '../../../tools/e2e/install-code-server.mjs';
import { freePort, killGroup, sleep, spawnGroup, withTimeout } from './processes';

export interface CodeServerOptions {
  /** Folder opened as the workspace (see `makeWorkspace`); none when omitted. */
  folder?: string;
  /** 'dark' (default), 'light', 'high-contrast', or any installed theme's name. */
  theme?: ThemeName | string;
  /** Extra user settings, written before start (they win over the harness defaults). */
  settings?: Settings;
  /** Extensions folder; `preparedExtensionsDir()` gives one with the packaged .vsix installed. */
  extensionsDir?: string;
  /** false: keep workspace trust on (restricted mode until trusted). Default true. */
  trustWorkspace?: boolean;
  /** Milliseconds to wait for the server to answer. Default 60 s. */
  startTimeoutMs?: number;
}

export interface LogFile {
  path: string;
  contents: string;
}

const STARTUP_LINE = /HTTP server listening on (http:\/\/\S+)/;

export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    /** Server output lines, appended to while it runs. */
    private readonly lines: string[],
    readonly port: number,
    readonly stateDir: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly folder: string | undefined,
  ) {}

  /** The server's base URL, e.g. http://127.0.0.1:41234/ */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Starts code-server (it must be installed: see tools/e2e/install-code-server.mjs). */
  static async start(opts: CodeServerOptions = {}): Promise<CodeServer> {
    const paths = codeServerPaths();
    if (!existsSync(paths.entry) || !codeServerWorks(paths)) {
      throw new Error(`code-server is not installed at ${paths.root}: run \`node tools/e2e/install-code-server.mjs\` (npm run test:e2e does it)`);
    }
    const stateDir = mkdtempSync(join(tmpdir(), 'attn-code-server-'));
    const userDataDir = join(stateDir, 'user-data');
    const extensionsDir = opts.extensionsDir ?? join(stateDir, 'extensions');
    const trustWorkspace = opts.trustWorkspace ?? true;
    writeUserSettings(userDataDir, userSettings({ theme: opts.theme, trustWorkspace, extra: opts.settings }));
    const { env, configFile } = isolatedEnv(join(stateDir, 'home'));
    const port = await freePort();
    const args = codeServerArgs({ port, userDataDir, extensionsDir, configFile, folder: opts.folder, trustWorkspace });
    const lines: string[] = [];
    let announced: (url: string) => void = () => {};
    const announcedUrl = new Promise<string>((resolve) => (announced = resolve));
    const child = spawnGroup(process.execPath, [paths.entry, ...args], {
      cwd: stateDir,
      env,
      onLine: (line, stream) => {
        lines.push(`[${stream}] ${line}`);
        const m = STARTUP_LINE.exec(line);
        if (m) announced(m[1]!);
      },
    });
    const server = new CodeServer(child, lines, port, stateDir, userDataDir, extensionsDir, opts.folder);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`code-server exited during start (${code ?? signal}):\n${lines.slice(-30).join('\n')}`))),
    );
    exited.catch(() => {}); // only observed through the race below
    try {
      await withTimeout('code-server start', opts.startTimeoutMs ?? 60_000, Promise.race([announcedUrl, exited]));
      await withTimeout('code-server /healthz', 30_000, Promise.race([server.waitHealthy(), exited]));
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private async waitHealthy(): Promise<void> {
    for (;;) {
      const status = await new Promise<number>((resolve) => {
        const req = get(`${this.url}healthz`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.setTimeout(5000, () => req.destroy());
      });
      if (status === 200) return;
      await sleep(200);
    }
  }

  /** `vscode-remote://` URI of a path on the server machine (what the workbench URL's payload takes). */
  remoteUri(path: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${encodeURI(path)}`;
  }

  /**
   * The workbench URL. `folder` defaults to the one the server was started with; `payload` entries
   * become the `payload` query parameter (e.g. extensionDevelopmentPath / extensionTestsPath).
   */
  workbenchUrl(opts: { folder?: string; payload?: Array<[string, string]> } = {}): string {
    const u = new URL(this.url);
    const folder = opts.folder ?? this.folder;
    if (folder) u.searchParams.set('folder', folder);
    if (opts.payload) u.searchParams.set('payload', JSON.stringify(opts.payload));
    return u.toString();
  }

  /** What the server printed so far. */
  output(): string {
    return this.lines.join('\n');
  }

  /** The VS Code server's log files: remote agent, extension host, extension output channels. */
  logFiles(): LogFile[] {
    const root = join(this.userDataDir, 'logs');
    const out: LogFile[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.log')) out.push({ path: relative(root, p), contents: readFileSync(p, 'utf8') });
      }
    };
    walk(root);
    return out;
  }

  /** The remote extension host's log (activation lines, extension errors). */
  extensionHostLog(): string {
    return this.logFiles()
      .filter((f) => /remoteexthost\.log$/.test(f.path))
      .map((f) => f.contents)
      .join('\n');
  }

  /** Stops the server and everything it started, then deletes its folders (not a caller's extensionsDir). */
  async stop(): Promise<void> {
    await killGroup(this.child);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Installs a .vsix into `extensionsDir` with code-server's CLI. */
export function installVsix(vsix: string, extensionsDir: string): void {
  const paths = codeServerPaths();
  const stateDir = mkdtempSync(join(tmpdir(), 'attn-code-server-install-'));
  try {
    const { env, configFile } = isolatedEnv(join(stateDir, 'home'));
    const r = spawnSync(
      process.execPath,
      [paths.entry, ...installExtensionArgs({ userDataDir: join(stateDir, 'user-data'), extensionsDir, configFile, vsix })],
      { env, encoding: 'utf8', timeout: 180_000 },
    );
    if (r.status !== 0 || /failed|error/i.test(r.stderr ?? '')) {
      throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}
