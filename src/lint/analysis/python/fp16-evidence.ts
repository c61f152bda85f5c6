// Float16 evidence for the -1e9 fill rule. Large negative constants are fine in float32 and
// bfloat16, so the rule needs a sign that float16 is in play: torch.float16 / .half() /
// np.float16 / jnp.float16 / "float16" dtype strings / CUDA autocast (float16 by default) /
// "fp16" in a comment or docstring. Candidates are found by text search and confirmed with
// the syntax tree (the hit must be inside code, a comment or a string — not, say, part of
// "bfloat16").
import type { LintDocument } from '../../document';

const CANDIDATE = /(?<![A-Za-z0-9_])(float16|half\(\)|torch\.half\b|fp16|autocast\s*\()/g;

export function findFp16Evidence(doc: LintDocument): string | undefined {
  const text = doc.text;
  if (!/float16|half\(|fp16|autocast/.test(text)) return undefined;
  const root = doc.tree.rootNode;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const hit = m[1];
    const node = root.descendantForIndex(m.index, m.index + 1);
    if (!node) continue;
    const type = node.type;
    if (hit.startsWith('autocast')) {
      // autocast(...) is float16 unless told otherwise, on CUDA (the CPU default is bfloat16).
      const call = text.slice(m.index, text.indexOf(')', m.index) + 1);
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      if (/bfloat16|"cpu"|'cpu'/.test(call)) continue;
      if (/cuda/.test(call) || /cuda\.amp\.$/.test(before) || /device_type\s*=\s*['"]cuda/.test(call)) return `${before.split(/\s/).pop() ?? ''}${call}`.trim();
      continue;
    }
    if (hit === 'fp16') {
      if (type === 'comment' || type === 'string_content' || type === 'string' || type === 'identifier') return 'fp16';
      continue;
    }
    if (type === 'identifier' || type === 'string_content' || type === 'string' || type === 'attribute' || type === 'comment' || type === '(' || type === ')') {
      return hit === 'half()' ? '.half()' : hit;
    }
  }
  return undefined;
}
