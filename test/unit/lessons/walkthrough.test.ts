import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, CONTEXT_KEYS, LINT_FIX_APPLIED_COMMAND, SAMPLES, WALKTHROUGH_ID, WALKTHROUGH_REF } from '../../../src/host/tutorials/tutorial-ids';
import { REPO } from './lesson-test-helpers';

interface Step {
  id: string;
  title: string;
  description?: string;
  media: { svg?: string; image?: string; markdown?: string; altText?: string };
  completionEvents?: string[];
}
const contrib = JSON.parse(readFileSync(join(REPO, 'media', 'walkthrough', 'walkthrough.contrib.json'), 'utf8')) as {
  walkthroughs: { id: string; title: string; description: string; steps: Step[] }[];
};
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; publisher: string };
const walkthrough = contrib.walkthroughs[0];

/** Commands the walkthrough may link to or wait for: ours, plus the panel's inspect command. */
const KNOWN_COMMANDS = new Set<string>([...Object.values(COMMANDS), LINT_FIX_APPLIED_COMMAND, 'attentionInspector.inspect']);
const KNOWN_CONTEXT = new Set<string>(Object.values(CONTEXT_KEYS));

describe('walkthrough contribution', () => {
  it('is "Get started with Attention Inspector", addressed as publisher.name#id', () => {
    assert.equal(contrib.walkthroughs.length, 1);
    assert.equal(walkthrough.id, WALKTHROUGH_ID);
    assert.equal(walkthrough.title, 'Get started with Attention Inspector');
    assert.equal(WALKTHROUGH_REF, `${pkg.publisher}.${pkg.name}#${walkthrough.id}`);
    assert.ok(walkthrough.description.length > 20);
  });

  it('has the steps of the issue, in order, each with exactly one kind of media that exists', () => {
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['inspect', 'heads-grid', 'find-heads', 'lint-fix', 'lesson', 'exercise']);
    for (const s of walkthrough.steps) {
      const kinds = (['svg', 'image', 'markdown'] as const).filter((k) => s.media[k] !== undefined);
      assert.equal(kinds.length, 1, s.id);
      const path = s.media[kinds[0]] as string;
      assert.ok(path.startsWith('media/walkthrough/') && existsSync(join(REPO, path)), `${s.id}: ${path}`);
      if (kinds[0] !== 'markdown') assert.ok((s.media.altText ?? '').length > 20, `${s.id} alt text`);
    }
  });

  it('every step completes on a real event: a command we register or a context key our host sets', () => {
    for (const s of walkthrough.steps) {
      assert.ok(s.completionEvents && s.completionEvents.length > 0, s.id);
      for (const e of s.completionEvents) {
        const m = /^(onCommand|onContext):(.+)$/.exec(e);
        assert.ok(m, `${s.id}: ${e}`);
        if (m[1] === 'onCommand') assert.ok(KNOWN_COMMANDS.has(m[2]), `${s.id}: unknown command ${m[2]}`);
        else for (const key of m[2].split('&&').map((k) => k.trim())) assert.ok(KNOWN_CONTEXT.has(key), `${s.id}: unknown context key ${key}`);
      }
    }
  });

  it('links only to known commands, with JSON arguments naming existing samples', () => {
    for (const s of walkthrough.steps) {
      for (const [, command, arg] of (s.description ?? '').matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)) {
        assert.ok(KNOWN_COMMANDS.has(command), `${s.id}: ${command}`);
        if (arg === undefined) continue;
        const args = JSON.parse(decodeURIComponent(arg)) as unknown[];
        if (command === COMMANDS.openSample) {
          const name = SAMPLES[args[0] as string];
          assert.ok(name && existsSync(join(REPO, 'media', 'walkthrough', 'samples', name)), `${s.id}: sample ${String(args[0])}`);
        }
      }
    }
  });

  it('SVG media are well-formed, themed with --vscode-* colours, and carry no script', () => {
    const dir = join(REPO, 'media', 'walkthrough');
    const svgs = readdirSync(dir).filter((f) => f.endsWith('.svg'));
    assert.ok(svgs.length >= 5);
    for (const f of svgs) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(text, /var\(--vscode-[\w-]+, #[0-9a-f]{3,6}\)/i, `${f} uses theme colours with fallbacks`);
      assert.doesNotMatch(text, /<script|\son\w+=|\shref=/i, f);
      assert.match(text, /role="img" aria-label="[^"]{20,}"/, `${f} has a label`);
      // balanced tags: every opening tag that is not self-closing has its closing tag
      const open = (text.match(/<[a-z]+(\s[^>]*)?(?<!\/)>/gi) ?? []).length;
      const close = (text.match(/<\/[a-z]+>/gi) ?? []).length;
      assert.equal(open, close, f);
    }
  });

  it('the markdown step references an image that exists', () => {
    const md = readFileSync(join(REPO, 'media', 'walkthrough', 'heads-grid.md'), 'utf8');
    for (const [, src] of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(join(REPO, 'media', 'walkthrough', src)), src);
  });
});
