// Tokens view: the inspected text as token chips. Picking a token colours every token by
// the attention the picked one pays (its row) or receives (its column), for one head, a
// layer's heads averaged, or all heads — bertviz's head view, on the real editor text.
import type { PanelToken, TokenAttention } from '../../src/protocol/panel-messages';
import type { Channel } from '../channel';
import { cssColor } from '../colormap';
import { clear, el, formatWeight, visibleTokenText } from '../dom';
import type { RunData, UiState } from '../panel-state';

export class TokensView {
  readonly element = el('section', { className: 'view tokens-view', attrs: { 'aria-label': 'Tokens' } });
  private readonly help = el('p', { className: 'hint' });
  private readonly queryBox = el('div', { className: 'token-flow', attrs: { role: 'listbox', 'aria-label': 'Query tokens' } });
  private readonly keyHeading = el('h3', { text: 'Key tokens (source)' });
  private readonly keyBox = el('div', { className: 'token-flow', attrs: { role: 'listbox', 'aria-label': 'Key tokens' } });
  private queryChips: HTMLElement[] = [];
  private keyChips: HTMLElement[] = [];
  private pendingRequest = 0;
  private lastValues?: TokenAttention;

  constructor(
    private readonly data: RunData,
    private readonly ui: UiState,
    private readonly channel: Channel,
    private readonly onUiChange: () => void,
  ) {
    this.element.append(this.help, this.queryBox, this.keyHeading, this.keyBox);
  }

  /** Rebuilds the chips for a new run. */
  renderTokens(): void {
    const run = this.data.run;
    clear(this.queryBox);
    clear(this.keyBox);
    this.lastValues = undefined;
    if (!run) return;
    const cross = !!run.keyTokens;
    this.queryChips = run.tokens.map((t, i) => this.chip(t, i, 'query'));
    this.queryBox.append(...this.chipsWithBreaks(run.tokens, this.queryChips));
    this.keyHeading.hidden = !cross;
    this.keyBox.hidden = !cross;
    this.keyChips = cross ? run.keyTokens!.map((t, i) => this.chip(t, i, 'key')) : this.queryChips;
    if (cross) this.keyBox.append(...this.chipsWithBreaks(run.keyTokens!, this.keyChips));
    if (this.ui.token >= run.tokens.length) this.ui.token = -1;
    this.updateHelp();
  }

  private chipsWithBreaks(tokens: PanelToken[], chips: HTMLElement[]): Node[] {
    const nodes: Node[] = [];
    tokens.forEach((t, i) => {
      nodes.push(chips[i]);
      if (/\n/.test(t.text)) nodes.push(el('span', { className: 'line-break' }));
    });
    return nodes;
  }

  private chip(token: PanelToken, index: number, side: 'query' | 'key'): HTMLElement {
    const chip = el('span', {
      className: `token${token.special ? ' special' : ''}`,
      text: visibleTokenText(token.text),
      attrs: {
        role: 'option',
        tabindex: index === 0 ? '0' : '-1',
        'data-index': String(index),
        'data-side': side,
        'aria-label': `token ${index}: ${JSON.stringify(token.text)}`,
      },
    });
    chip.addEventListener('click', () => this.pick(index, side));
    chip.addEventListener('mouseenter', () => this.hover(index, side));
    chip.addEventListener('mouseleave', () => this.hover(null, side));
    chip.addEventListener('keydown', (e) => this.onKey(e, index, side));
    return chip;
  }

