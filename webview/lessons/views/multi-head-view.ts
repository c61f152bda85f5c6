// Lesson 5 view: every head of a layer of the model, labelled by the engine's pattern analysis,
// and the parameter count per head count.
import { callout, el, figureRow, heading, para, table } from '../lesson-dom';
import { formatCount, formatNumber } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';

export const multiHeadView: LessonView<'multi-head'> = {
  id: 'multi-head',
  intro: 'The model runs your text; each head of the chosen layer is drawn and labelled by the same pattern analysis as the Heads grid of the attention panel.',
  controls: () => [
    { kind: 'text', key: 'text', label: 'Text (repeat something to wake induction heads)', rows: 4 },
    { kind: 'number', key: 'layer', label: 'Layer', min: 0, max: 255 },
  ],
  render(root, d) {
    if (!d.available) {
      root.append(callout(`The model is not available: ${d.reason}`, 'warn'), para('The parameter count below does not need it.'));
    } else {
      const n = d.tokens.length;
      const block = n * n;
      const labels = new Map(d.patterns.filter((p) => p.layer === d.layer).map((p) => [p.head, p]));
      root.append(
        para(`${d.providerNote}. ${d.layers} layers × ${d.heads} heads, d_model = ${d.dModel}, head size ${d.headDim}. Showing layer ${d.layer}.`),
        d.truncated ? callout(`Only the first ${n} tokens were run.`) : '',
        figureRow(
          Array.from({ length: d.heads }, (_, h) => {
            const p = labels.get(h);
            return heatmap({
              rows: n,
              cols: n,
              values: d.weights.subarray(h * block, (h + 1) * block),
              mode: 'weights',
              caption: `L${d.layer} H${h}: ${p ? `${p.label} (${formatNumber(p.confidence, 2)})` : ''}`,
              rowLabels: n <= 40 ? d.tokens : undefined,
              colLabels: n <= 40 ? d.tokens : undefined,
              rowName: 'query',
              colName: 'key',
              maxWidth: 240,
              maxCell: 10,
            });
          }),
        ),
        heading('What every head does'),
        para('Labels from the engine’s pattern scores: previous-token heads look one token back, induction heads look at the token after an earlier copy of the current one, sink heads park attention on one token.'),
        table(
          ['layer', ...Array.from({ length: d.heads }, (_, h) => `H${h}`)],
          Array.from({ length: d.layers }, (_, l) => [
            `L${l}`,
            ...Array.from({ length: d.heads }, (_, h) => {
              const p = d.patterns.find((x) => x.layer === l && x.head === h);
              return p ? `${p.label}${p.score !== undefined ? ` ${formatNumber(p.score, 2)}` : ''}` : '';
            }),
          ]),
        ),
        para(`This model’s attention parameters per layer, counted from its weights: ${formatCount(d.modelAttentionParameters)}.`),
      );
    }
    root.append(
      heading('Parameters do not depend on the number of heads'),
      para(`Heads split d_model = h × d_head; W_q, W_k, W_v and W_o stay d_model × d_model. Built for every h dividing d_model = ${d.dModel}:`),
      table(
        ['heads h', 'head size', 'parameters (W_q, W_k, W_v, W_o + biases)', 'score multiply-adds h·n²·d_head'],
        d.parameterTable.map((r) => [r.heads, r.headDim, formatCount(r.parameters), formatCount(r.scoreMultiplyAdds)]),
      ),
    );
  },
};
