// Meta-test: every rule has a stable code in catalogue order, a doc page with the required
// sections, at least three failing and three passing fixtures, and appears in the index.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../../src/lint/index';
import { FIXTURE_ROOT, readFixture } from './fixture-files';

const ROOT = join(__dirname, '..', '..', '..');

describe('lint rules: metadata, docs, fixtures', () => {
  it('has 20 rules ATTN001…ATTN020 in order with unique kebab-case names', () => {
    assert.deepEqual(
      RULES.map((r) => r.meta.code),
      Array.from({ length: 20 }, (_, i) => `ATTN${String(i + 1).padStart(3, '0')}`),
    );
    const names = RULES.map((r) => r.meta.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  const index = existsSync(join(ROOT, 'docs', 'rules', 'README.md')) ? readFileSync(join(ROOT, 'docs', 'rules', 'README.md'), 'utf8') : '';

  for (const rule of RULES) {
    const { code, name } = rule.meta;
    describe(`${code} ${name}`, () => {
      it('has a doc page with what / why / bad / good / silence sections, listed in the index', () => {
        const page = join(ROOT, 'docs', 'rules', `${code}.md`);
        assert.ok(existsSync(page), `missing ${page}`);
        const text = readFileSync(page, 'utf8');
        assert.match(text, new RegExp(`^# ${code} ${name}`, 'm'));
        for (const section of ['## What it finds', '## Why it matters', '## Bad', '## Good', '## How to silence']) {
          assert.ok(text.includes(section), `${code}.md lacks "${section}"`);
        }
        assert.ok(index.includes(`(${code}.md)`), `docs/rules/README.md does not link ${code}.md`);
      });

      it('has ≥ 3 failing and ≥ 3 passing fixtures', () => {
        const dir = join(FIXTURE_ROOT, 'rules', code);
        assert.ok(existsSync(dir), `missing ${dir}`);
        const files = readdirSync(dir).map((f) => readFixture(join(dir, f))).filter((f) => f !== undefined);
        const failing = files.filter((f) => f.expected.some((e) => e.endsWith(`:${code}`)));
        const passing = files.filter((f) => f.expected.length === 0);
        assert.ok(failing.length >= 3, `${code}: ${failing.length} failing fixtures`);
        assert.ok(passing.length >= 3, `${code}: ${passing.length} passing fixtures`);
        for (const f of files) {
          const base = f.path.split('/').pop() ?? '';
          if (base.startsWith('fail-')) assert.ok(f.expected.length > 0, `${base} has no expectation`);
          if (base.startsWith('pass-')) assert.equal(f.expected.length, 0, `${base} expects findings`);
        }
      });
    });
  }
});
