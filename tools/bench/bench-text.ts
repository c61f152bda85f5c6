// Benchmark inputs: deterministic code + prose cut to an exact number of tokens of a model's
// tokenizer, so runs of different suites (inspect, panel) measure the same kind of text.
import { loadTokenizer } from '../../src/engine/tokenizer';

const PARAGRAPH = [
  'def moving_average(values, window):',
  '    """Average each run of `window` values; shorter runs at the start are skipped."""',
  '    total = sum(values[:window])',
  '    out = [total / window]',
  '    for i in range(window, len(values)):',
  '        total += values[i] - values[i - window]',
  '        out.append(total / window)',
  '    return out',
  '',
  'The river ran fast after the storm, and the old bridge shook as the water rose.',
  'Attention lets every token look back at the tokens before it and weigh them.',
  '',
].join('\n');

/** Deterministic code + prose that the bundled tokenizer turns into exactly `n` tokens (special ones included). */
export async function textOfTokens(tokenizerFile: string, n: number): Promise<string> {
  const tok = await loadTokenizer(tokenizerFile);
  let text = PARAGRAPH;
  while ((await tok.encode(text)).length < n + 8) text += PARAGRAPH;
  let spans = await tok.encode(text);
  let cut = n;
  for (;;) {
    const ordinary = spans.filter((s) => !s.special);
    const candidate = text.slice(0, ordinary[Math.min(cut, ordinary.length) - 1].end);
    const count = (await tok.encode(candidate)).length;
    if (count === n) return candidate;
    if (count < n) throw new Error(`cannot cut the text to exactly ${n} tokens (got ${count})`);
    cut -= count - n;
    spans = await tok.encode(text);
  }
}
