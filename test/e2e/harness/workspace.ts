// Throwaway workspaces: a copy of a folder (the demo workspace by default) plus extra files, in a
// temp folder, so a test may edit files without touching the repository.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { demoWorkspace } from './paths';

export interface Workspace {
  /** Absolute path of the folder to open. */
  path: string;
  /** Absolute path of a file in it. */
  file(relativePath: string): string;
  dispose(): void;
}

/**
 * Copies `from` (default: tools/demo-workspace; null: start empty) into a new temp folder, then
 * writes `files` (relative path → text) into it.
 */
export function makeWorkspace(opts: { from?: string | null; files?: Record<string, string>; name?: string } = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'attn-e2e-ws-'));
  // The folder name is what the explorer shows; keep it readable.
  const path = join(root, opts.name ?? 'demo-workspace');
  const from = opts.from === undefined ? demoWorkspace : opts.from;
  if (from) cpSync(from, path, { recursive: true });
  else mkdirSync(path, { recursive: true });
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    const target = join(path, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return {
    path,
    file: (rel) => join(path, rel),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
