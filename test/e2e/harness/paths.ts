// Fixed places the harness uses.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Screenshots and logs of the E2E run (gitignored); CI keeps it as an artifact. */
export const resultsDir = resolve(process.env.ATTN_E2E_RESULTS ?? join(repoRoot, 'test-results'));

/** The demo workspace `npm start` opens and tests copy from. */
export const demoWorkspace = join(repoRoot, 'tools', 'demo-workspace');

/** A file name safe for any file system, from a test title. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'unnamed'
  );
}

/** `test-results/<parts…>`, created. */
export function resultPath(...parts: string[]): string {
  const p = join(resultsDir, ...parts);
  mkdirSync(resolve(p, '..'), { recursive: true });
  return p;
}