  private onKey(e: KeyboardEvent, index: number, side: 'query' | 'key'): void {
    const chips = side === 'query' ? this.queryChips : this.keyChips;
    let next = index;
    if (e.key === 'ArrowRight') next = Math.min(chips.length - 1, index + 1);
    else if (e.key === 'ArrowLeft') next = Math.max(0, index - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = chips.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      this.pick(index, side);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    chips[index].setAttribute('tabindex', '-1');
    chips[next].setAttribute('tabindex', '0');
    chips[next].focus();
    this.hover(next, side);
  }

  private hover(index: number | null, side: 'query' | 'key'): void {
    const run = this.data.run;
    if (!run || (side === 'key' && run.keyTokens)) return; // key side of cross-attention is not in the editor
    this.channel.post({ type: 'token/hover', runId: run.runId, token: index });
  }

  private pick(index: number, side: 'query' | 'key'): void {
    const run = this.data.run;
    if (!run) return;
    if (side === 'key' && run.keyTokens) {
      // Picking a key of cross-attention means: who reads this source token?
      this.ui.direction = 'receives';
    }
    this.ui.token = index;
    this.onUiChange();
    if (!(side === 'key' && run.keyTokens)) this.channel.post({ type: 'token/reveal', runId: run.runId, token: index });
    this.requestValues();
  }

  /** Asks the host for the picked token's row or column over the selected heads. */
  requestValues(): void {
    const run = this.data.run;
    if (!run || this.ui.token < 0) {
      this.paint();
      return;
    }
    const selection =
      this.ui.aggregate === 'all'
        ? ({ kind: 'all' } as const)
        : this.ui.aggregate === 'layer'
          ? ({ kind: 'layer', layer: this.ui.layer } as const)
          : ({ kind: 'head', layer: this.ui.layer, head: this.ui.head } as const);
    const needed = selection.kind === 'all' ? this.data.layers.every(Boolean) : !!this.data.layers[this.ui.layer];
    if (!needed) return; // repainted when the layer arrives
    this.pendingRequest = this.channel.requestId();
    this.channel.post({
      type: 'token/request',
      requestId: this.pendingRequest,
      runId: run.runId,
      token: this.ui.token,
      direction: this.ui.direction,
      selection,
    });
  }

  receive(attention: TokenAttention): void {
    if (attention.requestId !== this.pendingRequest) return; // a newer pick superseded it
    this.lastValues = attention;
    this.paint();
  }

  /** Colours chips by the last values received. */
  paint(): void {
    const run = this.data.run;
    if (!run) return;
    const values = this.lastValues && this.lastValues.token === this.ui.token ? this.lastValues : undefined;
    // pays: colour the keys; receives: colour the queries.
    const colored = values?.direction === 'receives' ? this.queryChips : this.keyChips;
    const other = colored === this.queryChips ? this.keyChips : this.queryChips;
    for (const c of other) if (other !== colored) c.style.background = '';
    let max = 0;
    if (values) for (const v of values.values) if (v > max) max = v;
    colored.forEach((chip, i) => {
      const v = values ? values.values[i] : 0;
      chip.style.background = values && max > 0 ? cssColor(v / max, 0.85) : '';
      chip.classList.toggle('strong', !!values && max > 0 && v / max > 0.45);
      chip.title = values ? `weight ${formatWeight(v)}` : '';
    });
    const picked = this.ui.direction === 'receives' && run.keyTokens ? this.keyChips : this.queryChips;
    for (const c of [...this.queryChips, ...this.keyChips]) c.classList.remove('picked');
    if (this.ui.token >= 0 && picked[this.ui.token]) picked[this.ui.token].classList.add('picked');
    this.updateHelp();
  }

  /** Outlines the tokens overlapping the editor selection. */
  showEditorSelection(range: [number, number] | null): void {
    const run = this.data.run;
    if (!run) return;
    run.tokens.forEach((t, i) => {
      const on = !!range && t.end > range[0] && t.start < range[1] && !t.special;
      this.queryChips[i]?.classList.toggle('in-editor-selection', on);
    });
  }

  private updateHelp(): void {
    const run = this.data.run;
    if (!run) {
      this.help.textContent = '';
      return;
    }
    if (this.ui.token < 0) {
      this.help.textContent = `${run.tokens.length} tokens. Pick a token to colour the text by the attention it ${this.ui.direction === 'pays' ? 'pays' : 'receives'}.`;
      return;
    }
    const scope = this.ui.aggregate === 'all' ? 'all heads' : this.ui.aggregate === 'layer' ? `layer ${this.ui.layer}, mean of heads` : `layer ${this.ui.layer} head ${this.ui.head}`;
    const tok = (this.ui.direction === 'receives' && run.keyTokens ? run.keyTokens : run.tokens)[this.ui.token];
    this.help.textContent = `Attention ${this.ui.direction === 'pays' ? 'paid by' : 'received by'} token ${this.ui.token} ${JSON.stringify(tok?.text ?? '')} — ${scope}.`;
  }
}
