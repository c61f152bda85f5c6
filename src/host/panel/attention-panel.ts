// The attention panel's controller: one webview panel, reused across inspections. It runs
// the engine for a request, streams the pipeline's messages to the webview (after the
// webview says it is ready), answers the webview's data requests from the run store, links
// tokens to the editor, and writes exports. The webview is not kept alive while hidden: when
// it comes back it says "ready" again and the current run is replayed from the host.
import * as vscode from 'vscode';
import type { AttentionEngine, InspectRequest, LayerAttention } from '../../engine/engine-api';
import { answerPanelRequest } from '../../panel-model/panel-responder';
import { RunPipeline } from '../../panel-model/run-pipeline';
import { RunStore } from '../../panel-model/run-store';
import { sliceWeights, toCsv, toJson, toNpy } from '../../panel-model/weights-export';
import { PANEL_TITLE, PANEL_VIEW_TYPE, type HostToPanel, type PanelToHost } from '../../protocol/panel-messages';
import { validatePanelMessage } from '../../protocol/validate-panel-message';
import { readConfig } from '../config';
import { clearHighlights, highlightSpan, revealSpan, watchSelection, type InspectedSource } from '../editor-link';
import { log } from '../log';
import { webviewHtml, webviewOptions, type WebviewShell } from '../webview/webview-shell';

const PANEL_SHELL: WebviewShell = { title: PANEL_TITLE, bundle: 'main', rootId: 'app', rootLabel: PANEL_TITLE, codicons: true, inlineImages: true };

export interface PanelRunInput {
  request: Omit<InspectRequest, 'runId'>;
  source?: InspectedSource;
  sourceLabel: string;
}

export interface PanelDeps {
  extensionUri: vscode.Uri;
  engine: () => AttentionEngine;
  /** Pattern labels of each analysed layer (the walkthrough completes its "find a head" steps on them). */
  onPatterns?: (labels: string[]) => void;
  /** Called when a run reports its model and provider (status bar). */
  onRunStarted?: (modelName: string, providerLabel: string) => void;
}

let nextRunId = 1;

export class AttentionPanel {
  static current: AttentionPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly store: RunStore;
  private pipeline?: RunPipeline;
  private input?: PanelRunInput;
  private abort?: AbortController;
  private ready = false;

  static createOrShow(deps: PanelDeps): AttentionPanel {
    if (AttentionPanel.current) {
      AttentionPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return AttentionPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, PANEL_TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(deps.extensionUri, { media: true }));
    AttentionPanel.current = new AttentionPanel(panel, deps);
    return AttentionPanel.current;
  }

