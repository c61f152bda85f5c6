// Tiny DOM helpers. Text from tokens, models and files is ALWAYS inserted with
// textContent / attributes, never as HTML: a selection containing `<img onerror=…>`
// must show up as those characters.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
  children: (Node | null | undefined | false)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) node.setAttribute(k, v);
  for (const c of children) if (c) node.appendChild(c);
  return node;
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Shows whitespace inside a token so chips stay readable: space ·, tab →, newline ↵. */
export function visibleTokenText(text: string): string {
  if (text.length === 0) return '∅';
  return text.replace(/\r\n|\n|\r/g, '↵').replace(/\t/g, '→').replace(/^ /, '·').replace(/ $/, '·');
}

export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) return String(w);
  if (w === 0) return '0';
  if (w < 1e-4) return w.toExponential(3);
  return w.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
