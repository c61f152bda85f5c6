// attention-lint command line: exit codes, output formats, folder walking, notebooks, config,
// SARIF validated against the SARIF 2.1.0 JSON schema, and the esbuild bundle run by plain Node.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { runLint } from '../../../src/cli/lint-command';

const ROOT = join(__dirname, '..', '..', '..');

const BAD_PY = `import torch


def attend(q, k, v):
    """q, k, v: (B, H, T, D)"""
    s = q @ k.transpose(-2, -1) * q.size(-1) ** -0.5
    return torch.softmax(s, dim=1) @ v
`;
const GOOD_PY = BAD_PY.replace('dim=1', 'dim=-1');

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runLint(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) }, cwd, '0.1.0');
  return { code, out, err };
}

function notebook(cells: { type: 'code' | 'markdown'; source: string[] }[]): string {
  // nbformat's usual layout: one JSON string per source line, indent 1.
  return JSON.stringify(
    {
      cells: cells.map((c) => ({ cell_type: c.type, metadata: {}, source: c.source, ...(c.type === 'code' ? { execution_count: null, outputs: [] } : {}) })),
      metadata: { kernelspec: { language: 'python', name: 'python3' }, language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );
}

/** The SARIF 2.1.0 schema shipped by @microsoft/jest-sarif (draft-04; ajv 8 reads it once the root `id` is `$id`). */
function sarifSchema(): object {
  let path = process.env.ATTN_SARIF_SCHEMA;
  if (!path) {
    try {
      path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    } catch {
      throw new Error('SARIF 2.1.0 schema not found: add the devDependency @microsoft/jest-sarif (it ships lib/schemas/sarif-2.1.0-rtm.5.json) or set ATTN_SARIF_SCHEMA');
    }
  }
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  return schema;
}

describe('attention-lint CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attn-lint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on clean code, 1 with findings, 2 on usage errors', async () => {
    writeFileSync(join(dir, 'good.py'), GOOD_PY);
    assert.equal((await run(['good.py'], dir)).code, 0);
    writeFileSync(join(dir, 'bad.py'), BAD_PY);
    const r = await run(['.'], dir);
    assert.equal(r.code, 1);
    assert.match(r.out, /^bad\.py:7:33: error ATTN003 /m);
    assert.equal((await run(['--format', 'xml'], dir)).code, 2);
    assert.equal((await run(['--nope'], dir)).code, 2);
    assert.equal((await run(['missing.py'], dir)).code, 2);
    assert.equal((await run(['--help'], dir)).code, 0);
  });

  it('prints a JSON array with 1-based positions', async () => {
    writeFileSync(join(dir, 'bad.py'), BAD_PY);
    const r = await run(['--format=json', 'bad.py'], dir);
    const arr = JSON.parse(r.out) as Record<string, unknown>[];
    assert.equal(arr.length, 1);
    const f = arr[0];
    assert.deepEqual(
      { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, code: f.code },
      { file: 'bad.py', line: 7, column: 33, endLine: 7, endColumn: 34, code: 'ATTN003' },
    );
    assert.equal(BAD_PY.split('\n')[6].slice(32, 33), '1');
    assert.equal(typeof f.message, 'string');
  });

  it('walks folders and skips node_modules, .git and virtual environments', async () => {
    for (const d of ['src', 'node_modules/pkg', '.git/x', 'env/lib', 'web']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'env', 'pyvenv.cfg'), 'home = /usr/bin\n');
    for (const p of ['src/a.py', 'node_modules/pkg/b.py', '.git/x/c.py', 'env/lib/d.py']) writeFileSync(join(dir, p), BAD_PY);
    writeFileSync(join(dir, 'web', 'w.ts'), `import * as tf from '@tensorflow/tfjs';\nexport const w = (q: tf.Tensor2D, k: tf.Tensor2D) => tf.softmax(tf.matMul(q, k, false, true).div(8), 0);\n`);
    writeFileSync(join(dir, 'notes.txt'), BAD_PY);
    const r = await run(['--format', 'json'], dir);
    const files = (JSON.parse(r.out) as { file: string }[]).map((f) => f.file).sort();
    assert.deepEqual(files, ['src/a.py', 'web/w.ts']);
  });

  it('lints notebook code cells and maps findings to cell and line', async () => {
    const nb = notebook([
      { type: 'markdown', source: ['# Attention\n', 'scores = q @ k\n'] },
      { type: 'code', source: ['import torch\n', '%matplotlib inline\n'] },
      { type: 'code', source: ['def attend(q, k, v):\n', '    """q, k, v: (B, H, T, D)"""\n', '    s = q @ k.transpose(-2, -1) * q.size(-1) ** -0.5\n', '    return torch.softmax(s, dim=1) @ v'] },
    ]);
    writeFileSync(join(dir, 'demo.ipynb'), nb);
    const r = await run(['--format', 'json', 'demo.ipynb'], dir);
    const [f] = JSON.parse(r.out) as { cell: number; line: number; column: number; code: string }[];
    assert.deepEqual([f.cell, f.line, f.column, f.code], [2, 4, 33, 'ATTN003']);
    const text = await run(['demo.ipynb'], dir);
    assert.match(text.out, /^demo\.ipynb \[cell 2\]:4:33: error ATTN003/m);
    // SARIF points at the JSON line of the .ipynb that holds this source line.
    const sarif = JSON.parse((await run(['--format', 'sarif', 'demo.ipynb'], dir)).out);
    const region = sarif.runs[0].results[0].locations[0].physicalLocation.region;
    assert.match(nb.split('\n')[region.startLine - 1], /torch\.softmax\(s, dim=1\)/);
  });

  it('reads --config and .attention-lint.json, and rejects invalid configs', async () => {
    writeFileSync(join(dir, 'bad.py'), BAD_PY);
    writeFileSync(join(dir, 'quiet.json'), JSON.stringify({ rules: { ATTN003: 'off' } }));
    assert.equal((await run(['--config', 'quiet.json', 'bad.py'], dir)).code, 0);
    writeFileSync(join(dir, 'broken.json'), '{ rules: ');
    assert.equal((await run(['--config', 'broken.json', 'bad.py'], dir)).code, 2);
    writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ rules: { ATTN777: 'off' } }));
    assert.equal((await run(['--config', 'unknown.json', 'bad.py'], dir)).code, 2);
    writeFileSync(join(dir, '.attention-lint.json'), JSON.stringify({ rules: { 'softmax-wrong-axis': 'info' } }));
    const r = await run(['--format', 'json', 'bad.py'], dir);
    assert.equal((JSON.parse(r.out) as { severity: string }[])[0].severity, 'info');
  });

  it('emits SARIF 2.1.0 that validates against the official schema', async () => {
    // Several rules, a quick fix and a notebook result in one log.
    const fixtures = join(ROOT, 'test', 'fixtures', 'lint', 'rules');
    writeFileSync(join(dir, 'a.py'), readFileSync(join(fixtures, 'ATTN002', 'fail-torch-triu-default.py'), 'utf8'));
    writeFileSync(join(dir, 'b.py'), readFileSync(join(fixtures, 'ATTN009', 'fail-triu-block-mask-to-sdpa.py'), 'utf8'));
    writeFileSync(join(dir, 'c.ts'), readFileSync(join(fixtures, 'ATTN006', 'fail-tfjs-no-transpose-b.ts'), 'utf8'));
    writeFileSync(join(dir, 'd.ipynb'), notebook([{ type: 'code', source: ['import numpy as np\n', 'def f(x):\n', '    e = np.exp(x)\n', '    return e / e.sum(axis=-1, keepdims=True)\n'] }]));
    const r = await run(['--format', 'sarif'], dir);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.out) as { runs: { results: Record<string, unknown>[] }[] };
    // The schema's language-tag pattern has a stray ']' that is only valid without the u flag.
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/\s/.test(s));
    ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
    ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
    const validate = ajv.compile(sarifSchema());
    assert.ok(validate(JSON.parse(r.out)), JSON.stringify(validate.errors, null, 1));
    const results = log.runs[0].results as unknown as { ruleId: string; fixes?: unknown[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    assert.deepEqual([...new Set(results.map((x) => x.ruleId))].sort(), ['ATTN002', 'ATTN006', 'ATTN009', 'ATTN019']);
    assert.ok(results.some((x) => x.fixes && x.fixes.length > 0));
    assert.deepEqual([...new Set(results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri))].sort(), ['a.py', 'b.py', 'c.ts', 'd.ipynb']);
    // An invalid log must fail the same validator (the check can fail).
    const broken = JSON.parse(r.out) as { runs: { results: { level: string }[] }[] };
    broken.runs[0].results[0].level = 'fatal';
    assert.equal(validate(broken), false);
  });

  it('runs from an esbuild bundle with plain Node (no tsx)', async function () {
    this.timeout(120000);
    const esbuild = await import('esbuild');
    const out = join(dir, 'lint.js');
    await esbuild.build({
      entryPoints: [join(ROOT, 'src', 'cli', 'lint-main.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', 'onnxruntime-node', 'tokenizers', '@vscode/tree-sitter-wasm'],
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'bad.py'), BAD_PY);
    const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), NODE_OPTIONS: '' };
    const res = spawnSync(process.execPath, [out, '--format', 'json', 'bad.py'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(res.status, 1, res.stderr);
    assert.equal((JSON.parse(res.stdout) as { code: string }[])[0].code, 'ATTN003');
    assert.equal(existsSync(out), true);
    void execFileSync;
  });
});
