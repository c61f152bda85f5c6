// Panel benchmark in a real VS Code (code-server + Chromium): right-click → first layer's
// thumbnails painted at 512 tokens, hover read-out per frame and extension host peak memory
// at 4,096 tokens. Runs test/e2e/specs/panel-bench.e2e.ts through the E2E runner (which
// installs code-server if needed) with the extension loaded from this repository's dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

async function run(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'panel-bench-')), 'panel.json');
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const e2e = spawnSync('npm', ['run', '-s', 'test:e2e', '--', '--no-package', '--no-integration', 'test/e2e/specs/panel-bench.e2e.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ATTN_BENCH_OUT: out, ATTN_E2E_EXTENSION: 'development' },
  });
  if (!existsSync(out)) throw new Error(`the panel benchmark wrote no results (exit ${e2e.status})`);
  const r = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number | string>;
  const row = (what: string, value: unknown, goal: string) => `| ${what} | ${value ?? 'not measured'} | ${goal} |`;
  return [
    '## Panel in a real VS Code (code-server 4.99 + Chromium, bundled model, ONNX Runtime CPU)',
    '',
    'Measured by Playwright from the context-menu click to the first thumbnail canvas of the new run in the',
    "panel's DOM (so it includes VS Code's command dispatch, the engine process, the host pipeline and the",
    'webview message transfer). The cold run includes starting the engine process and creating the session.',
    '',
    '| measure | value | goal |',
    '|---|---:|---|',
    row('first thumbnails, 512 tokens, cold (ms)', r.firstPaint512ColdMs, ''),
    row('first thumbnails, 512 tokens, warm median (ms)', r.firstPaint512WarmMedianMs, '< 400 ms'),
    row('all runs (ms)', r.firstPaint512Runs, ''),
    row('4,096-token inspection, click to done (ms)', r.inspect4096TotalMs ?? r.inspect4096, ''),
    row('hover read-out per frame at 4,096 tokens, median (ms)', r.hover4096MedianMs, '< 50 ms'),
    row('hover read-out per frame at 4,096 tokens, p95 (ms)', r.hover4096P95Ms, '< 50 ms'),
    row('extension host peak RSS (MB)', r.extensionHostPeakMB, '< 1,500 MB'),
    '',
  ].join('\n');
}

export default { name: 'panel', run };
