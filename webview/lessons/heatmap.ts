// A matrix drawn on a canvas with row/column labels, a hover / keyboard read-out of the exact
// value, and −∞ (masked) cells drawn as their own colour with a cross. Modes:
//   weights   0 … max, background → blue        (attention weights, probabilities)
//   signed    −max … max, red ← background → blue (scores, embeddings)
//   binary    0 / 1                              (keep-masks, reach)
import { clear, el } from './lesson-dom';
import { formatNumber } from './format';
import { css, mix, textOn, themeColors } from './palette';

export interface HeatmapOptions {
  rows: number;
  cols: number;
  /** Row-major [rows, cols]. */
  values: ArrayLike<number>;
  mode: 'weights' | 'signed' | 'binary';
  caption: string;
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  /** Axis names for the read-out, e.g. "query", "key". */
  rowName?: string;
  colName?: string;
  /** Cells drawn with an outline (e.g. the leak, the followed row). */
  highlight?: (r: number, c: number) => boolean;
  /** Print the value inside cells when they are large enough. */
  showValues?: boolean;
  /** Widest drawing in CSS pixels. */
  maxWidth?: number;
  /** Largest cell side in CSS pixels. */
  maxCell?: number;
}

const LABEL_FONT = '11px var(--vscode-editor-font-family, monospace)';

function shorten(s: string, n = 10): string {
  const t = s.replace(/\r\n|\n|\r/g, '↵').replace(/\t/g, '→');
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

export function heatmap(o: HeatmapOptions): HTMLElement {
  const canvas = el('canvas', { className: 'heatmap', attrs: { tabindex: '0', role: 'img', 'aria-label': `${o.caption}: ${o.rows} × ${o.cols}. Arrow keys move the read-out.` } });
  const readout = el('div', { className: 'readout', attrs: { 'aria-live': 'polite' }, text: 'Hover a cell or focus the chart and use the arrow keys.' });
  const figure = el('figure', { className: 'plot' }, [el('figcaption', { text: o.caption }), canvas, readout]);

  const ctx = canvas.getContext('2d');
  if (!ctx) return figure;
  ctx.font = LABEL_FONT;
  const rowLabels = o.rowLabels?.map((s) => shorten(s)) ?? [];
  const colLabels = o.colLabels?.map((s) => shorten(s)) ?? [];
  const left = rowLabels.length ? Math.ceil(Math.max(...rowLabels.map((s) => ctx.measureText(s).width))) + 6 : 0;
  const top = colLabels.length ? Math.ceil(Math.max(...colLabels.map((s) => ctx.measureText(s).width))) + 6 : 0;
  const maxWidth = o.maxWidth ?? 520;
  const cell = Math.max(2, Math.min(o.maxCell ?? 28, Math.floor((maxWidth - left) / Math.max(1, o.cols))));
  const width = left + cell * o.cols;
  const height = top + cell * o.rows;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.ceil(width * dpr);
  canvas.height = Math.ceil(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;

  let maxAbs = 0;
  for (let i = 0; i < o.values.length; i++) {
    const v = o.values[i];
    if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  if (o.mode === 'binary') maxAbs = 1;
  let cursor: [number, number] | undefined;

  const colorOf = (v: number): string => {
    const c = themeColors();
    if (v === -Infinity) return css(c.mask, 0.55);
    if (!Number.isFinite(v)) return css(c.accent);
    if (maxAbs === 0) return css(c.bg);
    const t = Math.abs(v) / maxAbs;
    // a square-root curve keeps small but real weights visible; the read-out shows exact values
    const shade = o.mode === 'binary' ? t : Math.sqrt(t);
    return css(mix(c.bg, v < 0 && o.mode === 'signed' ? c.neg : c.pos, 0.12 + 0.88 * shade));
  };

  const draw = () => {
    const c = themeColors();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = LABEL_FONT;
    ctx.fillStyle = css(c.muted);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    rowLabels.forEach((s, r) => ctx.fillText(s, left - 4, top + r * cell + cell / 2));
    ctx.save();
    ctx.textAlign = 'left';
    colLabels.forEach((s, col) => {
      ctx.save();
      ctx.translate(left + col * cell + cell / 2, top - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(s, 0, 0);
      ctx.restore();
    });
    ctx.restore();
    for (let r = 0; r < o.rows; r++) {
      for (let col = 0; col < o.cols; col++) {
        const v = o.values[r * o.cols + col];
        const x = left + col * cell;
        const y = top + r * cell;
        ctx.fillStyle = colorOf(v);
        ctx.fillRect(x, y, cell, cell);
        if (v === -Infinity && cell >= 8) {
          ctx.strokeStyle = css(c.fg, 0.35);
          ctx.beginPath();
          ctx.moveTo(x + 2, y + 2);
          ctx.lineTo(x + cell - 2, y + cell - 2);
          ctx.stroke();
        }
        if (o.showValues && cell >= 24 && Number.isFinite(v)) {
          const bg = colorOf(v).match(/\d+(\.\d+)?/g)?.map(Number) ?? [0, 0, 0];
          ctx.fillStyle = textOn([bg[0], bg[1], bg[2]]);
          ctx.textAlign = 'center';
          ctx.font = '9px var(--vscode-editor-font-family, monospace)';
          ctx.fillText(formatNumber(v, 2), x + cell / 2, y + cell / 2);
          ctx.font = LABEL_FONT;
        }
        if (o.highlight?.(r, col)) {
          ctx.strokeStyle = css(c.accent);
          ctx.lineWidth = 2;
          ctx.strokeRect(x + 1, y + 1, cell - 2, cell - 2);
          ctx.lineWidth = 1;
        }
      }
    }
    if (cursor) {
      ctx.strokeStyle = css(c.focus);
      ctx.lineWidth = 2;
      ctx.strokeRect(left + cursor[1] * cell, top + cursor[0] * cell, cell, cell);
      ctx.lineWidth = 1;
    }
  };

  const show = (r: number, col: number) => {
    cursor = [r, col];
    const v = o.values[r * o.cols + col];
    const rn = o.rowName ?? 'row';
    const cn = o.colName ?? 'column';
    const rl = o.rowLabels?.[r] !== undefined ? ` “${o.rowLabels[r]}”` : '';
    const cl = o.colLabels?.[col] !== undefined ? ` “${o.colLabels[col]}”` : '';
    readout.textContent = `${rn} ${r}${rl}, ${cn} ${col}${cl}: ${v === -Infinity ? '−∞ (masked)' : formatNumber(v, 6)}`;
    draw();
  };

  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left - left) / cell);
    const r = Math.floor((e.clientY - rect.top - top) / cell);
    if (r >= 0 && r < o.rows && col >= 0 && col < o.cols && (!cursor || cursor[0] !== r || cursor[1] !== col)) show(r, col);
  });
  canvas.addEventListener('keydown', (e) => {
    const [r, col] = cursor ?? [0, 0];
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -col], End: [0, o.cols - 1 - col] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    show(Math.min(o.rows - 1, Math.max(0, r + m[0])), Math.min(o.cols - 1, Math.max(0, col + m[1])));
  });
  canvas.addEventListener('focus', () => {
    if (!cursor) show(0, 0);
  });
  draw();
  return figure;
}

/** Replace a container's content with a heatmap. */
export function showHeatmap(container: HTMLElement, o: HeatmapOptions): void {
  clear(container);
  container.appendChild(heatmap(o));
}
