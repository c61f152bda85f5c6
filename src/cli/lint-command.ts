// `attention-lint [paths…] [--format text|json|sarif] [--config FILE]`: lints attention code
// in files and folders (Python, TypeScript/JavaScript, notebook code cells). Exit status: 0
// when clean, 1 when there are findings, 2 on usage errors (bad option, missing path,
// unreadable or invalid config).
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { RULES, initLinter, lintText, validateConfig } from '../lint/index';
import type { Finding, LintConfig } from '../lint/index';
import { collectFiles, languageForPath } from './lint-files';
import { cellPosition, notebookText } from './lint-notebook';
import { SarifFinding, buildSarif } from './lint-sarif';

export interface LintIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const LINT_USAGE = `Usage: attention-lint [paths…] [--format text|json|sarif] [--config FILE]

Checks hand-written attention code (PyTorch, NumPy, JAX; TypeScript/JavaScript) for masking,
scaling and softmax bugs. Folders are walked for .py, .ts, .js and .ipynb files (node_modules,
.git and virtual environments are skipped). With no path, the current folder is linted.

Options:
  --format F     text (default), json (array of {file, line, column, endLine, endColumn, code,
                 message}, 1-based) or sarif (SARIF 2.1.0, for GitHub code scanning)
  --config FILE  JSON {"rules": {"ATTN003": "off" | "error" | "warning" | "info"}}; default:
                 .attention-lint.json in the current folder when present
  -h, --help     show this help

Exit status: 0 no findings, 1 findings, 2 usage error.`;

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  message: string;
  severity: string;
  /** Notebook cell index (0-based); line/column are then inside that cell. */
  cell?: number;
}

interface Options {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  config?: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | 'help' {
  const opts: Options = { paths: [], format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--format' || a.startsWith('--format=')) {
      const f = take('--format');
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format "${f}" (text, json or sarif)`);
      opts.format = f;
    } else if (a === '--config' || a.startsWith('--config=')) opts.config = take('--config');
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else opts.paths.push(a);
  }
  if (opts.paths.length === 0) opts.paths.push('.');
  return opts;
}

function loadConfig(path: string | undefined, cwd: string): LintConfig {
  const file = path ? resolve(cwd, path) : resolve(cwd, '.attention-lint.json');
  if (!path && !existsSync(file)) return {};
  if (!existsSync(file)) throw new UsageError(`config file not found: ${path}`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const problems = validateConfig(value, new Set(RULES.map((r) => r.meta.code)), new Set(RULES.map((r) => r.meta.name)));
  if (problems.length) throw new UsageError(`config ${file}: ${problems.join('; ')}`);
  return value as LintConfig;
}

interface FileResult {
  path: string;
  findings: JsonFinding[];
  sarif: SarifFinding[];
}

function toJson(rel: string, f: Finding): JsonFinding {
  return { file: rel, line: f.line + 1, column: f.column + 1, endLine: f.endLine + 1, endColumn: f.endColumn + 1, code: f.code, message: f.message, severity: f.severity };
}

function lintFile(abs: string, rel: string, config: LintConfig): FileResult {
  const language = languageForPath(abs);
  const text = readFileSync(abs, 'utf8');
  if (language === 'notebook') {
    const nb = notebookText(text);
    if (nb.language !== 'python') return { path: rel, findings: [], sarif: [] };
    const out: FileResult = { path: rel, findings: [], sarif: [] };
    for (const f of lintText(nb.text, 'python', config)) {
      const start = cellPosition(nb, f.line);
      const end = cellPosition(nb, f.endLine);
      if (!start) continue;
      const sameCell = end && end.cell === start.cell;
      out.findings.push({
        ...toJson(rel, f),
        line: start.line + 1,
        endLine: sameCell ? end.line + 1 : start.line + 1,
        endColumn: sameCell ? f.endColumn + 1 : f.column + 1,
        cell: start.cell,
      });
      // SARIF points into the .ipynb file itself: the JSON line holding that source line.
      const rawStart = start.rawLine ?? 1;
      const rawEnd = sameCell && end.rawLine !== undefined ? end.rawLine : rawStart;
      out.sarif.push({ file: rel, code: f.code, severity: f.severity, message: `Cell ${start.cell}, line ${start.line + 1}: ${f.message}`, startLine: rawStart, endLine: Math.max(rawStart, rawEnd) });
    }
    return out;
  }
  if (!language) return { path: rel, findings: [], sarif: [] };
  const findings = lintText(text, language, config);
  return {
    path: rel,
    findings: findings.map((f) => toJson(rel, f)),
    sarif: findings.map((f) => ({
      file: rel,
      code: f.code,
      severity: f.severity,
      message: f.message,
      startLine: f.line + 1,
      startColumn: f.column + 1,
      endLine: f.endLine + 1,
      endColumn: f.endColumn + 1,
      fix: f.fix
        ? { title: f.fix.title, edits: f.fix.edits.map((e) => ({ startLine: e.range.line + 1, startColumn: e.range.column + 1, endLine: e.range.endLine + 1, endColumn: e.range.endColumn + 1, newText: e.newText })) }
        : undefined,
    })),
  };
}

function textReport(results: FileResult[], fileCount: number): string {
  const lines: string[] = [];
  let n = 0;
  for (const r of results) {
    for (const f of r.findings) {
      n++;
      const where = f.cell !== undefined ? `${f.file} [cell ${f.cell}]` : f.file;
      lines.push(`${where}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message}`);
    }
  }
  lines.push(n === 0 ? `attention-lint: no findings in ${fileCount} file${fileCount === 1 ? '' : 's'}` : `attention-lint: ${n} finding${n === 1 ? '' : 's'} in ${results.filter((r) => r.findings.length).length} of ${fileCount} files`);
  return `${lines.join('\n')}\n`;
}

export async function runLint(argv: string[], io: LintIo, cwd = process.cwd(), version = '0.0.0'): Promise<number> {
  let opts: Options | 'help';
  let config: LintConfig;
  const files: { abs: string; rel: string }[] = [];
  try {
    opts = parseArgs(argv);
    if (opts === 'help') {
      io.stdout(`${LINT_USAGE}\n`);
      return 0;
    }
    config = loadConfig(opts.config, cwd);
    for (const p of opts.paths) {
      const abs = resolve(cwd, p);
      if (!existsSync(abs)) throw new UsageError(`no such file or folder: ${p}`);
      for (const f of collectFiles(abs)) files.push({ abs: f, rel: relative(cwd, f).split(sep).join('/') || f });
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`attention-lint: ${e.message}\n\n${LINT_USAGE}\n`);
      return 2;
    }
    throw e;
  }
  await initLinter();
  const results: FileResult[] = [];
  for (const f of files) {
    try {
      results.push(lintFile(f.abs, f.rel, config));
    } catch (e) {
      io.stderr(`attention-lint: skipped ${f.rel}: ${(e as Error).message}\n`);
    }
  }
  const all = results.flatMap((r) => r.findings);
  if (opts.format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
  else if (opts.format === 'sarif') io.stdout(`${JSON.stringify(buildSarif(results.flatMap((r) => r.sarif), cwd, version), null, 2)}\n`);
  else io.stdout(textReport(results, files.length));
  return all.length > 0 ? 1 : 0;
}
