// SVG line plots and bar charts. Colours come from CSS classes (series-0 … series-5, bar,
// bar-highlight) that use the theme's --vscode-charts-* variables.
import { el, svg } from './lesson-dom';
import { formatNumber } from './format';

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  dashed?: boolean;
}

export interface LinePlotOptions {
  series: Series[];
  caption: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Vertical marker lines, e.g. the slider's value. */
  markers?: { x: number; label: string }[];
  /** A horizontal reference line, e.g. the maximum entropy. */
  reference?: { y: number; label: string };
  width?: number;
  height?: number;
  /** Tick labels of the y axis (and of the x axis unless xFormat is given). */
  format?: (v: number) => string;
  xFormat?: (v: number) => string;
}

function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    const a = Math.floor(Math.log10(lo));
    const b = Math.ceil(Math.log10(hi));
    const step = Math.max(1, Math.ceil((b - a) / 6));
    for (let e = a; e <= b; e += step) out.push(10 ** e);
    return out.filter((t) => t >= lo * 0.999 && t <= hi * 1.001);
  }
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export function linePlot(o: LinePlotOptions): HTMLElement {
  const W = o.width ?? 460;
  const H = o.height ?? 240;
  const m = { l: 62, r: 12, t: 10, b: 40 };
  const fmt = o.format ?? ((v: number) => formatNumber(v, 3));
  const xfmt = o.xFormat ?? fmt;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of o.series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!(Number.isFinite(s.x[i]) && Number.isFinite(s.y[i]))) continue;
      if ((o.logX && s.x[i] <= 0) || (o.logY && s.y[i] <= 0)) continue;
      xs.push(s.x[i]);
      ys.push(s.y[i]);
    }
  }
  if (o.reference) ys.push(o.reference.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!o.logY) [y0, y1] = [Math.min(0, y0), y1 === y0 ? y0 + 1 : y1];
  const fx = (v: number) => m.l + ((o.logX ? Math.log(v) - Math.log(x0) : v - x0) / ((o.logX ? Math.log(x1) - Math.log(x0) : x1 - x0) || 1)) * (W - m.l - m.r);
  const fy = (v: number) => H - m.b - ((o.logY ? Math.log(v) - Math.log(y0) : v - y0) / ((o.logY ? Math.log(y1) - Math.log(y0) : y1 - y0) || 1)) * (H - m.t - m.b);

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': o.caption, class: 'chart' });
  for (const t of ticks(x0, x1, !!o.logX)) {
    root.appendChild(svg('line', { x1: fx(t), x2: fx(t), y1: m.t, y2: H - m.b, class: 'grid' }));
    root.appendChild(svg('text', { x: fx(t), y: H - m.b + 14, class: 'tick', 'text-anchor': 'middle' }, xfmt(t)));
  }
  for (const t of ticks(y0, y1, !!o.logY)) {
    root.appendChild(svg('line', { x1: m.l, x2: W - m.r, y1: fy(t), y2: fy(t), class: 'grid' }));
    root.appendChild(svg('text', { x: m.l - 4, y: fy(t) + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t)));
  }
  root.appendChild(svg('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
  root.appendChild(svg('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }));
  root.appendChild(svg('text', { x: (m.l + W - m.r) / 2, y: H - 6, class: 'axis-label', 'text-anchor': 'middle' }, o.xLabel));
  const yl = svg('text', { x: 12, y: (m.t + H - m.b) / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, o.yLabel);
  root.appendChild(yl);
  if (o.reference) {
    root.appendChild(svg('line', { x1: m.l, x2: W - m.r, y1: fy(o.reference.y), y2: fy(o.reference.y), class: 'reference' }));
    root.appendChild(svg('text', { x: W - m.r - 2, y: fy(o.reference.y) - 4, class: 'tick', 'text-anchor': 'end' }, o.reference.label));
  }
  for (const mk of o.markers ?? []) {
    if (!(mk.x >= x0 && mk.x <= x1)) continue;
    root.appendChild(svg('line', { x1: fx(mk.x), x2: fx(mk.x), y1: m.t, y2: H - m.b, class: 'marker' }));
    root.appendChild(svg('text', { x: fx(mk.x) + 3, y: m.t + 10, class: 'tick' }, mk.label));
  }
  o.series.forEach((s, k) => {
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (!(Number.isFinite(s.x[i]) && Number.isFinite(s.y[i]))) continue;
      if ((o.logX && s.x[i] <= 0) || (o.logY && s.y[i] <= 0)) continue;
      pts.push(`${fx(s.x[i]).toFixed(1)},${fy(s.y[i]).toFixed(1)}`);
    }
    root.appendChild(svg('polyline', { points: pts.join(' '), class: `series series-${k % 6}${s.dashed ? ' dashed' : ''}` }));
  });
  const legend = el(
    'div',
    { className: 'legend' },
    o.series.map((s, k) => el('span', { className: 'legend-item' }, [el('span', { className: `swatch swatch-${k % 6}${s.dashed ? ' dashed' : ''}` }), el('span', { text: s.name })])),
  );
  return el('figure', { className: 'plot' }, [el('figcaption', { text: o.caption }), root, legend]);
}

export interface BarChartOptions {
  labels: readonly string[];
  values: ArrayLike<number>;
  caption: string;
  highlight?: (i: number) => boolean;
  format?: (v: number) => string;
  width?: number;
  height?: number;
  /** Fixed top of the axis (e.g. 1 for probabilities). */
  max?: number;
  /** Label only every k-th bar (dense histograms). */
  labelEvery?: number;
}

export function barChart(o: BarChartOptions): HTMLElement {
  const n = o.values.length;
  const W = o.width ?? Math.max(220, Math.min(640, 40 + n * 34));
  const H = o.height ?? 170;
  const m = { l: 8, r: 8, t: 16, b: 44 };
  const fmt = o.format ?? ((v: number) => formatNumber(v, 3));
  let max = o.max ?? 0;
  let min = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(o.values[i])) continue;
    max = Math.max(max, o.values[i]);
    min = Math.min(min, o.values[i]);
  }
  const span = max - min || 1;
  const bw = (W - m.l - m.r) / Math.max(1, n);
  const fy = (v: number) => m.t + ((max - v) / span) * (H - m.t - m.b);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': o.caption, class: 'chart' });
  root.appendChild(svg('line', { x1: m.l, x2: W - m.r, y1: fy(0), y2: fy(0), class: 'axis' }));
  for (let i = 0; i < n; i++) {
    const v = o.values[i];
    const x = m.l + i * bw;
    const finite = Number.isFinite(v);
    const y = finite ? Math.min(fy(v), fy(0)) : m.t;
    const h = finite ? Math.abs(fy(v) - fy(0)) : H - m.t - m.b;
    const bar = svg('rect', { x: x + 2, y, width: Math.max(1, bw - 4), height: Math.max(0.5, h), class: `bar${o.highlight?.(i) ? ' bar-highlight' : ''}${finite ? '' : ' bar-masked'}` });
    bar.appendChild(svg('title', {}, `${o.labels[i] ?? i}: ${finite ? fmt(v) : formatNumber(v)}`));
    root.appendChild(bar);
    if (bw >= 40) root.appendChild(svg('text', { x: x + bw / 2, y: y - 3, class: 'tick', 'text-anchor': 'middle' }, finite ? fmt(v) : '−∞'));
    if (i % (o.labelEvery ?? 1) !== 0) continue;
    const label = (o.labels[i] ?? String(i)).replace(/\s/g, '·');
    root.appendChild(svg('text', { x: x + bw / 2, y: H - m.b + 12, class: 'tick', 'text-anchor': 'end', transform: `rotate(-40 ${x + bw / 2} ${H - m.b + 12})` }, label.length > 9 ? `${label.slice(0, 8)}…` : label));
  }
  return el('figure', { className: 'plot' }, [el('figcaption', { text: o.caption }), root]);
}
