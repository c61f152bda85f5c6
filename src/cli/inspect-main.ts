#!/usr/bin/env node
// `attention-inspector` command line: `inspect` (run a model on a text) and `analyze`
// (head patterns and masking checks on weights from any source). Same engines as the
// extension, in process.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundledModelDir } from '../engine/model';
import { runAnalyze } from './analyze-command';
import { createCliEngine } from './cli-engine';
import { runInspect, type CliIO } from './inspect-command';

const USAGE = `attention-inspector — see what attention heads do, without an editor

  attention-inspector inspect "text" [--model DIR] [--backend onnx|reference] [--json F] [--weights] [--html F]
  attention-inspector inspect --file F [--range a:b] …
  attention-inspector analyze weights.npy [--tokens tokens.json] [--causal] [--json F]

Run a subcommand with --help for its options.`;

/** The folder holding package.json (the extension or repository root), from dist/cli or src/cli. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'media'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'inspect') {
    return runInspect(rest, io, { createEngine: createCliEngine, bundledModelDir: bundledModelDir(packageRoot()) });
  }
  if (command === 'analyze') return runAnalyze(rest, io);
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  io.stderr.write(`attention-inspector: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2), process).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`attention-inspector: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
