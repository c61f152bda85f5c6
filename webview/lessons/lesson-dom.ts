// DOM helpers for the lessons webview. Text (tokens from the learner's editor, model names,
// messages) is only ever inserted with textContent or attributes, never parsed as HTML.

import { el } from '../dom';

export { clear, el } from '../dom';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A paragraph of explanation. */
export function para(text: string, className = 'prose'): HTMLParagraphElement {
  return el('p', { className, text });
}

export function heading(text: string, level: 2 | 3 = 3): HTMLElement {
  return el(level === 2 ? 'h2' : 'h3', { text });
}

/** A "label: value" line, the value in a monospace span. */
export function fact(label: string, value: string, className = ''): HTMLElement {
  return el('div', { className: `fact ${className}`.trim() }, [el('span', { className: 'fact-label', text: `${label}: ` }), el('span', { className: 'fact-value', text: value })]);
}

/** A note box (info / warn / ok / bad). */
export function callout(text: string, kind: 'info' | 'warn' | 'ok' | 'bad' = 'info'): HTMLElement {
  return el('div', { className: `callout callout-${kind}`, text, attrs: { role: kind === 'bad' || kind === 'warn' ? 'alert' : 'note' } });
}

/** Shows whitespace inside a token: space ·, tab →, newline ↵. */
export function visibleToken(text: string): string {
  if (text.length === 0) return '∅';
  return text.replace(/\r\n|\n|\r/g, '↵').replace(/\t/g, '→').replace(/ /g, '·');
}

/** Token chips. */
export function tokenChips(tokens: readonly string[], marks: Record<number, string> = {}): HTMLElement {
  return el(
    'div',
    { className: 'tokens', attrs: { role: 'list', 'aria-label': 'tokens' } },
    tokens.map((t, i) => el('span', { className: `token ${marks[i] ?? ''}`.trim(), text: visibleToken(t), title: `token ${i}`, attrs: { role: 'listitem' } })),
  );
}

/** A small table from rows of cells (text only). */
export function table(headers: string[], rows: (string | number)[][], caption?: string): HTMLTableElement {
  return el('table', { className: 'data-table' }, [
    caption ? el('caption', { text: caption }) : null,
    el('thead', {}, [el('tr', {}, headers.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: String(c) }))))),
  ]);
}

/** A row of figures that wraps. */
export function figureRow(children: (Node | null | false)[]): HTMLElement {
  return el('div', { className: 'figure-row' }, children);
}
