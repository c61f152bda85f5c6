// The extension the tests load: by default the packaged .vsix (what users install, so a file left
// out by .vscodeignore fails here), installed once per run into a shared extensions folder.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installVsix } from './code-server';
import { repoRoot } from './paths';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  displayName?: string;
  version: string;
  contributes?: { commands?: Array<{ command: string; title: string; category?: string }> };
};

/** `publisher.name`, the id VS Code knows the extension by. */
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** package.json as it is now (contributes included). */
export function extensionManifest(): typeof manifest {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as typeof manifest;
}

/** The palette titles of the contributed commands ("Category: Title" when a category is set). */
export function contributedCommandTitles(): string[] {
  return (extensionManifest().contributes?.commands ?? []).map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
}

/**
 * How the extension is loaded:
 * - 'packaged' (default): the .vsix from ATTN_E2E_VSIX (run-e2e.ts packages one and sets it),
 *   installed into an extensions folder;
 * - 'development': the repository itself as extensionDevelopmentPath (needs `npm run build`;
 *   quick for writing specs: ATTN_E2E_EXTENSION=development);
 * - 'none': no extension.
 */
export type ExtensionMode = 'packaged' | 'development' | 'none';

export function defaultExtensionMode(): ExtensionMode {
  const m = process.env.ATTN_E2E_EXTENSION;
  if (m === 'development' || m === 'none' || m === 'packaged') return m;
  return 'packaged';
}

let installed: { vsix: string; dir: string } | undefined;

/** An extensions folder holding the packaged extension, installed once per process. */
export function packagedExtensionsDir(): string {
  const vsix = process.env.ATTN_E2E_VSIX;
  if (!vsix || !existsSync(vsix)) {
    throw new Error('ATTN_E2E_VSIX must name the packaged .vsix (npm run test:e2e packages one; or `npm run package`), or set ATTN_E2E_EXTENSION=development');
  }
  if (installed?.vsix === vsix) return installed.dir;
  const dir = mkdtempSync(join(tmpdir(), 'attn-e2e-extensions-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  installVsix(vsix, dir);
  // The folder is `<id>-<version>`, with `-<target>` for a platform-specific package.
  const prefix = `${EXTENSION_ID}-${manifest.version}`;
  if (!readdirSync(dir).some((f) => f === prefix || f.startsWith(`${prefix}-`))) {
    throw new Error(`installing ${vsix} did not create ${join(dir, prefix)}*`);
  }
  installed = { vsix, dir };
  return dir;
}
