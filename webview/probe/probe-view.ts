// Renders a probe report: the checks, then the user's weight matrix beside the reference's
// with the violating cells outlined. Every string goes in through textContent (el()); the
// cell shading is set through the CSSOM (a custom property), never inline HTML.
import type { ProbeCheckView, ProbeMatrixView, ProbeReport } from '../../src/protocol/probe-messages';
import { clear, el } from '../dom';

export interface ProbeViewActions {
  rerun(): void;
  reveal(): void;
}

const STATUS_ICON: Record<ProbeCheckView['status'], string> = {
  pass: 'codicon-pass',
  fail: 'codicon-error',
  skipped: 'codicon-circle-slash',
};

const SOURCE_TEXT: Record<ProbeMatrixView['source'], string> = {
  recovered: 'read back by running your function with one-hot values',
  returned: 'as your function returned them',
  captured: 'captured from the softmax your code called',
  reference: 'the reference engine on the same inputs',
};

function formatCell(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  return x.toFixed(2).replace(/^0\./, '.');
}

function matrixView(title: string, m: ProbeMatrixView, violating: Set<string>): HTMLElement {
  const grid = el('div', { className: 'grid', attrs: { role: 'table', 'aria-label': title } });
  grid.style.setProperty('grid-template-columns', `28px repeat(${m.cols}, 30px)`);
  grid.appendChild(el('span', { className: 'label' }));
  for (let j = 0; j < m.cols; j++) grid.appendChild(el('span', { className: 'label', text: `k${j}` }));
  for (let i = 0; i < m.rows; i++) {
    grid.appendChild(el('span', { className: 'label', text: `q${i}` }));
    for (let j = 0; j < m.cols; j++) {
      const w = m.data[i * m.cols + j];
      const bad = violating.has(`${i},${j}`);
      const cell = el('span', {
        className: `cell${Number.isNaN(w) ? ' nan' : ''}${bad ? ' violating' : ''}`,
        title: `query ${i}, key ${j}: ${Number.isFinite(w) ? w.toPrecision(4) : formatCell(w)}${bad ? ' (violates a check)' : ''}`,
        attrs: { role: 'cell' },
      });
      const shade = el('span', { className: 'shade' });
      shade.style.setProperty('--w', String(Number.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0));
      cell.append(shade, el('span', { className: 'value', text: formatCell(w) }));
      grid.appendChild(cell);
    }
  }
  return el('figure', { className: 'matrix' }, [el('figcaption', { text: `${title} (head ${m.head}, batch 0): ${SOURCE_TEXT[m.source]}` }), grid]);
}

export function renderRunning(root: HTMLElement, functionName: string): void {
  clear(root);
  root.append(el('h1', { text: `Probe: ${functionName}` }), el('p', { className: 'running', text: 'Running the function on generated tensors…' }));
}

export function renderReport(root: HTMLElement, report: ProbeReport, actions: ProbeViewActions): void {
  clear(root);
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  root.appendChild(el('h1', { text: `Probe: ${report.functionName}` }));
  const meta = [
    report.fileLabel,
    report.language,
    report.framework,
    report.layout ? `layout ${report.layout}` : undefined,
    report.causal === 'causal' ? 'causal' : report.causal === 'masked' ? 'masked' : undefined,
    report.shapes ? Object.entries(report.shapes).map(([k, s]) => `${k} [${s.join(', ')}]`).join(' ') : undefined,
    report.elapsedMs !== undefined ? `${(report.elapsedMs / 1000).toFixed(1)} s` : undefined,
  ].filter(Boolean);
  root.appendChild(el('p', { className: 'meta', text: meta.join(' · ') }));
  if (report.notes?.length) root.appendChild(el('p', { className: 'meta', text: report.notes.join(' · ') }));
  const rerun = el('button', { text: 'Run again' });
  rerun.addEventListener('click', () => actions.rerun());
  const reveal = el('button', { text: 'Go to function' });
  reveal.addEventListener('click', () => actions.reveal());
  root.appendChild(el('div', { className: 'actions' }, [rerun, reveal]));

  if (report.error) {
    const box = el('div', { className: 'error-box', attrs: { role: 'alert' } }, [el('strong', { text: report.error.message })]);
    if (report.error.detail) box.appendChild(el('pre', { text: report.error.detail }));
    root.appendChild(box);
  }

  if (!report.error) {
    root.appendChild(el('h2', { text: failed ? `${failed} of ${report.checks.length} checks failed` : `All ${report.checks.filter((c) => c.status === 'pass').length} measured checks passed` }));
    const list = el('ul', { className: 'checks' });
    for (const c of report.checks) {
      list.appendChild(
        el('li', { className: c.status }, [
          el('span', { className: `codicon ${STATUS_ICON[c.status]}`, attrs: { 'aria-label': c.status } }),
          el('span', { className: 'check-id', text: c.id }),
          el('span', { text: c.message }),
        ]),
      );
    }
    root.appendChild(list);
  }

  if (report.userWeights || report.referenceWeights) {
    root.appendChild(el('h2', { text: 'Weights' }));
    const violating = new Set((report.violatingCells ?? []).map((c) => `${c.query},${c.key}`));
    const row = el('div', { className: 'matrices' });
    if (report.userWeights) row.appendChild(matrixView('Your function', report.userWeights, violating));
    if (report.referenceWeights) row.appendChild(matrixView('Reference', report.referenceWeights, new Set()));
    root.appendChild(row);
    if (violating.size) {
      root.appendChild(
        el('p', { className: 'legend' }, [el('span', { className: 'swatch' }), el('span', { text: `${violating.size} cells violate a check (for a causal leak: cells above the diagonal that carry weight).` })]),
      );
    }
  }
}
