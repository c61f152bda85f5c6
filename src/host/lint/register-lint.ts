// Wires the attention linter into VS Code: diagnostics as you type, quick fixes and hovers,
// re-linting when attentionInspector.lint.* settings change. Static linting needs no trust,
// so it also runs in Restricted Mode.
import * as vscode from 'vscode';
import { initLinter } from '../../lint/index';
import { log } from '../log';
import { LintCodeActions } from './lint-code-actions';
import { LintDiagnostics } from './lint-diagnostics';
import { LintHover } from './lint-hover';
import { affectsLint } from './lint-settings';

const SELECTOR: vscode.DocumentSelector = ['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].map((language) => ({ language }));

export function registerLintFeatures(context: vscode.ExtensionContext): void {
  // The tree-sitter runtime loads asynchronously (WebAssembly); providers start once it is ready.
  initLinter().then(
    () => {
      const diagnostics = new LintDiagnostics(context.extensionUri);
      context.subscriptions.push(
        diagnostics,
        vscode.languages.registerCodeActionsProvider(SELECTOR, new LintCodeActions(diagnostics), { providedCodeActionKinds: LintCodeActions.kinds }),
        vscode.languages.registerHoverProvider(SELECTOR, new LintHover(diagnostics, context.extensionUri)),
        vscode.workspace.onDidChangeConfiguration((e) => {
          if (affectsLint(e)) diagnostics.refreshAll();
        }),
      );
    },
    (err: unknown) => log().error(`attention-lint could not load its parser: ${err instanceof Error ? err.message : String(err)}`),
  );
}
