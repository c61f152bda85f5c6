// Lesson 2 view: measured variance, entropy and gradient curves with and without 1/√d_k.
import { barChart, linePlot } from '../charts';
import { el, fact, figureRow, heading, para } from '../lesson-dom';
import { formatNumber } from '../format';
import type { LessonView } from '../lesson-view';
import { range } from './view-helpers';

export const whySqrtDkView: LessonView<'why-sqrt-dk'> = {
  id: 'why-sqrt-dk',
  intro: 'Draw q and k with independent unit-variance entries and measure: everything below is sampled by the engine, nothing is a formula.',
  controls: () => [
    range('why-sqrt-dk', 'dk', 'd_k (head size)'),
    range('why-sqrt-dk', 'keys', 'Keys per query'),
    { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 1_000_000 },
  ],
  render(root, d) {
    const marker = [{ x: d.dk, label: `d_k = ${d.dk}` }];
    const keys = Array.from({ length: d.keys }, (_, i) => `k${i}`);
    root.append(
      heading('Variance of q·k grows like d_k'),
      para(`q·k is a sum of d_k products of unit variance, so its variance is d_k. Measured over ${d.samples} sampled pairs at d_k = ${d.dk}:`),
      el('div', { className: 'facts' }, [
        fact('Var(q·k)', `${formatNumber(d.varianceUnscaled)} (d_k = ${d.dk})`),
        fact('Var(q·k / √d_k)', formatNumber(d.varianceScaled)),
      ]),
      figureRow([
        linePlot({
          caption: 'Sampled variance of the scores',
          xLabel: 'd_k',
          yLabel: 'variance',
          logX: true,
          logY: true,
          markers: marker,
          series: [
            { name: 'unscaled q·k', x: d.sweepDk, y: d.sweepVarianceUnscaled },
            { name: 'scaled q·k/√d_k', x: d.sweepDk, y: d.sweepVarianceScaled },
          ],
        }),
        barChart({
          caption: `Histogram of q·k at d_k = ${d.dk}: unscaled`,
          labels: Array.from(d.histogramEdges.slice(0, -1), (e) => formatNumber(e, 2)),
          values: d.histogramUnscaled,
          width: 420,
          labelEvery: 5,
          format: (v) => String(v),
        }),
        barChart({
          caption: 'the same pairs, scaled (same bins)',
          labels: Array.from(d.histogramEdges.slice(0, -1), (e) => formatNumber(e, 2)),
          values: d.histogramScaled,
          width: 420,
          labelEvery: 5,
          format: (v) => String(v),
        }),
      ]),
      heading('Big scores make the softmax one-hot'),
      para(`Mean entropy of a softmax row over ${d.keys} keys (uniform = ln ${d.keys} = ${formatNumber(d.maxEntropy)} nats). Unscaled, the rows collapse onto one key as d_k grows.`),
      el('div', { className: 'facts' }, [fact('entropy unscaled', formatNumber(d.entropyUnscaled)), fact('entropy scaled', formatNumber(d.entropyScaled))]),
      figureRow([
        linePlot({
          caption: 'Softmax entropy',
          xLabel: 'd_k',
          yLabel: 'entropy (nats)',
          logX: true,
          markers: marker,
          reference: { y: d.maxEntropy, label: 'uniform' },
          series: [
            { name: 'unscaled', x: d.sweepDk, y: d.sweepEntropyUnscaled },
            { name: 'scaled', x: d.sweepDk, y: d.sweepEntropyScaled },
          ],
        }),
        barChart({ caption: `One row of weights at d_k = ${d.dk}, unscaled`, labels: keys, values: d.exampleUnscaled, max: 1 }),
        barChart({ caption: 'the same row, scaled', labels: keys, values: d.exampleScaled, max: 1 }),
      ]),
      heading('…and a one-hot softmax passes no gradient'),
      para('The gradient reaching the scores goes through the softmax Jacobian diag(p) − p·pᵀ. Its size (Frobenius norm) shrinks toward 0 when p is nearly one-hot: those scores stop learning.'),
      el('div', { className: 'facts' }, [fact('‖J‖ unscaled', formatNumber(d.gradientUnscaled)), fact('‖J‖ scaled', formatNumber(d.gradientScaled))]),
      linePlot({
        caption: 'Size of the softmax Jacobian',
        xLabel: 'd_k',
        yLabel: '‖diag(p) − ppᵀ‖',
        logX: true,
        logY: true,
        markers: marker,
        series: [
          { name: 'unscaled', x: d.sweepDk, y: d.sweepGradientUnscaled },
          { name: 'scaled', x: d.sweepDk, y: d.sweepGradientScaled },
        ],
      }),
    );
  },
};
