// Architecture invariant: the engine, the linter and the shared protocol are plain
// TypeScript. They must never import the VS Code API (so they run in mocha, the CLI and the
// engine child process), and only src/engine/onnx may import onnxruntime-node.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|mts|js)$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[1]);
  return specs;
}

describe('architecture boundaries', () => {
  for (const folder of ['src/engine', 'src/lint', 'src/protocol', 'src/cli', 'webview']) {
    it(`${folder} does not import vscode`, () => {
      const offenders = sourceFiles(join(root, folder)).filter((f) => importsOf(f).includes('vscode'));
      assert.deepEqual(offenders.map((f) => relative(root, f)), []);
    });
  }

  it('only src/engine/onnx imports onnxruntime-node', () => {
    const offenders = sourceFiles(join(root, 'src'))
      .filter((f) => !relative(root, f).startsWith(join('src', 'engine', 'onnx')))
      .filter((f) => importsOf(f).some((s) => s.startsWith('onnxruntime-node')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('src/protocol imports neither node built-ins nor other src folders', () => {
    const offenders = sourceFiles(join(root, 'src', 'protocol')).filter((f) =>
      importsOf(f).some((s) => s.startsWith('node:') || s.startsWith('../')),
    );
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });
});
