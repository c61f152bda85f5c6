// Tutorials in the real VS Code: the walkthrough opens on VS Code's Welcome page with our
// steps, and a lesson renders in the "Attention Lessons" panel with numbers the engine computed.
import assert from 'node:assert/strict';
import { useVsCodeSession } from '../harness';

describe('tutorials: walkthrough and lessons', function () {
  const vscode = useVsCodeSession({ theme: 'dark' });

  it('opens the walkthrough with its steps', async () => {
    const { workbench, page } = vscode();
    // VS Code's own walkthrough picker lists every registered walkthrough: ours must be there.
    await workbench.runCommand('Welcome: Open Walkthrough...');
    await workbench.pickQuickItem('Get started with Attention Inspector', { filter: 'Attention Inspector' });
    const title = page.locator('.gettingStartedContainer', { hasText: 'Get started with Attention Inspector' });
    await title.first().waitFor({ timeout: 30_000 });
    const steps = await page.locator('.gettingStartedContainer .getting-started-step .step-title').allInnerTexts();
    assert.ok(steps.some((s) => /Inspect a sample text/.test(s)), `walkthrough steps: ${steps.join(' | ')}`);
    assert.ok(steps.length >= 5, `${steps.length} steps`);
    await vscode().screenshot('walkthrough-dark');
  });

  it('renders the causal-masking lesson with live results', async () => {
    const { workbench } = vscode();
    await workbench.runCommand('Attention Inspector: Open Lessons');
    const lessons = await workbench.webview('Attention Lessons', { timeoutMs: 60_000 });
    await lessons.locator('text=Causal masking').first().click();
    await lessons.locator('.lesson-result canvas').first().waitFor({ timeout: 60_000 });
    const text = await lessons.locator('.lesson-result').innerText();
    assert.ok(text.length > 0, 'the lesson shows computed results');
    await vscode().screenshot('lesson-causal-masking-dark');
  });
});
