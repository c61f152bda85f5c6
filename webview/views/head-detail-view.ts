// Head detail: one head's full [query × key] heatmap. Zoom with the wheel or +/−, pan by
// dragging or with the arrow keys' modifiers, hover (or move the keyboard cursor) for the
// exact weight. Token labels line both axes once cells are big enough to hold them; the
// causal diagonal is drawn for causal self-attention.
//
// Painting is split in two layers so hovering stays cheap at 4,096 tokens: the heatmap is
// rendered once into an offscreen canvas (one pixel per cell) and blitted with the current
// zoom/pan; hover only redraws the thin overlay canvas on top.
import type { HeadWeights, TokenAttention } from '../../src/protocol/panel-messages';
import { dequantize } from '../../src/protocol/quantize';
import type { Channel } from '../channel';
import { paintBytes } from '../colormap';
import { el, formatWeight, visibleTokenText } from '../dom';
import type { RunData, UiState } from '../panel-state';

const LEFT = 110; // px reserved for query labels
const TOP = 90; // px reserved for key labels
const MAX_IMAGE = 2048; // offscreen image side cap (larger heads are max-pooled for display)

export class HeadDetailView {
  readonly element = el('section', { className: 'view detail-view', attrs: { 'aria-label': 'Head detail' } });
  private readonly title = el('h3');
  private readonly readout = el('div', { className: 'readout', attrs: { 'aria-live': 'polite' } });
  private readonly wrap = el('div', { className: 'canvas-wrap' });
  readonly canvas = el('canvas', { className: 'heatmap', attrs: { tabindex: '0', role: 'img' } });
  private readonly overlay = el('canvas', { className: 'overlay' });
  private image?: HTMLCanvasElement;
  private imageScaleQ = 1;
  private imageScaleK = 1;
  private head?: HeadWeights;
  private exactRows = new Map<number, Float32Array>();
  private pendingRows = new Map<number, number>(); // requestId → row
  private hover: { i: number; j: number } | null = null;
  private frame = 0;
  private drag?: { x: number; y: number; panX: number; panY: number };
  private pendingHeadRequest = 0;

