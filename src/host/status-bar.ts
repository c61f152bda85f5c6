// Status bar item: which model and execution provider the inspector uses
// ("attn: mini-code · CPU"); clicking it picks another model folder.
import * as path from 'node:path';
import * as vscode from 'vscode';

export class InspectorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('attentionInspector.status', vscode.StatusBarAlignment.Right, 100);

  constructor(modelDir: string) {
    this.item.name = 'Attention Inspector model';
    this.item.command = 'attentionInspector.selectModel';
    this.showModel(path.basename(modelDir), undefined);
    this.item.show();
  }

  showModel(modelName: string, providerLabel: string | undefined): void {
    this.item.text = `$(eye) attn: ${modelName}${providerLabel ? ` · ${providerLabel}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**Attention Inspector**\n\nModel: \`${modelName}\`${providerLabel ? `\n\nExecution provider: ${providerLabel}` : ''}\n\nClick to choose another model folder.`,
    );
  }

  dispose(): void {
    this.item.dispose();
  }
}
