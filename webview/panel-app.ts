// The panel application: owns the run data and UI state, the header (model, provider,
// progress, layer/head pickers, exports) and the five views, and routes host messages.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { HostToPanel } from '../src/protocol/panel-messages';
import type { Channel } from './channel';
import { clear, el } from './dom';
import { DEFAULT_UI, RunData, restoreUi, type UiState, type ViewName } from './panel-state';
import { FindingsView } from './views/findings-view';
import { HeadDetailView } from './views/head-detail-view';
import { HeadsView } from './views/heads-view';
import { PatternsView } from './views/patterns-view';
import { TokensView } from './views/tokens-view';

const VIEWS: { name: ViewName; title: string }[] = [
  { name: 'tokens', title: 'Tokens' },
  { name: 'heads', title: 'Heads' },
  { name: 'detail', title: 'Head detail' },
  { name: 'patterns', title: 'Patterns' },
  { name: 'findings', title: 'Findings' },
];

export class PanelApp {
  private readonly data = new RunData();
  private readonly ui: UiState;
  private readonly status = el('span', { className: 'status', attrs: { 'aria-live': 'polite' } });
  private readonly title = el('span', { className: 'run-title' });
  private readonly fallbackNote = el('div', { className: 'fallback-note' });
  private readonly layerSelect = el('select', { attrs: { 'aria-label': 'Layer' } });
  private readonly headSelect = el('select', { attrs: { 'aria-label': 'Head' } });
  private readonly directionSelect = el('select', { attrs: { 'aria-label': 'Direction' } });
  private readonly aggregateSelect = el('select', { attrs: { 'aria-label': 'Heads to combine' } });
  private readonly tabs = document.createElement('vscode-tabs') as HTMLElement & { selectedIndex: number };
  private readonly tabHeaders = new Map<ViewName, HTMLElement>();
  private readonly tokens: TokensView;
  private readonly heads: HeadsView;
  private readonly detail: HeadDetailView;
  private readonly patterns: PatternsView;
  private readonly findings: FindingsView;

  constructor(
    private readonly root: HTMLElement,
    private readonly channel: Channel,
  ) {
    this.ui = restoreUi(channel.getState());
    const save = () => this.channel.setState({ ...this.ui, runId: this.data.run?.runId });
    const openHead = (layer: number, head: number) => this.openHead(layer, head);
    this.tokens = new TokensView(this.data, this.ui, channel, save);
    this.heads = new HeadsView(this.data, this.ui, openHead, save);
    this.detail = new HeadDetailView(this.data, this.ui, channel, save);
    this.patterns = new PatternsView(this.data, this.ui, openHead, save);
    this.findings = new FindingsView(this.data, openHead);
    this.build();
    channel.on((m) => this.onMessage(m));
    channel.post({ type: 'ready', restoredRunId: this.ui.runId });
  }

