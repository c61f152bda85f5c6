// The host's engine: the engine child process (both backends run there), created on first
// use and re-created when its process settings change.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AttentionEngine } from '../engine/engine-api';
import { EngineProcessClient } from '../engine/process/engine-process-client';
import { readConfig } from './config';
import { log } from './log';

export class EngineService implements vscode.Disposable {
  private client?: EngineProcessClient;
  private key = '';
  private readonly watcher: vscode.Disposable;

  constructor(private readonly extensionRoot: string) {
    this.watcher = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('attentionInspector.engine')) void this.reset();
    });
  }

  engine(): AttentionEngine {
    const config = readConfig();
    const key = `${config.engineThreads}/${config.engineMemoryLimitMB}`;
    if (!this.client || key !== this.key) {
      void this.client?.dispose();
      const entry = join(this.extensionRoot, 'dist', 'engine-process.js');
      if (!existsSync(entry)) throw new Error(`The engine bundle is missing (${entry}); reinstall the extension or run npm run build.`);
      this.client = new EngineProcessClient({ entry, threads: config.engineThreads, memoryLimitMB: config.engineMemoryLimitMB });
      this.key = key;
      log().info(`engine process: ${entry} (threads ${config.engineThreads || 'auto'}, heap ${config.engineMemoryLimitMB} MB)`);
    }
    return this.client;
  }

  private async reset(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    await old?.dispose();
  }

  dispose(): void {
    this.watcher.dispose();
    void this.reset();
  }
}
