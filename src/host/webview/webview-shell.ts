// The one HTML shell every webview of the extension uses (attention panel, lessons, probe
// results): a strict Content-Security-Policy (nothing by default; the bundle script only by
// nonce; styles, fonts and images only from the extension's own resources), no inline script,
// every resource URL through asWebviewUri, and local resources limited to what the view needs.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  /** Page title. */
  title: string;
  /** Bundle name in dist/webview: loads `<bundle>.js` and `<bundle>.css`. */
  bundle: string;
  /** id and accessible label of the element the bundle mounts into. */
  rootId: string;
  rootLabel: string;
  /** Also load VS Code's codicon font (the view shows codicons). */
  codicons?: boolean;
  /** Let images come from data: and blob: URLs (canvas exports, generated figures). */
  inlineImages?: boolean;
  /** Announce the root's changes to screen readers (aria-live="polite"). */
  live?: boolean;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(18).toString('base64url');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}${shell.inlineImages ? ' data: blob:' : ''}`,
  ].join('; ');
  const codicons = shell.codicons ? `\n<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset(`${shell.bundle}.css`)}">${codicons}
<title>${escapeHtml(shell.title)}</title>
</head>
<body>
<main id="${shell.rootId}" aria-label="${escapeHtml(shell.rootLabel)}"${shell.live ? ' aria-live="polite"' : ''}></main>
<script type="module" nonce="${nonce}" src="${asset(`${shell.bundle}.js`)}"></script>
</body>
</html>`;
}

/**
 * Scripts on; local resources limited to the webview bundles (and `media` when the view shows
 * the extension's images); not kept alive while hidden — views restore from setState and the
 * host's cached state.
 */
export function webviewOptions(extensionUri: vscode.Uri, opts: { media?: boolean } = {}): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  const roots = [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')];
  if (opts.media) roots.push(vscode.Uri.joinPath(extensionUri, 'media'));
  return { enableScripts: true, localResourceRoots: roots, retainContextWhenHidden: false };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
