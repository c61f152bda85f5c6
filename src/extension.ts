// Extension entry point: wiring only. Each host module registers its own commands,
// providers and views and returns its disposables.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Host modules register here as they land (see docs/architecture.md).
}

export function deactivate(): void {}
