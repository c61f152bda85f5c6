// The "Probe results" webview: the checks of the last probe run and the user's weight matrix
// beside the reference engine's, with the violating cells marked. One panel, reused. The host
// posts only after the webview says "ready" (and again whenever a hidden panel comes back),
// and validates every message the webview sends.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isProbeToHost, PROBE_TITLE, PROBE_VIEW_TYPE, type HostToProbe, type ProbeReport } from '../../protocol/probe-messages';

export interface ProbePanelActions {
  rerun(runId: number): void;
  reveal(runId: number): void;
}

function probeHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64url');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset('probe.css')}">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
<title>${PROBE_TITLE}</title>
</head>
<body>
<main id="probe-app" aria-live="polite"></main>
<script type="module" nonce="${nonce}" src="${asset('probe.js')}"></script>
</body>
</html>`;
}

export class ProbePanel {
  private static current: ProbePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private last: HostToProbe | undefined;

  static show(extensionUri: vscode.Uri, actions: ProbePanelActions): ProbePanel {
    if (ProbePanel.current) {
      ProbePanel.current.actions = actions;
      ProbePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return ProbePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PROBE_VIEW_TYPE,
      PROBE_TITLE,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
        retainContextWhenHidden: false,
      },
    );
    ProbePanel.current = new ProbePanel(panel, extensionUri, actions);
    return ProbePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private actions: ProbePanelActions,
  ) {
    panel.webview.html = probeHtml(panel.webview, extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // the page is rebuilt and says "ready" again
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
    );
  }

  running(runId: number, functionName: string): void {
    this.post({ type: 'probe/running', runId, functionName });
  }

  showReport(report: ProbeReport): void {
    this.post({ type: 'probe/result', report });
  }

  private post(message: HostToProbe): void {
    this.last = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    if (!isProbeToHost(raw)) return; // not ours, or malformed: ignored
    switch (raw.type) {
      case 'probe/ready':
        this.ready = true;
        if (this.last) void this.panel.webview.postMessage(this.last);
        break;
      case 'probe/rerun':
        this.actions.rerun(raw.runId);
        break;
      case 'probe/reveal':
        this.actions.reveal(raw.runId);
        break;
    }
  }

  private dispose(): void {
    if (ProbePanel.current === this) ProbePanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
