// Patterns: a sortable table of every head's label, confidence and scores. Click a column
// header (or press Enter on it) to sort; click a row to open that head.
import type { PanelHeadPattern } from '../../src/protocol/panel-messages';
import { clear, el } from '../dom';
import type { RunData, UiState } from '../panel-state';

export class PatternsView {
  readonly element = el('section', { className: 'view patterns-view', attrs: { 'aria-label': 'Patterns' } });
  private readonly table = el('table', { className: 'patterns-table' });

  constructor(
    private readonly data: RunData,
    private readonly ui: UiState,
    private readonly openHead: (layer: number, head: number) => void,
    private readonly onUiChange: () => void,
  ) {
    this.element.append(this.table);
  }

  render(): void {
    clear(this.table);
    const rows = this.data.allPatterns();
    const scoreKeys = [...new Set(rows.flatMap((r) => Object.keys(r.scores)))].sort();
    const columns = ['layer', 'head', 'label', 'confidence', ...scoreKeys];
    const head = el('tr');
    for (const c of columns) {
      const sorted = this.ui.sortKey === c;
      const th = el('th', {
        text: c + (sorted ? (this.ui.sortDescending ? ' ▼' : ' ▲') : ''),
        attrs: { tabindex: '0', role: 'columnheader', 'aria-sort': sorted ? (this.ui.sortDescending ? 'descending' : 'ascending') : 'none' },
      });
      const sort = () => {
        if (this.ui.sortKey === c) this.ui.sortDescending = !this.ui.sortDescending;
        else {
          this.ui.sortKey = c;
          this.ui.sortDescending = c !== 'layer' && c !== 'head' && c !== 'label';
        }
        this.onUiChange();
        this.render();
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          sort();
        }
      });
      head.append(th);
    }
    this.table.append(el('thead', {}, [head]));
    const body = el('tbody');
    const value = (r: PanelHeadPattern, key: string): number | string =>
      key === 'layer' ? r.layer : key === 'head' ? r.head : key === 'label' ? r.label : key === 'confidence' ? r.confidence : (r.scores[key] ?? -Infinity);
    const sorted = [...rows].sort((a, b) => {
      const va = value(a, this.ui.sortKey);
      const vb = value(b, this.ui.sortKey);
      const cmp = typeof va === 'string' ? String(va).localeCompare(String(vb)) : (va as number) - (vb as number);
      return (this.ui.sortDescending ? -cmp : cmp) || a.layer - b.layer || a.head - b.head;
    });
    for (const r of sorted) {
      const tr = el('tr', { attrs: { tabindex: '0', 'data-layer': String(r.layer), 'data-head': String(r.head) } });
      for (const c of columns) {
        const v = value(r, c);
        tr.append(el('td', { text: typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v === -Infinity ? '' : v.toFixed(3)) : v }));
      }
      tr.addEventListener('click', () => this.openHead(r.layer, r.head));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.openHead(r.layer, r.head);
      });
      body.append(tr);
    }
    this.table.append(body);
  }
}
