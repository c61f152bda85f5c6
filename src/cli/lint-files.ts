// Which files attention-lint reads: .py, .ts/.tsx, .js/.jsx/.mjs/.cjs and .ipynb, found by
// walking folders, skipping dependency and environment folders (node_modules, .git, virtual
// environments, caches).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const EXTENSIONS: Record<string, string> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescriptreact',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascriptreact',
  '.ipynb': 'notebook',
};

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.ipynb_checkpoints', '.eggs', 'bower_components']);

export function languageForPath(path: string): string | undefined {
  if (path.endsWith('.d.ts')) return undefined;
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** A folder that is a Python virtual environment (has pyvenv.cfg) or a conda env (conda-meta). */
function isEnvironment(dir: string): boolean {
  return existsSync(join(dir, 'pyvenv.cfg')) || existsSync(join(dir, 'conda-meta'));
}

/** Files to lint under a path (the path itself when it is a file), in a stable order. */
export function collectFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return languageForPath(path) ? [path] : [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let s;
      try {
        s = statSync(p);
      } catch {
        continue;
      }
      if (s.isDirectory()) {
        if (SKIP_DIRS.has(name) || isEnvironment(p)) continue;
        walk(p);
      } else if (s.isFile() && languageForPath(name)) out.push(p);
    }
  };
  walk(path);
  return out;
}
