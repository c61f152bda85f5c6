// Lesson 1 view: the learner's text through every stage of SDPA, each stage a heatmap with its shape.
import { callout, el, fact, figureRow, heading, para, tokenChips } from '../lesson-dom';
import { formatNumber, formatShape } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';
import { indexLabels, range } from './view-helpers';

export const sdpaStepsView: LessonView<'sdpa-steps'> = {
  id: 'sdpa-steps',
  intro: 'Select text in an editor and run "Attention Inspector: Open Lesson" to start from it, or type here. Each panel below is one step of softmax(Q·Kᵀ/√d_k + M)·V.',
  controls: (p) => [
    { kind: 'text', key: 'text', label: 'Text', rows: 2 },
    { kind: 'select', key: 'source', label: 'Q, K, V from', options: [{ value: 'toy', label: 'a seeded toy projection' }, { value: 'model', label: 'the model (layer 0)' }] },
    { kind: 'checkbox', key: 'causal', label: 'Causal mask' },
    p.source === 'toy' ? range('sdpa-steps', 'headDim', 'Head size d_k') : range('sdpa-steps', 'head', 'Head', undefined, 31),
  ],
  render(root, d) {
    root.append(
      para(`Numbers from: ${d.sourceNote}.`, 'source-note'),
      d.fallbackReason ? callout(`The model could not be used, so this shows the toy projection. ${d.fallbackReason}`, 'warn') : '',
      tokenChips(d.tokens),
      d.truncated ? callout(`Only the first ${d.n} tokens are shown.`) : '',
      el('ol', { className: 'pipeline', attrs: { 'aria-label': 'stages and shapes' } }, d.shapes.map((s) => el('li', { text: `${s.name} ${formatShape(s.shape)}` }))),
    );
    const n = d.n;
    const dims = indexLabels(d.headDim, 'd');
    const vec = (values: Float32Array, caption: string) =>
      heatmap({ rows: n, cols: d.headDim, values, mode: 'signed', caption, rowLabels: d.tokens, colLabels: dims, rowName: 'token', colName: 'dim', maxWidth: 320 });
    const square = (values: Float32Array, caption: string, mode: 'signed' | 'weights') =>
      heatmap({ rows: n, cols: n, values, mode, caption, rowLabels: d.tokens, colLabels: d.tokens, rowName: 'query', colName: 'key', showValues: n <= 10, maxWidth: 380 });
    root.append(
      heading('1. Project the tokens: Q, K and V'),
      para(`Each token becomes a query (what it looks for), a key (what it offers) and a value (what it passes on): ${n} rows of d_k = ${d.headDim}.`),
      figureRow([vec(d.q, `Q ${formatShape([n, d.headDim])}`), vec(d.k, `K ${formatShape([n, d.headDim])}`), vec(d.v, `V ${formatShape([n, d.headDim])}`)]),
      heading('2. Scores Q·Kᵀ, then scale by 1/√d_k'),
      para(`Row i, column j is how well query i matches key j. Scaling by 1/√${d.headDim} = ${formatNumber(d.scale)} keeps the scores near unit variance (lesson 2).`),
      figureRow([square(d.rawScores, `Q·Kᵀ ${formatShape([n, n])}`, 'signed'), square(d.scaledScores, `Q·Kᵀ/√d_k ${formatShape([n, n])}`, 'signed')]),
      heading('3. Mask, then softmax each row'),
      para('The mask adds −∞ where a query may not look (crossed cells): above the diagonal when causal. Softmax turns each row into weights that sum to 1; −∞ becomes exactly 0.'),
      figureRow([square(d.maskedScores, 'scores + mask', 'signed'), square(d.weights, `weights = softmax(rows) ${formatShape([n, n])}`, 'weights')]),
      fact('Row sums', Array.from(d.rowSums, (s) => formatNumber(s, 6)).join(', ')),
      heading('4. Weighted sum of the values'),
      para('Each output row is the average of the value rows, weighted by that query’s row of weights.'),
      figureRow([vec(d.output, `output = weights · V ${formatShape([n, d.headDim])}`)]),
    );
  },
};
