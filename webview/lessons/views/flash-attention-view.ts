// Lesson 8 view: one query row walked tile by tile (running max, correction, running sum), the
// equality with standard attention, and the memory calculator.
import type { FlashAttentionData } from '../../../src/protocol/lesson-messages';
import { barChart } from '../charts';
import { callout, clear, el, fact, heading, para } from '../lesson-dom';
import { formatBytes, formatNumber } from '../format';
import type { LessonView } from '../lesson-view';
import { DTYPE_OPTIONS, number, range } from './view-helpers';

/** The step shown, kept across recomputes of the same lesson (clamped to the steps there are). */
let currentStep = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function stepPanel(d: FlashAttentionData, s: number): HTMLElement {
  const step = d.steps[s];
  const keys = Array.from({ length: step.keyEnd - step.keyStart }, (_, i) => `k${step.keyStart + i}`);
  const last = s === d.steps.length - 1;
  return el('div', { className: 'flash-step' }, [
    heading(`Tile ${s + 1} of ${d.steps.length}: keys ${step.keyStart} … ${step.keyEnd - 1}`),
    step.skipped
      ? callout('The whole tile lies after the diagonal: causal masking hides it, so it is skipped without computing anything.', 'info')
      : barChart({ caption: `scores of query ${d.params.row} in this tile (−∞ = masked)`, labels: keys, values: step.scores }),
    el('div', { className: 'facts' }, [
      fact('running max m', `${formatNumber(d.stepMaxBefore[s])} → ${formatNumber(d.stepMaxAfter[s])}`),
      fact('correction exp(m_old − m_new)', `${formatNumber(d.stepCorrection[s])}${d.stepCorrection[s] === 1 ? ' (max unchanged: nothing to rescale)' : d.stepCorrection[s] === 0 ? ' (first tile: nothing summed yet)' : ' (earlier sum and output shrink by this factor)'}`),
      fact('running sum l = correction · l + Σ exp(s − m)', formatNumber(d.stepSumAfter[s])),
    ]),
    last && para(`After the last tile: weight_j = exp(s_j − ${formatNumber(d.stepMaxAfter[s])}) / ${formatNumber(d.stepSumAfter[s])} — exactly softmax's max and denominator.`),
  ]);
}

export const flashAttentionView: LessonView<'flash-attention'> = {
  id: 'flash-attention',
  intro: 'FlashAttention never builds the n × n matrix: it walks blocks of keys and keeps, per query row, a running max m, a running sum l and an unnormalised output.',
  controls: (p) => [
    range('flash-attention', 'n', 'Tokens n', undefined, 64),
    range('flash-attention', 'blockK', 'Key block size', undefined, 32),
    range('flash-attention', 'blockQ', 'Query block size', undefined, 32),
    range('flash-attention', 'row', 'Query row followed', undefined, p.n - 1),
    { kind: 'checkbox', key: 'causal', label: 'Causal' },
    { kind: 'number', key: 'seed', label: 'Seed', min: 0, max: 1_000_000 },
    number('flash-attention', 'memoryTokens', 'Calculator: tokens'),
    number('flash-attention', 'memoryHeads', 'Calculator: heads'),
    { kind: 'select', key: 'memoryDtype', label: 'Calculator: dtype', options: DTYPE_OPTIONS },
  ],
  render(root, d, ctx) {
    if (timer) clearInterval(timer);
    timer = undefined;
    currentStep = Math.min(currentStep, d.steps.length - 1);
    const holder = el('div', { attrs: { 'aria-live': 'polite' } });
    const strip = el('div', { className: 'tile-strip', attrs: { role: 'group', 'aria-label': 'tiles of the followed row' } });
    const show = () => {
      clear(holder);
      holder.appendChild(stepPanel(d, currentStep));
      Array.from(strip.children).forEach((c, i) => c.classList.toggle('current', i === currentStep));
    };
    d.steps.forEach((s, i) => {
      const b = el('button', { className: `tile-button${s.skipped ? ' skipped' : ''}`, text: `${s.keyStart}–${s.keyEnd - 1}`, attrs: { type: 'button', 'aria-label': `tile ${i + 1}, keys ${s.keyStart} to ${s.keyEnd - 1}${s.skipped ? ', skipped' : ''}` } });
      b.addEventListener('click', () => {
        currentStep = i;
        show();
      });
      strip.appendChild(b);
    });
    const prev = el('button', { className: 'text-button', text: '◀ Previous tile', attrs: { type: 'button' } });
    const next = el('button', { className: 'text-button', text: 'Next tile ▶', attrs: { type: 'button' } });
    const play = el('button', { className: 'text-button', text: 'Play', attrs: { type: 'button' } });
    prev.addEventListener('click', () => {
      currentStep = Math.max(0, currentStep - 1);
      show();
    });
    next.addEventListener('click', () => {
      currentStep = Math.min(d.steps.length - 1, currentStep + 1);
      show();
    });
    play.disabled = ctx.reducedMotion;
    play.title = ctx.reducedMotion ? 'Animation is off (reduced motion); use Next tile.' : 'Step through the tiles';
    play.addEventListener('click', () => {
      if (timer) clearInterval(timer);
      currentStep = 0;
      show();
      timer = setInterval(() => {
        if (currentStep >= d.steps.length - 1 || !root.isConnected) {
          clearInterval(timer);
          timer = undefined;
          return;
        }
        currentStep++;
        show();
      }, 900);
    });
    const rel = d.maxAbsDiff / Math.max(d.maxAbsOutput, 1e-30);
    root.append(
      para(`Query row ${d.params.row}, key blocks of ${d.params.blockK}. ${d.tilesComputed} tiles computed, ${d.tilesSkipped} skipped by causal masking (all heads, all query blocks).`),
      strip,
      el('div', { className: 'button-row' }, [prev, next, play]),
      holder,
      heading('Same result as standard attention'),
      barChart({ caption: `standard softmax weights of query ${d.params.row}`, labels: Array.from(d.standardWeights, (_, j) => `k${j}`), values: d.standardWeights, max: 1 }),
      callout(`Max |tiled − standard| over the whole output: ${formatNumber(d.maxAbsDiff)} (${formatNumber(rel)} of the largest output value): equal up to float rounding.`, rel < 1e-5 ? 'ok' : 'bad'),
      heading('Memory'),
      el('div', { className: 'facts' }, [
        fact('this run, standard: the n × n weights', formatBytes(d.standardScoreBytes)),
        fact('this run, tiled: its working buffers', formatBytes(d.tiledWorkingBytes)),
        fact(`${d.params.memoryTokens.toLocaleString('en-US')} tokens × ${d.params.memoryHeads} heads, ${d.params.memoryDtype}: every attention matrix of one layer`, formatBytes(d.memoryBytes)),
        fact('FlashAttention instead keeps one log-sum-exp per row and head', formatBytes(d.memoryFlashBytes)),
      ]),
    );
    show();
  },
};
