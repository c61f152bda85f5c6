// Lesson 4 view: self, cross and swapped attention with their shapes and weights.
import type { AttentionCase } from '../../../src/protocol/lesson-messages';
import { el, figureRow, heading, para, table } from '../lesson-dom';
import { formatShape } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';

function casePanel(c: AttentionCase, head: number, title: string, explain: string): HTMLElement {
  const lq = c.queryTokens.length;
  const lk = c.keyTokens.length;
  const block = lq * lk;
  return el('section', { className: 'case' }, [
    heading(title),
    para(explain),
    table(['tensor', 'shape'], c.shapes.map((s) => [s.name, formatShape(s.shape)])),
    heatmap({
      rows: lq,
      cols: lk,
      values: c.weights.subarray(head * block, (head + 1) * block),
      mode: 'weights',
      caption: `head ${head}: rows = ${c.queriesFrom} tokens (queries), columns = ${c.keysFrom} tokens (keys)`,
      rowLabels: c.queryTokens,
      colLabels: c.keyTokens,
      rowName: `query (${c.queriesFrom})`,
      colName: `key (${c.keysFrom})`,
      maxWidth: 300,
      maxCell: 24,
    }),
  ]);
}

export const selfVsCrossView: LessonView<'self-vs-cross'> = {
  id: 'self-vs-cross',
  intro: 'In an encoder–decoder, the decoder (target) asks and the encoder output (source) answers. Type two sentences of different lengths.',
  controls: () => [
    { kind: 'text', key: 'source', label: 'Source (encoder: keys and values)', rows: 1 },
    { kind: 'text', key: 'target', label: 'Target (decoder: queries)', rows: 1 },
    { kind: 'select', key: 'head', label: 'Head', options: [0, 1].map((h) => ({ value: h, label: `head ${h}` })) },
  ],
  render(root, d) {
    const lt = d.cross.queryTokens.length;
    const ls = d.cross.keyTokens.length;
    root.append(
      para(`L_target = ${lt}, L_source = ${ls}, d_model = ${d.dModel}, ${d.heads} heads. Same weights in all three; only the sources of Q and K/V change.`),
      figureRow([
        casePanel(d.self, d.head, 'Self-attention (target ↔ target)', `Q, K and V from the same sequence: weights ${lt} × ${lt}.`),
        casePanel(d.cross, d.head, 'Cross-attention (target → source)', `Q from the target, K and V from the source: weights ${lt} × ${ls}, and ${lt} output rows — one per target token, each a mix of source values.`),
        casePanel(
          d.swapped,
          d.head,
          'Swapped sources (a bug)',
          `Q from the source, K and V from the target: weights ${ls} × ${lt} and ${ls} output rows. The output now follows the SOURCE positions and mixes target values; the next decoder layer expects ${lt} rows. With equal lengths the shapes would still fit, which is why this survives.`,
        ),
      ]),
    );
  },
};
