// The benchmark runner: `npm run bench` runs every suite in tools/bench/suites/,
// `npm run bench -- reference patterns` only the suites whose name (or file name) matches.
//
// A suite is a module exporting (default, or any named export) an object
//   { name: string, run(): Promise<string> }
// whose run() returns a markdown section (a "## Title" and a table). Each section is
// printed and written into docs/benchmarks.md between markers, so a run of one suite
// replaces only its own section and keeps the others from earlier runs.
//
// Timings are not tests: they depend on the machine and its load, which the header records.

import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { onnxRuntimeVersion } from '../../src/engine/onnx/attention-op-session';

export interface BenchSuite {
  name: string;
  run(): Promise<string>;
}

const ROOT = join(__dirname, '..', '..');
const SUITES_DIR = join(__dirname, 'suites');
const OUTPUT = join(ROOT, 'docs', 'benchmarks.md');

function isSuite(x: unknown): x is BenchSuite {
  return typeof x === 'object' && x !== null && typeof (x as BenchSuite).name === 'string' && typeof (x as BenchSuite).run === 'function';
}

/** Every suite module in suites/, with its file name (without .ts). */
async function loadSuites(): Promise<Array<{ file: string; suite: BenchSuite }>> {
  const files = readdirSync(SUITES_DIR).filter((f) => f.endsWith('.ts')).sort();
  const out: Array<{ file: string; suite: BenchSuite }> = [];
  for (const f of files) {
    const mod = (await import(join(SUITES_DIR, f))) as Record<string, unknown>;
    const suite = [mod.default, ...Object.values(mod)].find(isSuite);
    if (!suite) throw new Error(`${f} exports no { name, run } suite`);
    out.push({ file: basename(f, '.ts'), suite });
  }
  return out;
}

/** One line describing this machine and its state. */
export function machineLine(): string {
  const cpu = cpus();
  const load = loadavg().map((x) => x.toFixed(1)).join(', ');
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, onnxruntime-node ${onnxRuntimeVersion()}, load average ${load} at start`;
}

const begin = (name: string) => `<!-- bench:${name} -->`;
const end = (name: string) => `<!-- /bench:${name} -->`;

/** Sections of a previous docs/benchmarks.md, by suite name, in file order. */
function previousSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const re = /<!-- bench:([\w-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;
  for (let m = re.exec(text); m; m = re.exec(text)) sections.set(m[1], m[2]);
  return sections;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
  const all = await loadSuites();
  const chosen = wanted.length === 0 ? all : all.filter(({ file, suite }) => wanted.some((w) => suite.name.toLowerCase().includes(w) || file.toLowerCase().includes(w)));
  if (chosen.length === 0) {
    console.error(`no suite matches ${wanted.join(', ')}; suites: ${all.map((s) => s.suite.name).join(', ')}`);
    process.exitCode = 1;
    return;
  }
  const machine = machineLine();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`# Benchmarks: ${date}\n${machine}\n`);

  const sections = existsSync(OUTPUT) ? previousSections(readFileSync(OUTPUT, 'utf8')) : new Map<string, string>();
  for (const { suite } of chosen) {
    const t0 = Date.now();
    const body = (await suite.run()).trimEnd();
    console.log(`${body}\n\n(${suite.name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    sections.set(suite.name, `_Measured ${date} on ${machine}._\n\n${body}\n`);
  }

  // Known suites in file order first, then sections of suites that no longer exist.
  const order = [...all.map((s) => s.suite.name), ...[...sections.keys()].filter((k) => !all.some((s) => s.suite.name === k))];
  const parts = order.filter((name) => sections.has(name)).map((name) => `${begin(name)}\n${sections.get(name)}${end(name)}`);
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all suites) or `npm run bench -- <name>` (some): each section says when and on',
    'which machine it was measured. Times depend on the machine and on what else it is running;',
    'ratios measured in the same run are the figures to compare.',
    '',
    `Last run: ${date}, ${machine}.`,
    '',
  ].join('\n');
  writeFileSync(OUTPUT, `${header}\n${parts.join('\n\n')}\n`);
  console.log(`wrote ${OUTPUT}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
