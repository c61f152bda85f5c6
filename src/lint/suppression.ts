// Suppression comments, like other linters:
//   # attn-lint: disable=ATTN003            this line and the next one
//   # attn-lint: disable=ATTN003,ATTN005    several rules
//   # attn-lint: disable                    every rule on this line and the next
//   # attn-lint: disable-file=ATTN007       the whole file
// `//` comments work the same in TypeScript/JavaScript. Candidates are found by text
// search and confirmed to be comments with the syntax tree.
import type { LintDocument } from './document';

export interface Suppressions {
  file: Set<string> | 'all' | undefined;
  lines: Map<number, Set<string> | 'all'>;
}

const DIRECTIVE = /attn-lint:\s*(disable-file|disable-next-line|disable)\b\s*(?:=\s*([A-Za-z0-9_,\s-]+))?/g;

export function parseSuppressions(doc: LintDocument): Suppressions {
  const out: Suppressions = { file: undefined, lines: new Map() };
  const text = doc.text;
  if (!text.includes('attn-lint:')) return out;
  const root = doc.tree.rootNode;
  DIRECTIVE.lastIndex = 0;
  for (let m = DIRECTIVE.exec(text); m; m = DIRECTIVE.exec(text)) {
    const node = root.descendantForIndex(m.index, m.index + 1);
    if (!node || node.type !== 'comment') continue;
    const codes = m[2] ? new Set(m[2].split(/[\s,]+/).map((c) => c.trim().toUpperCase()).filter((c) => /^ATTN\d{3}$/.test(c))) : 'all';
    const line = doc.lineIndex.lineOf(m.index);
    if (m[1] === 'disable-file') {
      out.file = codes === 'all' || out.file === 'all' ? 'all' : new Set([...(out.file ?? []), ...codes]);
      continue;
    }
    const targets = m[1] === 'disable-next-line' ? [line + 1] : [line, line + 1];
    for (const l of targets) {
      const prev = out.lines.get(l);
      out.lines.set(l, codes === 'all' || prev === 'all' ? 'all' : new Set([...(prev ?? []), ...codes]));
    }
  }
  return out;
}

export function isSuppressed(s: Suppressions, code: string, line: number): boolean {
  if (s.file === 'all' || s.file?.has(code)) return true;
  const l = s.lines.get(line);
  return l === 'all' || !!l?.has(code);
}
