// Lesson 10 view: Bahdanau (previous state) vs Luong dot / general / concat (current state) over the source.
import { barChart } from '../charts';
import { callout, el, figureRow, heading, para, table, tokenChips } from '../lesson-dom';
import { formatCount, formatNumber } from '../format';
import type { LessonView } from '../lesson-view';
import { range } from './view-helpers';

export const beforeTransformersView: LessonView<'before-transformers'> = {
  id: 'before-transformers',
  intro: 'In an RNN encoder–decoder, the decoder attends over the encoder states h_j once per output step t. The two classic papers differ in WHICH decoder state asks, and how the score is computed.',
  controls: () => [
    { kind: 'text', key: 'source', label: 'Source sentence (encoder states)', rows: 1 },
    range('before-transformers', 'step', 'Decoder step t'),
    range('before-transformers', 'hidden', 'Hidden size'),
    { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 1_000_000 },
  ],
  render(root, d) {
    const bars = (values: Float32Array, caption: string) => barChart({ caption, labels: d.sourceTokens, values, max: 1 });
    root.append(
      tokenChips(d.sourceTokens),
      d.truncated ? callout(`Only the first ${d.sourceTokens.length} words are used.`) : '',
      heading('Bahdanau (2015): additive, with the PREVIOUS state'),
      para(`e_tj = vᵀ tanh(W_s s_${d.bahdanauState} + W_h h_j). The decoder has not produced s_${d.step} yet: it will be computed FROM this context.`),
      bars(d.bahdanau, `α_${d.step} from s_${d.bahdanauState}`),
      heading('Luong (2015): multiplicative, with the CURRENT state'),
      para(`The decoder first updates to s_${d.luongState}, then scores: dot s_tᵀh_j, general s_tᵀW_a h_j, concat v_aᵀ tanh(W_a[s_t; h_j]).`),
      figureRow([bars(d.luongDot, 'dot'), bars(d.luongGeneral, 'general'), bars(d.luongConcat, 'concat')]),
      callout(`Luong’s dot score is SDPA with one query and scale 1: the engine’s SDPA kernel gives the same weights and context (max difference ${formatNumber(d.dotVsSdpaMaxDiff)}). Transformers added the 1/√d_k scale and many queries at once.`, 'info'),
      table(
        ['scoring function', 'learned parameters', 'raw scores'],
        d.parameterCounts.map((p, i) => [
          p.name,
          formatCount(p.parameters),
          Array.from([d.bahdanauScores, d.luongDotScores, d.luongGeneralScores, d.luongConcatScores][i], (x) => formatNumber(x, 3)).join(' '),
        ]),
      ),
      el('p', { className: 'prose', text: 'Bahdanau’s decoder also feeds the context into the next state; Luong combines it after: h̃_t = tanh(W_c[c_t; s_t]).' }),
    );
  },
};
