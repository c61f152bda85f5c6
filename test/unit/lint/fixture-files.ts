// Reads lint fixtures and their inline expectations: a comment `# expect: ATTN003` (Python)
// or `// expect: ATTN003` (TS/JS) on the line that must be flagged; several codes may be
// listed with commas. Files without expectations must produce no finding at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

export const FIXTURE_ROOT = join(__dirname, '..', '..', 'fixtures', 'lint');

export interface Fixture {
  path: string;
  text: string;
  language: 'python' | 'typescript' | 'javascript';
  /** "line:code" with 0-based lines. */
  expected: string[];
}

const EXPECT = /(?:#|\/\/)\s*expect:\s*([A-Z0-9_,\s]+)$/;

export function languageOf(path: string): Fixture['language'] | undefined {
  const ext = extname(path);
  if (ext === '.py') return 'python';
  if (ext === '.ts') return 'typescript';
  if (ext === '.js') return 'javascript';
  return undefined;
}

export function readFixture(path: string): Fixture | undefined {
  const language = languageOf(path);
  if (!language) return undefined;
  const text = readFileSync(path, 'utf8');
  const expected: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = EXPECT.exec(line.trimEnd());
    if (!m) return;
    for (const code of m[1].split(',').map((c) => c.trim()).filter(Boolean)) expected.push(`${i}:${code}`);
  });
  return { path, text, language, expected: expected.sort() };
}

export function fixturesUnder(dir: string): Fixture[] {
  const out: Fixture[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const f = readFixture(p);
        if (f) out.push(f);
      }
    }
  };
  walk(dir);
  return out;
}
