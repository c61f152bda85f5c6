// The headline flow in a real VS Code: select text, right-click → Inspect Attention, and check
// the panel against the engine itself (the CLI on the same text and model): token chips match
// the tokenizer, the L × H grid fills with thumbnails and pattern badges, the hover read-out shows
// the engine's exact weight, a token click selects its span in the editor, and token text that
// looks like HTML is shown literally. Screenshots (dark and light) go to test-results/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useVsCodeSession } from '../harness';

const ROOT = join(__dirname, '..', '..', '..');
/** Another model folder for both the panel and the CLI (default: the bundled model). */
const MODEL = process.env.ATTN_E2E_MODEL;
const SAMPLE = ['def greet(name):', '    s = "<img onerror=x>"', '    return name + s'].join('\n');

interface InspectJson {
  tokens: { text: string; start: number; end: number; special: boolean }[];
  model: { layers: number; heads: number; name: string };
  heads: { layer: number; head: number; label: string }[];
  weights: { layer: number; data: number[][][] }[];
}

/** The engine's own answer for the same text, through the CLI (same bundled model, same backend). */
function engineAnswer(text: string): InspectJson {
  const dir = mkdtempSync(join(tmpdir(), 'attn-e2e-'));
  try {
    return engineAnswerIn(dir, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineAnswerIn(dir: string, text: string): InspectJson {
  const input = join(dir, 'sample.py');
  const out = join(dir, 'out.json');
  writeFileSync(input, text);
  execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'inspect.js'), 'inspect', '--file', input, '--json', out, '--weights', '--quiet', ...(MODEL ? ['--model', MODEL] : [])], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(out, 'utf8')) as InspectJson;
}

describe('panel: Inspect Attention on a selection', function () {
  const vscode = useVsCodeSession({ theme: 'dark', files: { 'sample.py': SAMPLE }, settings: MODEL ? { 'attentionInspector.modelPath': MODEL } : {} });
  let expected: InspectJson;

  before(() => {
    expected = engineAnswer(SAMPLE);
  });

  it('opens from the editor context menu and streams tokens, thumbnails and badges', async () => {
    const { workbench } = vscode();
    await workbench.openFile('sample.py');
    await workbench.selectAll();
    await workbench.runEditorContextMenu('Inspect Attention');
    const panel = await workbench.webview('Attention Inspector', { timeoutMs: 90_000 });
    await panel.locator('.tile[data-head]').first().waitFor({ timeout: 90_000 });
    const { layers, heads } = expected.model;
    await panel.waitForFunction((n) => document.querySelectorAll('.tile[data-head]').length === n, layers * heads, { timeout: 60_000 });
    assert.equal(await panel.locator('.tile canvas.thumb').count(), layers * heads);
    const badges = await panel.locator('.tile .badge').allInnerTexts();
    assert.ok(badges.length > 0, 'pattern badges are shown');
    const labels = await panel.locator('.tile[data-head]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    assert.deepEqual(labels, expected.heads.map((h) => h.label), 'badges are the engine labels, in layer/head order');
    await vscode().screenshot('panel-heads-dark');
  });

  it('shows one chip per token, with HTML-looking text rendered literally', async () => {
    const panel = await vscode().workbench.webview('Attention Inspector');
    await panel.locator('vscode-tab-header', { hasText: 'Tokens' }).click();
    const chips = await panel.locator('.token-flow .token').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.equal(chips.length, expected.tokens.length);
    expected.tokens.forEach((t, i) => assert.equal(chips[i], `token ${i}: ${JSON.stringify(t.text)}`));
    assert.equal(await panel.locator('img').count(), 0, 'no <img> element was created from token text');
    const text = await panel.locator('.token-flow[aria-label="Query tokens"]').innerText();
    assert.ok(text.includes('<img') || text.includes('img'), 'the markup characters are visible as text');
  });

  it('selects the clicked token\'s span in the editor', async () => {
    const { workbench } = vscode();
    const panel = await workbench.webview('Attention Inspector');
    // The longest ordinary token (e.g. "greet" or "return", whatever the tokenizer made of them).
    const index = expected.tokens.reduce((best, t, i) => (!t.special && t.end - t.start > expected.tokens[best].end - expected.tokens[best].start ? i : best), 0);
    assert.ok(expected.tokens[index].end - expected.tokens[index].start >= 2, 'the sample has a multi-character token');
    const t = expected.tokens[index];
    await panel.locator(`.token-flow .token[data-index="${index}"]`).click();
    await panel.locator('.token.picked').waitFor();
    // Focus stays in the panel (so the status bar hides the selection read-out): read the
    // editor itself. Before the click the whole 3-line sample was selected (3 highlighted
    // segments); afterwards exactly one segment, as wide as the token, is selected.
    const page = vscode().page;
    await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .selected-text').length === 1, undefined, { timeout: 15_000 });
    const width = await page.locator('.monaco-editor .selected-text').first().evaluate((e) => e.getBoundingClientRect().width);
    const charWidth = await page.locator('.monaco-editor .view-line > span').first().evaluate((e) => {
      const text = e.textContent ?? '';
      return text.length ? e.getBoundingClientRect().width / text.length : 0;
    });
    assert.ok(charWidth > 0);
    assert.ok(Math.abs(width / charWidth - (t.end - t.start)) < 1.5, `selection is ${(width / charWidth).toFixed(1)} characters wide, token has ${t.end - t.start}`);
    await vscode().screenshot('panel-tokens-dark');
  });

  it('reads out the engine\'s exact weight on hover in the head detail', async () => {
    const panel = await vscode().workbench.webview('Attention Inspector');
    await panel.locator('vscode-tab-header', { hasText: 'Heads' }).click();
    await panel.locator('.tile[data-layer="1"][data-head="2"]').click();
    const canvas = panel.locator('canvas.heatmap');
    await canvas.waitFor();
    // Hover the cell of query row 6 (or the last) and its first key, then read the exact value.
    const n = expected.tokens.length;
    const g = await canvas.evaluate((c) => ({ ...(c as HTMLElement).dataset }));
    const [cell, left, top] = [Number(g.cell), Number(g.left), Number(g.top)];
    const i = Math.min(n - 1, 6);
    const j = 0;
    await canvas.hover({ position: { x: left + (j + 0.5) * cell, y: top + (i + 0.5) * cell } });
    await panel.waitForFunction(() => (document.querySelector('.readout') as HTMLElement | null)?.dataset.weight, undefined, { timeout: 10_000 });
    const data = await panel.locator('.readout').evaluate((e) => {
      const d = (e as HTMLElement).dataset;
      return { query: d.query ?? '', key: d.key ?? '', weight: d.weight ?? '', text: e.textContent ?? '' };
    });
    assert.equal(Number(data.query), i);
    assert.equal(Number(data.key), j);
    const engine = expected.weights.find((w) => w.layer === 1)!.data[2][i][j];
    assert.ok(Math.abs(Number(data.weight) - engine) <= 1e-6, `read-out ${data.weight} vs engine ${engine}`);
    await vscode().screenshot('panel-detail-dark');
  });

  it('reads well in the light theme', async () => {
    await vscode().setTheme('light');
    const panel = await vscode().workbench.webview('Attention Inspector');
    await panel.locator('vscode-tab-header', { hasText: 'Heads' }).click();
    await panel.waitForFunction(() => document.body.classList.contains('vscode-light'));
    await vscode().screenshot('panel-heads-light');
  });
});