  constructor(
    private readonly data: RunData,
    private readonly ui: UiState,
    private readonly channel: Channel,
    private readonly onUiChange: () => void,
  ) {
    const zoomIn = el('button', { className: 'icon-button', text: '+', attrs: { 'aria-label': 'Zoom in', title: 'Zoom in (+)' } });
    const zoomOut = el('button', { className: 'icon-button', text: '−', attrs: { 'aria-label': 'Zoom out', title: 'Zoom out (−)' } });
    const reset = el('button', { className: 'icon-button', text: '⟲', attrs: { 'aria-label': 'Reset zoom', title: 'Reset zoom (0)' } });
    zoomIn.addEventListener('click', () => this.zoomBy(1.5));
    zoomOut.addEventListener('click', () => this.zoomBy(1 / 1.5));
    reset.addEventListener('click', () => this.resetZoom());
    this.wrap.append(this.canvas, this.overlay);
    this.element.append(el('div', { className: 'view-bar' }, [this.title, zoomOut, zoomIn, reset]), this.wrap, this.readout);
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => this.setHover(null));
    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('mousedown', (e) => {
      this.drag = { x: e.clientX, y: e.clientY, panX: this.ui.panX, panY: this.ui.panY };
    });
    window.addEventListener('mouseup', () => {
      if (this.drag) this.onUiChange();
      this.drag = undefined;
    });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    // Redraw only when the available width changes: resizing the canvas itself must not loop.
    let lastWidth = -1;
    new ResizeObserver(() => {
      if (this.wrap.clientWidth !== lastWidth) {
        lastWidth = this.wrap.clientWidth;
        this.draw();
      }
    }).observe(this.wrap);
  }

  /** Asks for the selected head at display precision (called when the view or head changes). */
  show(): void {
    const run = this.data.run;
    if (!run || !this.data.layers[this.ui.layer]) {
      this.title.textContent = run ? `Layer ${this.ui.layer} head ${this.ui.head}: computing…` : '';
      return;
    }
    const key = `${this.ui.layer}/${this.ui.head}/u8`;
    const cached = this.data.heads.get(key);
    if (cached) {
      this.setHead(cached);
      return;
    }
    this.pendingHeadRequest = this.channel.requestId();
    this.channel.post({ type: 'head/request', requestId: this.pendingHeadRequest, runId: run.runId, layer: this.ui.layer, head: this.ui.head, precision: 'u8' });
    this.title.textContent = `Layer ${this.ui.layer} head ${this.ui.head}: loading…`;
  }

  receiveHead(head: HeadWeights): void {
    this.data.heads.set(`${head.layer}/${head.head}/${head.precision}`, head);
    if (head.layer === this.ui.layer && head.head === this.ui.head) this.setHead(head);
  }

  receiveRow(attention: TokenAttention): boolean {
    const row = this.pendingRows.get(attention.requestId);
    if (row === undefined) return false;
    this.pendingRows.delete(attention.requestId);
    this.exactRows.set(row, attention.values);
    this.updateReadout();
    return true;
  }

  private setHead(head: HeadWeights): void {
    this.head = head;
    this.exactRows.clear();
    this.pendingRows.clear();
    const pattern = this.data.patternsOf(head.layer, head.head);
    this.title.textContent = `Layer ${head.layer} head ${head.head}${pattern ? ` — ${pattern.label} (${(pattern.confidence * 100).toFixed(0)}%)` : ''} · ${head.queryLength}×${head.keyLength}`;
    this.canvas.setAttribute('aria-label', `Heatmap of layer ${head.layer} head ${head.head}, ${head.queryLength} queries by ${head.keyLength} keys. Use arrow keys to move, plus and minus to zoom.`);
    this.buildImage(head);
    this.draw();
  }

  private buildImage(head: HeadWeights): void {
    const q = head.queryLength;
    const k = head.keyLength;
    const h = Math.min(q, MAX_IMAGE);
    const w = Math.min(k, MAX_IMAGE);
    this.imageScaleQ = q / h;
    this.imageScaleK = k / w;
    const bytes = new Uint8Array(w * h);
    const src = head.data as Uint8Array;
    if (h === q && w === k) bytes.set(src.subarray(0, q * k));
    else {
      for (let r = 0; r < h; r++) {
        const r0 = Math.floor(r * this.imageScaleQ);
        const r1 = Math.max(r0 + 1, Math.floor((r + 1) * this.imageScaleQ));
        for (let c = 0; c < w; c++) {
          const c0 = Math.floor(c * this.imageScaleK);
          const c1 = Math.max(c0 + 1, Math.floor((c + 1) * this.imageScaleK));
          let m = 0;
          for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) if (src[i * k + j] > m) m = src[i * k + j];
          bytes[r * w + c] = m;
        }
      }
    }
    const image = document.createElement('canvas');
    image.width = w;
    image.height = h;
    const ctx = image.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    paintBytes(bytes, 255, img.data);
    ctx.putImageData(img, 0, 0);
    this.image = image;
  }

  /** Size of one cell in CSS pixels at the current zoom. */
  private cellSize(): { cw: number; ch: number } {
    const head = this.head;
    if (!head) return { cw: 1, ch: 1 };
    const width = Math.max(50, this.wrap.clientWidth - LEFT - 8);
    const height = Math.max(50, Math.min(this.wrap.clientWidth, 900) - TOP);
    const base = Math.min(width / head.keyLength, height / head.queryLength);
    const c = base * this.ui.zoom;
    return { cw: c, ch: c };
  }

  private draw(): void {
    const head = this.head;
    const width = this.wrap.clientWidth;
    if (!head || !this.image || width === 0) return;
    const { cw, ch } = this.cellSize();
    const height = Math.min(TOP + head.queryLength * ch + 8, Math.max(300, window.innerHeight - 180));
    const dpr = window.devicePixelRatio || 1;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    this.clampPan(width, height);
    // Geometry for tools and tests that point at a cell (CSS pixels).
    Object.assign(this.canvas.dataset, { cell: String(cw), left: String(LEFT - this.ui.panX), top: String(TOP - this.ui.panY) });
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(document.body);
    ctx.fillStyle = style.getPropertyValue('--vscode-editor-background') || '#1e1e1e';
    ctx.fillRect(0, 0, width, height);
    ctx.save();
    ctx.beginPath();
    ctx.rect(LEFT, TOP, width - LEFT, height - TOP);
    ctx.clip();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, LEFT - this.ui.panX, TOP - this.ui.panY, head.keyLength * cw, head.queryLength * ch);
    const run = this.data.run;
    if (run?.causal && !run.keyTokens) {
      // The causal boundary: cells right of this line must be zero in a causal model.
      ctx.strokeStyle = style.getPropertyValue('--vscode-editorWarning-foreground') || '#cca700';
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(LEFT - this.ui.panX + cw, TOP - this.ui.panY);
      const n = Math.min(head.queryLength, head.keyLength);
      ctx.lineTo(LEFT - this.ui.panX + (n + 1) * cw, TOP - this.ui.panY + n * ch);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
    this.drawLabels(ctx, width, height, cw, ch, style);
    this.drawOverlay();
  }

  private drawLabels(ctx: CanvasRenderingContext2D, width: number, height: number, cw: number, ch: number, style: CSSStyleDeclaration): void {
    const run = this.data.run;
    if (!run || !this.head) return;
    ctx.fillStyle = style.getPropertyValue('--vscode-foreground') || '#ccc';
    ctx.font = `${Math.min(12, Math.max(8, ch * 0.8))}px ${style.getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
    ctx.textBaseline = 'middle';
    const queries = run.tokens;
    const keys = this.data.keyTokens;
    if (ch >= 8) {
      const first = Math.max(0, Math.floor(this.ui.panY / ch));
      const last = Math.min(this.head.queryLength - 1, Math.ceil((this.ui.panY + height - TOP) / ch));
      for (let i = first; i <= last; i++) {
        const y = TOP - this.ui.panY + (i + 0.5) * ch;
        if (y < TOP) continue;
        ctx.fillText(truncate(visibleTokenText(queries[i]?.text ?? ''), 14), 4, y, LEFT - 8);
      }
    } else {
      ctx.fillText('queries ↓', 4, TOP + 10);
    }
    if (cw >= 8) {
      const first = Math.max(0, Math.floor(this.ui.panX / cw));
      const last = Math.min(this.head.keyLength - 1, Math.ceil((this.ui.panX + width - LEFT) / cw));
      for (let j = first; j <= last; j++) {
        const x = LEFT - this.ui.panX + (j + 0.5) * cw;
        if (x < LEFT) continue;
        ctx.save();
        ctx.translate(x, TOP - 4);
        ctx.rotate(-Math.PI / 3);
        ctx.fillText(truncate(visibleTokenText(keys[j]?.text ?? ''), 12), 0, 0, TOP);
        ctx.restore();
      }
    } else {
      ctx.fillText('keys →', LEFT + 4, TOP - 10);
    }
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext('2d')!;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.hover || !this.head) return;
    const { cw, ch } = this.cellSize();
    const x = LEFT - this.ui.panX + this.hover.j * cw;
    const y = TOP - this.ui.panY + this.hover.i * ch;
    const style = getComputedStyle(document.body);
    ctx.fillStyle = 'rgba(128, 128, 128, 0.18)';
    ctx.fillRect(LEFT, Math.max(TOP, y), this.overlay.width, ch); // row highlight
    ctx.fillRect(Math.max(LEFT, x), TOP, cw, this.overlay.height); // column highlight
    ctx.strokeStyle = style.getPropertyValue('--vscode-focusBorder') || '#007fd4';
    ctx.lineWidth = 2;
    ctx.strokeRect(x, y, Math.max(cw, 3), Math.max(ch, 3));
  }

  private cellAt(e: MouseEvent): { i: number; j: number } | null {
    if (!this.head) return null;
    const rect = this.canvas.getBoundingClientRect();
    const px = e.clientX - rect.left - LEFT + this.ui.panX;
    const py = e.clientY - rect.top - TOP + this.ui.panY;
    const { cw, ch } = this.cellSize();
    const i = Math.floor(py / ch);
    const j = Math.floor(px / cw);
    if (e.clientX - rect.left < LEFT || e.clientY - rect.top < TOP) return null;
    if (i < 0 || j < 0 || i >= this.head.queryLength || j >= this.head.keyLength) return null;
    return { i, j };
  }

  private onMove(e: MouseEvent): void {
    if (this.drag) {
      this.ui.panX = this.drag.panX - (e.clientX - this.drag.x);
      this.ui.panY = this.drag.panY - (e.clientY - this.drag.y);
      this.scheduleDraw();
      return;
    }
    this.setHover(this.cellAt(e));
  }

  setHover(cell: { i: number; j: number } | null): void {
    this.hover = cell;
    if (cell && this.head && !this.exactRows.has(cell.i) && ![...this.pendingRows.values()].includes(cell.i)) {
      const run = this.data.run;
      if (run) {
        const requestId = this.channel.requestId();
        this.pendingRows.set(requestId, cell.i);
        this.channel.post({ type: 'token/request', requestId, runId: run.runId, token: cell.i, direction: 'pays', selection: { kind: 'head', layer: this.head.layer, head: this.head.head } });
      }
    }
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.drawOverlay();
      this.updateReadout();
    });
  }

  private updateReadout(): void {
    const head = this.head;
    const run = this.data.run;
    if (!head || !run || !this.hover) {
      this.readout.textContent = head ? 'Hover a cell (or focus the heatmap and use the arrow keys) to read its weight.' : '';
      return;
    }
    const { i, j } = this.hover;
    const exact = this.exactRows.get(i);
    const value = exact ? exact[j] : dequantize((head.data as Uint8Array)[i * head.keyLength + j], head.precision, head.scale);
    const q = run.tokens[i];
    const k = this.data.keyTokens[j];
    this.readout.textContent = `query ${i} ${JSON.stringify(q?.text ?? '')} → key ${j} ${JSON.stringify(k?.text ?? '')}: ${exact ? '' : '≈'}${formatWeight(value)}`;
    this.readout.dataset.query = String(i);
    this.readout.dataset.key = String(j);
    this.readout.dataset.weight = exact ? String(value) : '';
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - rect.left - LEFT, e.clientY - rect.top - TOP);
  }

  private zoomBy(factor: number, anchorX?: number, anchorY?: number): void {
    const old = this.ui.zoom;
    const zoom = Math.min(64, Math.max(1, old * factor));
    const ax = anchorX ?? (this.wrap.clientWidth - LEFT) / 2;
    const ay = anchorY ?? 150;
    // Keep the point under the cursor fixed while zooming.
    this.ui.panX = (this.ui.panX + ax) * (zoom / old) - ax;
    this.ui.panY = (this.ui.panY + ay) * (zoom / old) - ay;
    this.ui.zoom = zoom;
    this.onUiChange();
    this.scheduleDraw();
  }

  private resetZoom(): void {
    this.ui.zoom = 1;
    this.ui.panX = 0;
    this.ui.panY = 0;
    this.onUiChange();
    this.scheduleDraw();
  }

  private clampPan(width: number, height: number): void {
    if (!this.head) return;
    const { cw, ch } = this.cellSize();
    this.ui.panX = Math.max(0, Math.min(this.ui.panX, this.head.keyLength * cw - (width - LEFT)));
    this.ui.panY = Math.max(0, Math.min(this.ui.panY, this.head.queryLength * ch - (height - TOP)));
  }

  private scheduleDraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.head) return;
    const cur = this.hover ?? { i: 0, j: 0 };
    const move: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (move[e.key]) {
      const [di, dj] = move[e.key];
      this.setHover({
        i: Math.min(this.head.queryLength - 1, Math.max(0, cur.i + di)),
        j: Math.min(this.head.keyLength - 1, Math.max(0, cur.j + dj)),
      });
    } else if (e.key === '+' || e.key === '=') this.zoomBy(1.5);
    else if (e.key === '-') this.zoomBy(1 / 1.5);
    else if (e.key === '0') this.resetZoom();
    else return;
    e.preventDefault();
  }

  /** The heatmap canvas, for PNG export. */
  exportCanvas(): HTMLCanvasElement | undefined {
    return this.head ? this.canvas : undefined;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
