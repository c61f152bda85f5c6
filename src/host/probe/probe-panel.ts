// The "Probe results" webview: the checks of the last probe run and the user's weight matrix
// beside the reference engine's, with the violating cells marked. One panel, reused. The host
// posts only after the webview says "ready" (and again whenever a hidden panel comes back),
// and validates every message the webview sends.
import * as vscode from 'vscode';
import { webviewHtml, webviewOptions, type WebviewShell } from '../webview/webview-shell';
import { isProbeToHost, PROBE_TITLE, PROBE_VIEW_TYPE, type HostToProbe, type ProbeReport } from '../../protocol/probe-messages';

export interface ProbePanelActions {
  rerun(runId: number): void;
  reveal(runId: number): void;
}

const PROBE_SHELL: WebviewShell = { title: PROBE_TITLE, bundle: 'probe', rootId: 'probe-app', rootLabel: PROBE_TITLE, codicons: true, live: true };

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
      webviewOptions(extensionUri),
    );
    ProbePanel.current = new ProbePanel(panel, extensionUri, actions);
    return ProbePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private actions: ProbePanelActions,
  ) {
    panel.webview.html = webviewHtml(panel.webview, extensionUri, PROBE_SHELL);
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
