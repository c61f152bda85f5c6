// Where the shared ONNX node test cases live (beside the repository), for tests that
// read real files. Tests that need them skip with a visible message when absent.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const sharedCasesDir = resolve(
  process.env.ATTENTION_CONFORMANCE_DIR ?? join(__dirname, '..', '..', '..', '..', '..', 'shared', 'conformance', 'onnx-node'),
);

export function sharedCasesAvailable(): boolean {
  return existsSync(sharedCasesDir);
}
