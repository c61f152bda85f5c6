// The lessons panel's HTML shell: strict Content-Security-Policy (nothing by default; the
// bundle script only by nonce; styles and fonts only from the extension's own resources), no
// inline script, every resource URL through asWebviewUri.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function lessonsHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64url');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('lessons.css')}">
<title>Attention Lessons</title>
</head>
<body>
<main id="lessons" aria-label="Attention Lessons"></main>
<script type="module" nonce="${nonce}" src="${asset('lessons.js')}"></script>
</body>
</html>`;
}

/** Scripts on; local resources limited to the bundle folder; not kept alive while hidden. */
export function lessonsOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    retainContextWhenHidden: false,
  };
}
