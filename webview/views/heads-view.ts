// Heads view: a layers × heads grid of heatmap thumbnails with the engine's pattern badge
// on each (bertviz's model view). Layers fill in as the engine streams them; the grid can
// be filtered to one pattern label. Each tile is a button: click or Enter opens the head.
import type { LayerThumbnails } from '../../src/protocol/panel-messages';
import { paintBytes } from '../colormap';
import { clear, el } from '../dom';
import type { RunData, UiState } from '../panel-state';

export class HeadsView {
  readonly element = el('section', { className: 'view heads-view', attrs: { 'aria-label': 'Heads' } });
  private readonly filter = el('select', { attrs: { 'aria-label': 'Filter heads by pattern' } });
  private readonly grid = el('div', { className: 'heads-grid', attrs: { role: 'grid', 'aria-label': 'Attention heads by layer' } });
  private rows: HTMLElement[] = [];
  /** Run whose first thumbnails were marked (see renderLayer). */
  private marked = -1;

  constructor(
    private readonly data: RunData,
    private readonly ui: UiState,
    private readonly openHead: (layer: number, head: number) => void,
    private readonly onUiChange: () => void,
  ) {
    const bar = el('div', { className: 'view-bar' }, [el('label', { text: 'Pattern ' }, [this.filter])]);
    this.filter.addEventListener('change', () => {
      this.ui.patternFilter = this.filter.value;
      this.onUiChange();
      this.applyFilter();
    });
    this.element.append(bar, this.grid);
  }

  renderRun(): void {
    clear(this.grid);
    this.rows = [];
    const run = this.data.run;
    if (!run) return;
    this.grid.style.setProperty('--heads', String(run.heads));
    const header = el('div', { className: 'heads-row header', attrs: { role: 'row' } }, [el('span', { className: 'layer-label', text: '' })]);
    for (let h = 0; h < run.heads; h++) header.append(el('span', { className: 'head-label', text: `H${h}`, attrs: { role: 'columnheader' } }));
    this.grid.append(header);
    for (let l = 0; l < run.layers; l++) {
      const row = el('div', { className: 'heads-row pending', attrs: { role: 'row', 'data-layer': String(l) } }, [
        el('span', { className: 'layer-label', text: `L${l}`, attrs: { role: 'rowheader' } }),
      ]);
      for (let h = 0; h < run.heads; h++) {
        row.append(el('span', { className: 'tile placeholder', text: '…', attrs: { role: 'gridcell', 'aria-label': `layer ${l} head ${h}: computing` } }));
      }
      this.rows.push(row);
      this.grid.append(row);
    }
    this.refreshFilterOptions();
  }

  renderLayer(layer: LayerThumbnails): void {
    const row = this.rows[layer.layer];
    if (!row) return;
    // A performance mark at the first frame after a run's first thumbnails are in the DOM: the
    // panel benchmark reads it (performance.timeOrigin + startTime) to time click → painted.
    if (this.marked !== layer.runId) {
      this.marked = layer.runId;
      const mark = `attn:first-thumbnails:${layer.runId}`;
      requestAnimationFrame(() => performance.mark(mark));
    }
    row.classList.remove('pending');
    const size = layer.rows * layer.cols;
    for (let h = 0; h < layer.heads; h++) {
      const canvas = el('canvas', { className: 'thumb' });
      canvas.width = layer.cols;
      canvas.height = layer.rows;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(layer.cols, layer.rows);
        paintBytes(layer.pixels.subarray(h * size, (h + 1) * size), 255, img.data);
        ctx.putImageData(img, 0, 0);
      }
      const tile = el('button', { className: 'tile', attrs: { role: 'gridcell', 'data-layer': String(layer.layer), 'data-head': String(h) } }, [canvas]);
      tile.addEventListener('click', () => this.openHead(layer.layer, h));
      tile.addEventListener('keydown', (e) => this.onKey(e, layer.layer, h));
      row.children[h + 1].replaceWith(tile);
    }
    this.renderPatterns(layer.layer);
  }

  /**
   * Labels a layer's tiles with its head patterns (they arrive after the thumbnails): badge,
   * data-label for the filter, accessible name and tooltip. Updates the tiles in place, so a
   * focused tile keeps its focus.
   */
  renderPatterns(layer: number): void {
    const row = this.rows[layer];
    if (!row) return;
    for (const tile of row.querySelectorAll<HTMLElement>('.tile[data-head]')) {
      const h = Number(tile.dataset.head);
      const pattern = this.data.patternsOf(layer, h);
      const label = pattern?.label ?? '';
      const pct = Math.round((pattern?.confidence ?? 0) * 100);
      tile.dataset.label = label;
      tile.setAttribute('aria-label', `layer ${layer} head ${h}${label ? `: ${label} (${pct}%)` : ''}`);
      tile.title = `L${layer} H${h}${label ? ` — ${label} ${pct}%` : ''}`;
      tile.querySelector('.badge')?.remove();
      if (label) tile.append(el('span', { className: `badge badge-${label.replace(/[^a-z-]/g, '')}`, text: shortLabel(label) }));
    }
    this.refreshFilterOptions();
    this.applyFilter();
  }

  private onKey(e: KeyboardEvent, layer: number, head: number): void {
    const run = this.data.run;
    if (!run) return;
    let [l, h] = [layer, head];
    if (e.key === 'ArrowRight') h = Math.min(run.heads - 1, h + 1);
    else if (e.key === 'ArrowLeft') h = Math.max(0, h - 1);
    else if (e.key === 'ArrowDown') l = Math.min(run.layers - 1, l + 1);
    else if (e.key === 'ArrowUp') l = Math.max(0, l - 1);
    else return;
    e.preventDefault();
    const target = this.rows[l]?.children[h + 1] as HTMLElement | undefined;
    target?.focus();
  }

  private refreshFilterOptions(): void {
    const labels = [...new Set(this.data.allPatterns().map((p) => p.label))].sort();
    const current = this.ui.patternFilter;
    clear(this.filter);
    this.filter.append(el('option', { text: 'all patterns', attrs: { value: '' } }));
    for (const label of labels) {
      const count = this.data.allPatterns().filter((p) => p.label === label).length;
      this.filter.append(el('option', { text: `${label} (${count})`, attrs: { value: label } }));
    }
    this.filter.value = labels.includes(current) ? current : '';
  }

  private applyFilter(): void {
    const f = this.ui.patternFilter;
    for (const tile of this.grid.querySelectorAll<HTMLElement>('.tile[data-head]')) {
      tile.classList.toggle('dimmed', f !== '' && tile.dataset.label !== f);
    }
  }
}

function shortLabel(label: string): string {
  const map: Record<string, string> = {
    'previous-token': 'prev',
    'next-token': 'next',
    diagonal: 'self',
    induction: 'induct',
    'duplicate-token': 'dup',
    columnar: 'sink',
    sink: 'sink',
    block: 'block',
    'local-band': 'band',
    broad: 'broad',
  };
  return map[label] ?? label.slice(0, 6);
}
