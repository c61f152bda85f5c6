// Lesson 7 view: the pattern, the pairs it computes, its receptive field over layers and a dependency it cannot see.
import type { SparseKind } from '../../../src/protocol/lesson-messages';
import { linePlot } from '../charts';
import { callout, el, fact, figureRow, heading, para } from '../lesson-dom';
import { formatCount, formatNumber } from '../format';
import { heatmap } from '../heatmap';
import type { LessonView } from '../lesson-view';
import { indexLabels, range } from './view-helpers';

const KINDS: { value: SparseKind; label: string }[] = [
  { value: 'sliding-window', label: 'Sliding window (causal)' },
  { value: 'longformer', label: 'Longformer: window + global' },
  { value: 'bigbird', label: 'BigBird: window + global + random blocks' },
];

export const sparseAttentionView: LessonView<'sparse-attention'> = {
  id: 'sparse-attention',
  intro: 'Each pattern keeps a subset of the n × n pairs. Fewer pairs, less work — but a key outside the pattern can only reach a query through other tokens, over several layers.',
  controls: (p) => [
    { kind: 'select', key: 'kind', label: 'Pattern', options: KINDS },
    range('sparse-attention', 'n', 'Tokens n'),
    ...(p.kind === 'bigbird'
      ? [range('sparse-attention', 'blockSize', 'Block size'), range('sparse-attention', 'randomBlocks', 'Random blocks per row'), { kind: 'number' as const, key: 'seed', label: 'Seed', min: 0, max: 1_000_000 }]
      : [range('sparse-attention', 'window', p.kind === 'longformer' ? 'Window radius r' : 'Window w (keys, self included)')]),
    ...(p.kind === 'longformer' ? [range('sparse-attention', 'globalTokens', 'Global tokens (the first ones)')] : []),
    range('sparse-attention', 'layers', 'Stacked layers'),
    range('sparse-attention', 'query', 'Query followed', undefined, p.n - 1),
    range('sparse-attention', 'dependencyKey', 'Key it depends on', undefined, p.n - 1),
  ],
  render(root, d) {
    const p = d.params;
    const n = p.n;
    const labels = indexLabels(n);
    const dep = d.dependency;
    root.append(
      el('div', { className: 'facts' }, [
        fact('pairs computed', `${formatCount(d.pairs)} of ${formatCount(d.fullPairs)} (${formatNumber(d.fractionOfFull * 100, 3)} %)`),
        fact('causal attention would compute', formatCount(d.causalPairs)),
        fact('dot products the sparse kernel took', formatCount(d.pairsComputed)),
        fact('sparse kernel vs dense + mask, max difference', formatNumber(d.sparseVsDenseMaxDiff)),
      ]),
      figureRow([
        heatmap({
          rows: n,
          cols: n,
          values: d.keepMask,
          mode: 'binary',
          caption: 'pattern (1 = computed)',
          rowLabels: labels,
          colLabels: labels,
          rowName: 'query',
          colName: 'key',
          highlight: (r, c) => r === dep.query && c === dep.key,
          maxWidth: 360,
          maxCell: 12,
        }),
        heatmap({
          rows: p.layers,
          cols: n,
          values: d.reach,
          mode: 'binary',
          caption: `keys that reach query ${dep.query}, after 1 … ${p.layers} layers`,
          rowLabels: indexLabels(p.layers).map((s) => `${Number(s) + 1} layer${s === '0' ? '' : 's'}`),
          colLabels: labels,
          rowName: 'layers',
          colName: 'key',
          highlight: (_r, c) => c === dep.key,
          maxWidth: 360,
          maxCell: 12,
        }),
      ]),
      linePlot({
        caption: `Receptive field of query ${dep.query}`,
        xLabel: 'layers',
        yLabel: 'keys reached',
        series: [
          { name: 'mask composed layer by layer', x: Float64Array.from({ length: p.layers }, (_, i) => i + 1), y: d.reachCount },
          ...(d.formulaReach ? [{ name: 'min(i, L·(w − 1)) + 1', x: Float64Array.from({ length: p.layers }, (_, i) => i + 1), y: d.formulaReach, dashed: true }] : []),
        ],
      }),
      heading(`Does query ${dep.query} depend on key ${dep.key}?`),
      para(`Change the value of key ${dep.key} and run one layer: full attention's output for query ${dep.query} moves by ${formatNumber(dep.fullChange)}, the sparse kernel's by ${formatNumber(dep.sparseChange)}.`),
      dep.inPattern
        ? callout('The pair is in the pattern: one layer sees it directly.', 'ok')
        : dep.reachedAfterLayers > 0
          ? callout(`Outside the pattern: invisible to one layer, reached indirectly after ${dep.reachedAfterLayers} stacked layers (through intermediate tokens, diluted on the way).`, 'warn')
          : callout(`Outside the pattern and not reached within ${p.layers} layers: whatever key ${dep.key} says, query ${dep.query} cannot use it.`, 'bad'),
    );
  },
};
