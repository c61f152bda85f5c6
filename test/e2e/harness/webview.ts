// Finding a webview panel's content. VS Code nests it twice: the workbench holds
// `iframe.webview` (VS Code's host page, pre/index.html), which holds `iframe#active-frame`
// (the extension's HTML). The inner iframe's `title` attribute is the panel title, so that is
// what we match on. Playwright reaches into both, cross-origin included.
import type { ElementHandle, Frame, Page } from 'playwright-core';
import { sleep } from './processes';

async function frameElementOf(frame: Frame): Promise<ElementHandle | undefined> {
  if (!frame.parentFrame()) return undefined; // the page itself
  try {
    return (await frame.frameElement()) as ElementHandle;
  } catch {
    return undefined; // detached while we looked
  }
}

/** The content frames of every webview shown now, with their panel titles. */
export async function listWebviews(page: Page): Promise<Array<{ title: string; frame: Frame }>> {
  const out: Array<{ title: string; frame: Frame }> = [];
  for (const frame of page.frames()) {
    if (frame.isDetached()) continue;
    const el = await frameElementOf(frame);
    if (!el) continue;
    const info = await el
      .evaluate((node) => {
        const e = node as unknown as { id: string; getAttribute(name: string): string | null };
        return { id: e.id, title: e.getAttribute('title') ?? '' };
      })
      .catch(() => undefined);
    if (info?.id === 'active-frame') out.push({ title: info.title, frame });
  }
  return out;
}

/**
 * Waits for the webview panel titled `title` (exact, or a RegExp) and returns its content frame
 * once its document has loaded. Throws listing the webviews it did see on timeout.
 */
export async function findWebview(page: Page, title: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<Frame> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const matches = (t: string) => (typeof title === 'string' ? t === title : title.test(t));
  let seen: string[] = [];
  while (Date.now() < deadline) {
    const views = await listWebviews(page);
    seen = views.map((v) => v.title);
    const hit = views.find((v) => matches(v.title));
    if (hit) {
      await hit.frame.waitForLoadState('domcontentloaded', { timeout: Math.max(1000, deadline - Date.now()) });
      return hit.frame;
    }
    await sleep(200);
  }
  throw new Error(`no webview titled ${String(title)} appeared; webviews shown: ${seen.map((s) => JSON.stringify(s)).join(', ') || 'none'}`);
}
