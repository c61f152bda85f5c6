#!/usr/bin/env node
// Entry point of the `attention-lint` command (bundled to dist/cli/lint.js).
import { runLint } from './lint-command';
import { version } from '../../package.json';

runLint(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }, process.cwd(), version).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`attention-lint: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
