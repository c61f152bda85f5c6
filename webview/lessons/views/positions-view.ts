// Lesson 9 view: sinusoidal tables, learned positions of the model, RoPE's relative-only scores, ALiBi biases.
import { barChart } from '../charts';
import { callout, el, fact, figureRow, heading, para } from '../lesson-dom';
import { formatNumber } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';
import { indexLabels, range } from './view-helpers';

export const positionsView: LessonView<'positions'> = {
  id: 'positions',
  intro: 'Attention itself ignores order: permute the tokens and the weights permute with them. Four ways to give it positions.',
  controls: () => [
    { kind: 'range', key: 'dim', label: 'Dimension (even)', min: 2, max: 128, step: 2 },
    range('positions', 'length', 'Positions'),
    range('positions', 'offset', 'RoPE: key offset from the query'),
    range('positions', 'shift', 'RoPE: shift both by'),
    range('positions', 'alibiHeads', 'ALiBi heads'),
    { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 1_000_000 },
  ],
  render(root, d) {
    const L = d.length;
    const pos = indexLabels(L);
    const sq = (values: Float32Array, caption: string, mode: 'signed' | 'weights', highlight?: (r: number, c: number) => boolean) =>
      heatmap({ rows: L, cols: L, values, mode, caption, rowLabels: pos, colLabels: pos, rowName: 'position', colName: 'position', maxWidth: 320, maxCell: 12, highlight });
    const [a, b] = d.ropeScoreAt;
    root.append(
      heading('Sinusoidal (added to the input)'),
      para('PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d). Fast pairs on the left, slow on the right. Their dot products depend only on p − p′: constant along every diagonal.'),
      figureRow([
        heatmap({ rows: L, cols: d.dim, values: d.sinusoidal, mode: 'signed', caption: `PE [${L} × ${d.dim}]`, rowLabels: pos, rowName: 'position', colName: 'dim', maxWidth: 320, maxCell: 10 }),
        sq(d.sinusoidalSimilarity, 'PE[p] · PE[p′]', 'signed'),
      ]),
      heading('Learned (added to the input)'),
      d.learned.available
        ? el('div', {}, [
            para(`${d.learned.modelName} learned one vector per position. Cosine similarity of its first ${d.learned.positions} rows: neighbours end up similar, without anyone writing a formula.`),
            heatmap({ rows: d.learned.positions, cols: d.learned.positions, values: d.learned.similarity, mode: 'signed', caption: 'cosine similarity of learned position vectors', rowName: 'position', colName: 'position', maxWidth: 320, maxCell: 6 }),
          ])
        : callout(`A learned table is one trainable vector per position (GPT-2, BERT); it cannot go past the longest position trained. Not shown: ${d.learned.reason}`, 'info'),
      heading('RoPE (rotates q and k)'),
      para('The same query vector and the same key vector placed at every pair of positions, rotated by their positions, then scored. Every diagonal is constant: the score depends on the content and on p′ − p only.'),
      figureRow([sq(d.ropeScores, 'RoPE: score(q at p, k at p′)', 'signed', (r, c) => c - r === (b.keyPosition - b.queryPosition)), sq(d.plainScores, 'no positions: the same everywhere', 'signed')]),
      el('div', { className: 'facts' }, [
        fact('largest spread along a diagonal', formatNumber(d.ropeDiagonalSpread)),
        fact(`score(q at ${a.queryPosition}, k at ${a.keyPosition})`, formatNumber(a.score, 7)),
        fact(`score(q at ${b.queryPosition}, k at ${b.keyPosition})`, formatNumber(b.score, 7)),
      ]),
      heading('ALiBi (biases the scores)'),
      para('No position vectors: head h adds −m_h·(i − j), a penalty growing with distance. Steep heads look locally, shallow heads far.'),
      figureRow([
        barChart({ caption: 'slope m_h per head', labels: Array.from(d.alibiSlopes, (_, h) => `h${h}`), values: d.alibiSlopes }),
        sq(d.alibiBiasFirst, `bias of head 0 (m = ${formatNumber(d.alibiSlopes[0])})`, 'signed'),
        sq(d.alibiBiasLast, `bias of head ${d.alibiSlopes.length - 1} (m = ${formatNumber(d.alibiSlopes[d.alibiSlopes.length - 1])})`, 'signed'),
      ]),
    );
  },
};
