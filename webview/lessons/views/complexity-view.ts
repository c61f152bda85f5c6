// Lesson 11 view: FLOPs and memory of five attention variants as n grows (log–log).
import { linePlot } from '../charts';
import { el, figureRow, heading, para, table } from '../lesson-dom';
import { formatBytes, formatCount, formatNumber } from '../format';
import type { LessonView } from '../lesson-view';
import { DTYPE_OPTIONS, number } from './view-helpers';

export const complexityView: LessonView<'complexity'> = {
  id: 'complexity',
  intro: 'Time and memory of one attention layer as the sequence grows. On log–log axes, the slope is the exponent: 2 for n², 1 for n, 0 for constant.',
  controls: () => [
    { kind: 'select', key: 'maxN', label: 'Longest n', options: [4096, 16384, 65536, 131072, 524288, 1048576, 4194304].map((v) => ({ value: v, label: v.toLocaleString('en-US') })) },
    number('complexity', 'heads', 'Heads'),
    number('complexity', 'headDim', 'Head size d'),
    number('complexity', 'window', 'Window w'),
    number('complexity', 'blockSize', 'BigBird block'),
    { kind: 'select', key: 'dtype', label: 'dtype', options: DTYPE_OPTIONS },
  ],
  render(root, d) {
    const last = d.lengths.length - 1;
    root.append(
      figureRow([
        linePlot({ caption: 'FLOPs per layer', xLabel: 'sequence length n', yLabel: 'FLOPs', logX: true, logY: true, series: d.series.map((s) => ({ name: s.name, x: d.lengths, y: s.flops, dashed: s.name === 'flash' })) }),
        linePlot({ caption: 'Extra memory per layer', xLabel: 'sequence length n', yLabel: 'bytes', logX: true, logY: true, format: (v) => formatBytes(v).split(' (')[0], xFormat: (v) => formatNumber(v, 3), series: d.series.map((s) => ({ name: s.name, x: d.lengths, y: s.bytes })) }),
      ]),
      table(
        ['variant', 'grows as', `pairs at n = ${formatCount(d.lengths[last])}`, 'FLOPs', 'memory'],
        d.series.map((s) => [s.name, s.growth, formatCount(s.pairs[last]), formatNumber(s.flops[last], 3), formatBytes(s.bytes[last])]),
      ),
      para('FlashAttention does the full O(n²) work (it is exact) but never stores the n × n matrix, so its memory is linear. Linear attention avoids scores altogether by reordering φ(Q)(φ(K)ᵀV): O(n·d²) time, a d × d state — a different model, not the same numbers.'),
      heading('The formulas against patterns the engine built'),
      el(
        'div',
        {},
        d.measured.map((m) =>
          table(
            ['n', 'pairs in the built pattern', 'formula'],
            Array.from(m.lengths, (n, i) => [formatCount(n), formatCount(m.pairs[i]), formatCount(m.formulaPairs[i])]),
            m.name === 'sparse' ? 'BigBird: the estimate counts overlapping window and global blocks twice — an upper bound' : 'sliding window: exact',
          ),
        ),
      ),
    );
  },
};
