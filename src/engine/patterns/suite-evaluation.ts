// Runs the labeller over the synthetic suite and tabulates the result: accuracy, the
// confusion matrix (rows = truth, columns = predicted label) and the misses. Shared by the
// unit test and tools/patterns-confusion.ts, which writes the matrix into docs/patterns.md.
import { analyzeHead, patternContext } from './analyze-model';
import { PATTERN_LABELS, PatternLabel } from './pattern-types';
import type { SyntheticHead } from './synthetic-heads';

export interface SuiteResult {
  total: number;
  correct: number;
  accuracy: number;
  /** confusion[truth][predicted] = count. */
  confusion: Record<PatternLabel, Record<PatternLabel, number>>;
  misses: { name: string; truth: PatternLabel; predicted: PatternLabel; confidence: number }[];
  /** Largest block kappa seen per true label (how far other patterns sit from the block threshold). */
  maxBlock: Record<PatternLabel, number>;
}

export function evaluateSuite(heads: readonly SyntheticHead[]): SuiteResult {
  const confusion = {} as SuiteResult['confusion'];
  for (const t of PATTERN_LABELS) {
    confusion[t] = {} as Record<PatternLabel, number>;
    for (const p of PATTERN_LABELS) confusion[t][p] = 0;
  }
  const misses: SuiteResult['misses'] = [];
  const maxBlock = Object.fromEntries(PATTERN_LABELS.map((l) => [l, 0])) as Record<PatternLabel, number>;
  let correct = 0;
  for (const h of heads) {
    const ctx = patternContext(h.tokens, h.q, h.k);
    const r = analyzeHead(h.weights, { q: h.q, k: h.k, causal: h.causal }, ctx, { layer: 0, head: 0 });
    confusion[h.truth][r.label]++;
    maxBlock[h.truth] = Math.max(maxBlock[h.truth], r.scores.block ?? 0);
    if (r.label === h.truth) correct++;
    else misses.push({ name: h.name, truth: h.truth, predicted: r.label, confidence: r.confidence });
  }
  return { total: heads.length, correct, accuracy: heads.length ? correct / heads.length : 0, confusion, misses, maxBlock };
}

/** Short column headers so the matrix fits a terminal and a docs page. */
const SHORT: Record<PatternLabel, string> = {
  induction: 'ind',
  'duplicate-token': 'dup',
  sink: 'sink',
  'previous-token': 'prev',
  'next-token': 'next',
  diagonal: 'diag',
  block: 'block',
  'local-band': 'band',
  broad: 'broad',
  mixed: 'mixed',
};

/** The confusion matrix as a markdown table (rows = truth, columns = predicted). */
export function confusionMarkdown(r: SuiteResult): string {
  const used = PATTERN_LABELS.filter((l) => PATTERN_LABELS.some((t) => r.confusion[t][l] > 0 || r.confusion[l][t] > 0));
  const lines = [
    `| truth \\ predicted | ${used.map((l) => SHORT[l]).join(' | ')} | recall |`,
    `|---|${used.map(() => '---:').join('|')}|---:|`,
  ];
  for (const t of used) {
    const row = used.map((p) => r.confusion[t][p]);
    const total = row.reduce((x, y) => x + y, 0);
    const cells = row.map((c, idx) => (used[idx] === t ? `**${c}**` : c === 0 ? '·' : String(c)));
    lines.push(`| ${t} (${total}) | ${cells.join(' | ')} | ${total ? ((100 * r.confusion[t][t]) / total).toFixed(1) : '–'}% |`);
  }
  return lines.join('\n');
}

/** Plain-text version for test output. */
export function confusionText(r: SuiteResult): string {
  const used = PATTERN_LABELS.filter((l) => PATTERN_LABELS.some((t) => r.confusion[t][l] > 0 || r.confusion[l][t] > 0));
  const w = 7;
  const head = 'truth \\ pred'.padEnd(16) + used.map((l) => SHORT[l].padStart(w)).join('');
  const rows = used.map((t) => t.padEnd(16) + used.map((p) => String(r.confusion[t][p] || '.').padStart(w)).join(''));
  return [head, ...rows, `accuracy ${(100 * r.accuracy).toFixed(2)}% (${r.correct}/${r.total})`].join('\n');
}
