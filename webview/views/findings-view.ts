// Findings: masking anomalies the engine found in the weights (a causal leak, rows that do
// not sum to one, NaN/Inf, attention paid to padding), each linked to its heads.
import { clear, el } from '../dom';
import type { RunData } from '../panel-state';

export class FindingsView {
  readonly element = el('section', { className: 'view findings-view', attrs: { 'aria-label': 'Findings' } });
  private readonly list = el('ul', { className: 'findings' });
  private readonly empty = el('p', { className: 'hint' });

  constructor(
    private readonly data: RunData,
    private readonly openHead: (layer: number, head: number) => void,
  ) {
    this.element.append(this.empty, this.list);
  }

  render(): void {
    clear(this.list);
    const findings = this.data.findings;
    this.empty.textContent = findings.length
      ? ''
      : this.data.done
        ? 'No masking anomalies: no weight above the causal diagonal, every row sums to 1, no NaN or Inf.'
        : 'Checking each layer as it arrives…';
    for (const f of findings) {
      const heads = el('span', { className: 'finding-heads' });
      for (const h of f.heads.slice(0, 16)) {
        const b = el('button', { className: 'link-button', text: `L${f.layer} H${h}`, attrs: { 'aria-label': `open layer ${f.layer} head ${h}` } });
        b.addEventListener('click', () => this.openHead(f.layer, h));
        heads.append(b);
      }
      if (f.heads.length > 16) heads.append(el('span', { text: ` +${f.heads.length - 16} more` }));
      this.list.append(
        el('li', { className: `finding ${f.severity}` }, [
          el('span', { className: 'severity', text: f.severity === 'error' ? '⛔' : f.severity === 'warning' ? '⚠' : 'ℹ', attrs: { 'aria-label': f.severity } }),
          el('strong', { text: f.kind }),
          el('span', { text: ` ${f.message} ` }),
          heads,
        ]),
      );
    }
  }
}
