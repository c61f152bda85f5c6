// Choosing a model folder: the bundled model, a folder picked on disk (model.onnx +
// tokenizer.json [+ inspector.json]), or one used before. The choice is written to the
// attentionInspector.modelPath setting (user or workspace).
import * as path from 'node:path';
import * as vscode from 'vscode';

export async function pickModelFolder(bundledDir: string, recent: string[]): Promise<string | undefined> {
  interface Item extends vscode.QuickPickItem {
    dir?: string;
    browse?: boolean;
  }
  const items: Item[] = [
    { label: '$(package) Bundled model', description: path.basename(bundledDir), detail: 'Trained by the project, ships with the extension', dir: '' },
    ...recent.filter((d) => d && d !== bundledDir).map((d) => ({ label: `$(folder) ${path.basename(d)}`, description: d, dir: d })),
    { label: '$(folder-opened) Choose a model folder…', detail: 'A folder with model.onnx and tokenizer.json (see tools/export-hf-model.py)', browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Attention Inspector: model', placeHolder: 'Which model should inspect attention?' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.dir;
  const uris = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Use this model folder' });
  return uris?.[0]?.fsPath;
}