  /** Rebuilds a panel VS Code restored after a reload (WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps): AttentionPanel {
    AttentionPanel.current?.dispose();
    AttentionPanel.current = new AttentionPanel(panel, deps);
    return AttentionPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
  ) {
    this.store = new RunStore(readConfig().memoryBudgetMB * 1024 * 1024);
    panel.webview.options = webviewOptions(deps.extensionUri, { media: true });
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, PANEL_SHELL);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden webview loses its page; it says "ready" again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      watchSelection(
        () => this.input?.source,
        (start, end) => this.pipeline && this.post({ type: 'editor/selection', runId: this.pipeline.runId, start, end }),
      ),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('attentionInspector.memoryBudgetMB')) this.store.setBudget(readConfig().memoryBudgetMB * 1024 * 1024);
      }),
    );
  }

  get hasRun(): boolean {
    return !!this.input;
  }

  /** Starts an inspection in this panel, cancelling the one in progress. */
  async run(input: PanelRunInput, token?: vscode.CancellationToken): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    token?.onCancellationRequested(() => abort.abort());
    const runId = nextRunId++;
    this.input = input;
    this.store.clear();
    // The engine process analyses each layer after sending it: the host thread only relays.
    const pipeline = new RunPipeline(runId, this.store, input.sourceLabel);
    this.pipeline = pipeline;
    const started = Date.now();
    try {
      await this.deps.engine().inspect({ ...input.request, runId, analyze: true }, (event) => {
        if (this.pipeline !== pipeline) return;
        for (const m of pipeline.handle(event)) this.post(m);
        if (event.type === 'analysis') this.deps.onPatterns?.(event.heads.map((h) => h.label));
        if (event.type === 'tokens' && pipeline.description) this.deps.onRunStarted?.(pipeline.description.modelName, pipeline.description.providerLabel);
        if (event.type === 'error') void vscode.window.showErrorMessage(`Attention Inspector: ${event.message}`);
      }, abort.signal);
      if (abort.signal.aborted && this.pipeline === pipeline && !pipeline.finished) {
        for (const m of pipeline.cancel('Inspection cancelled.')) this.post(m);
        this.store.clear();
      }
      log().info(`run ${runId}: ${pipeline.tokens.length} tokens, ${Date.now() - started} ms${abort.signal.aborted ? ' (cancelled)' : ''}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log().error(`run ${runId} failed: ${message}`);
      this.post({ type: 'run/error', runId, message });
      void vscode.window.showErrorMessage(`Attention Inspector: ${message}`);
    }
  }

  private post(message: HostToPanel): void {
    // Until the webview is ready, the pipeline's replay list holds everything it will need.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = validatePanelMessage(raw);
    if (typeof message === 'string') {
      log().warn(`ignored a malformed message from the panel: ${message}`);
      return;
    }
    await this.handle(message);
  }

  private async handle(m: PanelToHost): Promise<void> {
    const pipeline = this.pipeline;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (pipeline) for (const msg of pipeline.replay()) void this.panel.webview.postMessage(msg);
        else if (this.input) void this.run(this.input);
        return;
      case 'head/request':
      case 'token/request': {
        if (!pipeline || m.runId !== pipeline.runId) return;
        const reply = await answerPanelRequest(m, { layer: (runId, layer) => this.layer(runId, layer), layerCount: () => pipeline.layerCount });
        this.post(reply);
        return;
      }
      case 'token/hover': {
        const source = this.input?.source;
        if (!source || !pipeline || m.runId !== pipeline.runId) return;
        highlightSpan(source, m.token === null ? null : (pipeline.tokens[m.token] ?? null));
        return;
      }
      case 'token/reveal': {
        const source = this.input?.source;
        const t = pipeline?.tokens[m.token];
        if (source && t && !t.special) await revealSpan(source, t);
        return;
      }
      case 'export/weights':
        await this.exportWeights(m.format, m.layer, m.head);
        return;
      case 'export/png': {
        const uri = await vscode.window.showSaveDialog({ defaultUri: this.defaultExportUri(m.name), filters: { 'PNG image': ['png'] } });
        if (!uri) return;
        await vscode.workspace.fs.writeFile(uri, m.png);
        this.post({ type: 'export/done', message: `Saved ${uri.fsPath}` });
        return;
      }
      case 'run/again':
        if (this.input) await this.run(this.input);
        return;
    }
  }

  /** A stored layer, or the same layer recomputed when the memory budget evicted it. */
  private async layer(runId: number, layer: number): Promise<LayerAttention | undefined> {
    const stored = this.store.get(runId, layer);
    if (stored || !this.input || this.pipeline?.runId !== runId || !this.pipeline.finished) return stored;
    let found: LayerAttention | undefined;
    await this.deps.engine().inspect({ ...this.input.request, runId, layers: [layer] }, (e) => {
      if (e.type === 'layer' && e.layer === layer) {
        found = { ...e };
        delete (found as { type?: string }).type;
      }
    });
    if (found) this.store.put(found);
    return found;
  }

  private defaultExportUri(name: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder ? vscode.Uri.joinPath(folder, name) : undefined;
  }

  private async exportWeights(format: 'csv' | 'json' | 'npy', layerIndex: number, head?: number): Promise<void> {
    const pipeline = this.pipeline;
    if (!pipeline) return;
    const layer = await this.layer(pipeline.runId, layerIndex);
    if (!layer) {
      void vscode.window.showWarningMessage(`Layer ${layerIndex} is not available yet.`);
      return;
    }
    const slice = sliceWeights(layer, head);
    const name = `attention-L${layerIndex}${head === undefined ? '' : `-H${head}`}.${format}`;
    const uri = await vscode.window.showSaveDialog({ defaultUri: this.defaultExportUri(name), filters: { [format.toUpperCase()]: [format] } });
    if (!uri) return;
    const keys = pipeline.keyTokens ?? pipeline.tokens;
    const bytes =
      format === 'npy'
        ? toNpy(slice)
        : new TextEncoder().encode(
            format === 'csv'
              ? toCsv(slice, pipeline.tokens, keys)
              : toJson(slice, pipeline.tokens, keys, { model: pipeline.model?.name, layer: layerIndex, head: head ?? null }),
          );
    await vscode.workspace.fs.writeFile(uri, bytes);
    this.post({ type: 'export/done', message: `Saved ${uri.fsPath}` });
  }

  dispose(): void {
    if (AttentionPanel.current === this) AttentionPanel.current = undefined;
    this.abort?.abort();
    this.store.clear();
    clearHighlights();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
