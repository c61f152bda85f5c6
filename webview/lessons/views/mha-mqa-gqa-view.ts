// Lesson 6 view: the KV-cache calculator, the query → kv head mapping and the measured cost of sharing.
import { barChart, linePlot } from '../charts';
import { el, fact, figureRow, heading, para, svg, table } from '../lesson-dom';
import { formatBytes, formatNumber } from '../format';
import type { LessonView } from '../lesson-view';
import { DTYPE_OPTIONS, number } from './view-helpers';

/** Published configurations (layers, query heads, kv heads, head size). */
export const PRESETS = [
  { label: 'Llama 2 7B (MHA)', layers: 32, queryHeads: 32, kvHeads: 32, headDim: 128 },
  { label: 'Mistral 7B (GQA, 8 kv heads)', layers: 32, queryHeads: 32, kvHeads: 8, headDim: 128 },
  { label: 'Llama 2 70B (GQA, 8 kv heads)', layers: 80, queryHeads: 64, kvHeads: 8, headDim: 128 },
  { label: 'PaLM-style MQA (1 kv head)', layers: 32, queryHeads: 32, kvHeads: 1, headDim: 128 },
];

function mapping(queryHeads: number, kvHeadOf: Int32Array, kvHeads: number): HTMLElement {
  const shown = Math.min(queryHeads, 32);
  const W = Math.max(260, shown * 18 + 20);
  const H = 110;
  const qx = (h: number) => 10 + (h + 0.5) * ((W - 20) / shown);
  const kvShown = Math.min(kvHeads, 32);
  const kx = (k: number) => 10 + (k + 0.5) * ((W - 20) / kvShown);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'which kv head each query head reads', class: 'chart' });
  for (let h = 0; h < shown; h++) {
    const k = kvHeadOf[h];
    if (k < kvShown) root.appendChild(svg('line', { x1: qx(h), y1: 24, x2: kx(k), y2: 84, class: `map-line series-${k % 6}` }));
    root.appendChild(svg('circle', { cx: qx(h), cy: 20, r: 5, class: 'node-q' }));
  }
  for (let k = 0; k < kvShown; k++) root.appendChild(svg('rect', { x: kx(k) - 6, y: 84, width: 12, height: 12, class: `node-kv series-fill-${k % 6}` }));
  root.appendChild(svg('text', { x: 4, y: 10, class: 'tick' }, `query heads (${queryHeads}${queryHeads > shown ? ', first 32 shown' : ''})`));
  root.appendChild(svg('text', { x: 4, y: H - 2, class: 'tick' }, `key/value heads (${kvHeads})`));
  return el('figure', { className: 'plot' }, [el('figcaption', { text: 'query head h reads kv head ⌊h / (Hq / Hkv)⌋' }), root]);
}

export const mhaMqaGqaView: LessonView<'mha-mqa-gqa'> = {
  id: 'mha-mqa-gqa',
  intro: 'During generation every layer keeps the keys and values of all past tokens. Only the number of KEY/VALUE heads sets its size.',
  controls: () => [
    number('mha-mqa-gqa', 'layers', 'Layers'),
    number('mha-mqa-gqa', 'queryHeads', 'Query heads'),
    number('mha-mqa-gqa', 'kvHeads', 'KV heads', 'Must divide the query heads: equal = MHA, 1 = MQA, between = GQA.'),
    number('mha-mqa-gqa', 'headDim', 'Head size'),
    number('mha-mqa-gqa', 'length', 'Tokens in the cache'),
    number('mha-mqa-gqa', 'batch', 'Batch'),
    { kind: 'select', key: 'dtype', label: 'dtype', options: DTYPE_OPTIONS },
  ],
  render(root, d, ctx) {
    const p = d.params;
    const presets = el('div', { className: 'button-row', attrs: { role: 'group', 'aria-label': 'presets' } }, [
      el('span', { className: 'fact-label', text: 'Presets: ' }),
      ...PRESETS.map((x) => {
        const b = el('button', { className: 'text-button', text: x.label, attrs: { type: 'button' } });
        b.addEventListener('click', () => ctx.set({ layers: x.layers, queryHeads: x.queryHeads, kvHeads: x.kvHeads, headDim: x.headDim }));
        return b;
      }),
    ]);
    root.append(
      presets,
      heading(`${d.kind}: ${formatBytes(d.bytes)}`, 2),
      para(`KV cache = 2 (K and V) × batch ${p.batch} × ${p.layers} layers × ${p.kvHeads} kv heads × ${p.headDim} × ${p.length} tokens × ${p.dtype} bytes.`),
      fact('per token (one sequence)', formatBytes(d.bytesPerToken)),
      table(
        ['variant', 'kv heads', 'KV cache', 'of MHA'],
        d.comparison.map((r) => [r.kind, r.kvHeads, formatBytes(r.bytes), `${formatNumber(r.fractionOfMha * 100, 3)} %`]),
      ),
      figureRow([
        mapping(p.queryHeads, d.kvHeadOfQueryHead, p.kvHeads),
        linePlot({
          caption: 'Cache size as the sequence grows',
          xLabel: 'tokens',
          yLabel: 'bytes',
          format: (v) => formatBytes(v).split(' (')[0],
          xFormat: (v) => formatNumber(v, 3),
          series: d.comparison.map((r, i) => ({ name: `${r.kind} (${r.kvHeads} kv)`, x: d.growthLengths, y: d.growthBytes[i] })),
        }),
      ]),
      heading('What sharing costs'),
      para(`${d.poolingNote} Relative change of the attention output against MHA (0 = identical):`),
      barChart({
        caption: 'output change when kv heads are mean-pooled',
        labels: d.pooling.map((r) => `${r.kvHeads} kv`),
        values: Float64Array.from(d.pooling, (r) => r.relativeError),
      }),
      para('Fewer kv heads: a smaller cache and faster decoding (less memory traffic per token), at some loss of quality. GQA models recover most of it by training a little after pooling (Ainslie et al., 2023).'),
    );
  },
};