  private build(): void {
    for (const [value, text] of [['pays', 'attention paid (row)'], ['receives', 'attention received (column)']]) {
      this.directionSelect.append(el('option', { text, attrs: { value } }));
    }
    for (const [value, text] of [['head', 'this head'], ['layer', 'mean of layer'], ['all', 'mean of all']]) {
      this.aggregateSelect.append(el('option', { text, attrs: { value } }));
    }
    this.directionSelect.value = this.ui.direction;
    this.aggregateSelect.value = this.ui.aggregate;
    const changed = () => {
      this.ui.layer = Number(this.layerSelect.value) || 0;
      this.ui.head = Number(this.headSelect.value) || 0;
      this.ui.direction = this.directionSelect.value === 'receives' ? 'receives' : 'pays';
      this.ui.aggregate = (['head', 'layer', 'all'] as const).find((a) => a === this.aggregateSelect.value) ?? 'head';
      this.ui.zoom = Math.max(1, this.ui.zoom);
      this.saveUi();
      this.refreshSelectionViews();
    };
    for (const s of [this.layerSelect, this.headSelect, this.directionSelect, this.aggregateSelect]) s.addEventListener('change', changed);

    const exportPng = el('button', { className: 'text-button', text: 'PNG', attrs: { title: 'Save the current view as PNG', 'aria-label': 'Export PNG' } });
    const exportCsv = el('button', { className: 'text-button', text: 'CSV', attrs: { title: "Save this head's weights as CSV", 'aria-label': 'Export CSV' } });
    const exportJson = el('button', { className: 'text-button', text: 'JSON', attrs: { title: "Save this head's weights as JSON", 'aria-label': 'Export JSON' } });
    const exportNpy = el('button', { className: 'text-button', text: '.npy', attrs: { title: "Save this layer's weights [heads, q, k] as NumPy .npy", 'aria-label': 'Export npy' } });
    exportPng.addEventListener('click', () => void this.exportPng());
    exportCsv.addEventListener('click', () => this.exportWeights('csv', true));
    exportJson.addEventListener('click', () => this.exportWeights('json', true));
    exportNpy.addEventListener('click', () => this.exportWeights('npy', false));

    const header = el('header', { className: 'panel-header' }, [
      el('div', { className: 'header-line' }, [this.title, this.status]),
      this.fallbackNote,
      el('div', { className: 'controls' }, [
        el('label', { text: 'Layer ' }, [this.layerSelect]),
        el('label', { text: 'Head ' }, [this.headSelect]),
        el('label', { text: 'Show ' }, [this.directionSelect]),
        el('label', { text: 'of ' }, [this.aggregateSelect]),
        el('span', { className: 'spacer' }),
        el('span', { className: 'export-label', text: 'Export' }),
        exportPng,
        exportCsv,
        exportJson,
        exportNpy,
      ]),
    ]);

    const views = [this.tokens, this.heads, this.detail, this.patterns, this.findings];
    VIEWS.forEach((v, i) => {
      const tabHeader = document.createElement('vscode-tab-header');
      tabHeader.setAttribute('slot', 'header');
      tabHeader.textContent = v.title;
      tabHeader.id = `tab-${v.name}`;
      this.tabHeaders.set(v.name, tabHeader);
      const panel = document.createElement('vscode-tab-panel');
      panel.append(views[i].element);
      this.tabs.append(tabHeader, panel);
    });
    this.tabs.selectedIndex = Math.max(0, VIEWS.findIndex((v) => v.name === this.ui.view));
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      this.ui.view = VIEWS[index]?.name ?? 'heads';
      this.saveUi();
      this.refreshSelectionViews();
    });
    clear(this.root);
    this.root.append(header, this.tabs);
    this.status.textContent = 'Waiting for an inspection… select text in an editor and run "Inspect Attention".';
  }

  private saveUi(): void {
    this.channel.setState({ ...this.ui, runId: this.data.run?.runId });
  }

  private selectView(view: ViewName): void {
    this.ui.view = view;
    this.tabs.selectedIndex = VIEWS.findIndex((v) => v.name === view);
    this.saveUi();
  }

  openHead(layer: number, head: number): void {
    this.ui.layer = layer;
    this.ui.head = head;
    this.layerSelect.value = String(layer);
    this.headSelect.value = String(head);
    this.selectView('detail');
    this.refreshSelectionViews();
  }

  private refreshSelectionViews(): void {
    if (this.ui.view === 'detail') this.detail.show();
    if (this.ui.view === 'tokens') this.tokens.requestValues();
    if (this.ui.view === 'patterns') this.patterns.render();
    if (this.ui.view === 'findings') this.findings.render();
  }

  private onMessage(m: HostToPanel): void {
    const run = this.data.run;
    switch (m.type) {
      case 'run/start': {
        this.status.classList.remove('error');
        const fresh = this.ui.runId !== m.run.runId;
        this.data.start(m.run);
        if (fresh) Object.assign(this.ui, { token: -1, zoom: 1, panX: 0, panY: 0 });
        this.ui.layer = Math.min(this.ui.layer, m.run.layers - 1);
        this.ui.head = Math.min(this.ui.head, m.run.heads - 1);
        this.saveUi();
        this.fillSelect(this.layerSelect, m.run.layers, this.ui.layer);
        this.fillSelect(this.headSelect, m.run.heads, this.ui.head);
        this.title.textContent = `${m.run.modelName} · ${m.run.providerLabel} · ${m.run.sourceLabel}`;
        const notes = [
          ...m.run.fallbacks.map((f) => `${f.provider} not used: ${f.reason}`),
          ...m.run.notes,
        ];
        this.fallbackNote.textContent = notes.join(' · ');
        this.fallbackNote.hidden = notes.length === 0;
        this.status.textContent = `${m.run.tokens.length} tokens · computing layer 1 of ${m.run.layers}…`;
        this.tokens.renderTokens();
        this.heads.renderRun();
        this.patterns.render();
        this.findings.render();
        this.refreshSelectionViews();
        break;
      }
      case 'run/layer': {
        if (!run || m.layer.runId !== run.runId) return;
        this.data.layers[m.layer.layer] = m.layer;
        const have = this.data.layers.filter(Boolean).length;
        if (!this.data.done) this.status.textContent = `${run.tokens.length} tokens · ${have} of ${run.layers} layers`;
        this.heads.renderLayer(m.layer);
        if (this.ui.view === 'patterns') this.patterns.render();
        if (m.layer.layer === this.ui.layer && this.ui.view === 'detail') this.detail.show();
        if (this.ui.view === 'tokens') this.tokens.requestValues();
        break;
      }
      case 'run/patterns': {
        if (!run || m.runId !== run.runId) return;
        this.data.patterns[m.layer] = m.patterns;
        this.heads.renderPatterns(m.layer);
        if (this.ui.view === 'patterns') this.patterns.render();
        if (m.layer === this.ui.layer && this.ui.view === 'detail') this.detail.show();
        break;
      }
      case 'run/findings':
        if (!run || m.runId !== run.runId) return;
        this.data.findings = m.findings;
        this.findings.render();
        this.tabHeaders.get('findings')!.textContent = m.findings.length ? `Findings (${m.findings.length})` : 'Findings';
        break;
      case 'run/done':
        if (!run || m.runId !== run.runId) return;
        this.data.done = true;
        this.data.elapsedMs = m.elapsedMs;
        this.status.textContent = `${run.tokens.length} tokens · ${run.layers} layers × ${run.heads} heads · ${Math.round(m.elapsedMs)} ms`;
        this.findings.render();
        break;
      case 'run/error':
        if (run && m.runId !== run.runId) return;
        this.data.error = m.message;
        this.status.textContent = m.message;
        this.status.classList.add('error');
        return;
      case 'head/data':
        if (run && m.head.runId === run.runId) this.detail.receiveHead(m.head);
        break;
      case 'token/data':
        if (!run || m.attention.runId !== run.runId) return;
        if (!this.detail.receiveRow(m.attention)) this.tokens.receive(m.attention);
        break;
      case 'request/error':
        this.status.textContent = m.message;
        break;
      case 'editor/selection':
        if (run && m.runId === run.runId) this.tokens.showEditorSelection([m.start, m.end]);
        break;
      case 'export/done':
        this.status.textContent = m.message;
        break;
    }
  }

  private fillSelect(select: HTMLSelectElement, n: number, value: number): void {
    clear(select);
    for (let i = 0; i < n; i++) select.append(el('option', { text: String(i), attrs: { value: String(i) } }));
    select.value = String(value);
  }

  private exportWeights(format: 'csv' | 'json' | 'npy', oneHead: boolean): void {
    const run = this.data.run;
    if (!run) return;
    this.channel.post({ type: 'export/weights', runId: run.runId, format, layer: this.ui.layer, head: oneHead ? this.ui.head : undefined });
  }

  /** Encodes the current view to PNG: the heatmap canvas, or a composite of the heads grid. */
  private async exportPng(): Promise<void> {
    const run = this.data.run;
    if (!run) return;
    let canvas: HTMLCanvasElement | undefined = this.ui.view === 'detail' ? this.detail.exportCanvas() : undefined;
    if (!canvas) canvas = this.composeHeadsGrid();
    if (!canvas) return;
    const blob = await new Promise<Blob | null>((resolve) => canvas!.toBlob(resolve, 'image/png'));
    if (!blob) return;
    const png = new Uint8Array(await blob.arrayBuffer());
    const name = this.ui.view === 'detail' ? `attention-L${this.ui.layer}-H${this.ui.head}.png` : 'attention-heads.png';
    this.channel.post({ type: 'export/png', runId: run.runId, name, png });
  }

  private composeHeadsGrid(): HTMLCanvasElement | undefined {
    const run = this.data.run;
    const thumbs = [...document.querySelectorAll<HTMLCanvasElement>('canvas.thumb')];
    if (!run || thumbs.length === 0) return undefined;
    const tile = 64;
    const gap = 4;
    const out = document.createElement('canvas');
    out.width = run.heads * (tile + gap) + gap;
    out.height = run.layers * (tile + gap) + gap;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background') || '#1e1e1e';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.imageSmoothingEnabled = false;
    for (const c of thumbs) {
      const tileEl = c.parentElement as HTMLElement;
      const l = Number(tileEl.dataset.layer);
      const h = Number(tileEl.dataset.head);
      ctx.drawImage(c, gap + h * (tile + gap), gap + l * (tile + gap), tile, tile);
    }
    return out;
  }
}

export { DEFAULT_UI };
