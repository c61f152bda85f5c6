// Lesson 3 view: the keep-mask, the additive mask and the weights side by side, and the leak demo.
import type { CausalVariant } from '../../../src/protocol/lesson-messages';
import { barChart } from '../charts';
import { callout, el, figureRow, heading, para, tokenChips } from '../lesson-dom';
import { formatNumber } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';
import { range } from './view-helpers';

const VARIANTS: { value: CausalVariant; label: string; explain: string }[] = [
  { value: 'correct', label: 'correct: keep j ≤ i', explain: 'tril(ones) as the keep-mask (or triu(ones, diagonal=1) as the blocked set): each query sees itself and the past.' },
  { value: 'upper', label: 'wrong triangle: keep j ≥ i', explain: 'triu where tril was meant (or a "blocked" mask passed as a "keep" mask): each query sees itself and the FUTURE.' },
  { value: 'strict-lower', label: 'diagonal blocked: keep j < i', explain: 'triu(ones) without diagonal=1 used as the blocked set: every token is hidden from itself and row 0 sees nothing (NaN in PyTorch).' },
  { value: 'none', label: 'no mask', explain: 'Bidirectional attention: fine in an encoder, a leak in a decoder.' },
];

export const causalMaskingView: LessonView<'causal-masking'> = {
  id: 'causal-masking',
  intro: 'A decoder predicts token i + 1 from tokens 0 … i, so query i must not read keys j > i. Pick a mask, then change one token and see which outputs move.',
  controls: () => [
    { kind: 'text', key: 'text', label: 'Text', rows: 2 },
    { kind: 'select', key: 'variant', label: 'Mask', options: VARIANTS.map((v) => ({ value: v.value, label: v.label })) },
    range('causal-masking', 'changedPosition', 'Token to change', 'Its word is replaced; every output that changes read it.', 11),
  ],
  render(root, d) {
    const n = d.n;
    const v = VARIANTS.find((x) => x.value === d.variant);
    const lower = (r: number, c: number) => d.correctKeepMask[r * n + c] === 0 && d.keepMask[r * n + c] === 1;
    const opts = { rows: n, cols: n, rowLabels: d.tokens, colLabels: d.tokens, rowName: 'query', colName: 'key', maxWidth: 340, maxCell: 26 };
    root.append(
      tokenChips(d.tokens, { [d.changedPosition]: 'token-changed' }),
      para(v?.explain ?? ''),
      heading('The rule, the mask and the weights'),
      para('Keep-mask: 1 = may attend. The additive mask is its complement: 0 where kept, −∞ where blocked — so a correct causal MASK lives in the UPPER triangle while the WEIGHTS live in the LOWER one. Orange outlines: cells a correct causal mask would block.'),
      figureRow([
        heatmap({ ...opts, values: Uint8Array.from(d.keepMask), mode: 'binary', caption: 'keep-mask (1 = attend)', highlight: lower }),
        heatmap({ ...opts, values: d.additiveMask, mode: 'signed', caption: 'additive mask (−∞ = blocked)', highlight: lower }),
        heatmap({ ...opts, values: d.weights, mode: 'weights', caption: 'softmax weights', highlight: lower, showValues: n <= 8 }),
      ]),
      d.fullyMaskedRows.length > 0
        ? callout(`Row${d.fullyMaskedRows.length > 1 ? 's' : ''} ${d.fullyMaskedRows.join(', ')} can see no key at all: softmax of all −∞ is 0/0 — NaN in a plain implementation (this engine returns zeros).`, 'warn')
        : '',
      heading('Leak demo: change one token'),
      para(`Token ${d.changedPosition} (“${d.tokens[d.changedPosition]}”) is replaced by “${d.replacement}”. Bars: how much each position's output changed.`),
      barChart({
        caption: 'max |Δ output| per position',
        labels: d.tokens.map((t, i) => `${i} ${t}`),
        values: d.outputChange,
        highlight: (i) => d.leakedPositions.includes(i),
      }),
      d.leakedPositions.length > 0
        ? callout(
            `Leak: position${d.leakedPositions.length > 1 ? 's' : ''} ${d.leakedPositions.join(', ')} changed although only token ${d.changedPosition}, later in the text, changed. The model can read the answer it is asked to predict.`,
            'bad',
          )
        : callout(`No position before ${d.changedPosition} changed (max change ${formatNumber(Math.max(0, ...Array.from(d.outputChange.slice(0, d.changedPosition))))}): the future cannot leak.`, 'ok'),
      d.engineFindings.length > 0
        ? el('div', {}, [heading('What the inspector’s masking checks say'), el('ul', {}, d.engineFindings.map((f) => el('li', { text: `${f.severity}: ${f.message}` })))])
        : para('The inspector’s masking checks (the panel’s Findings view) find nothing wrong with these weights.'),
    );
  },
};
