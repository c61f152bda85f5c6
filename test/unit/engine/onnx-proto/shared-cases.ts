// Where the shared ONNX node test cases live (the conformance runner's folder), for
// tests that read real files. Tests that need them skip with a visible message when absent.
import { existsSync } from 'node:fs';
import { conformanceDir } from '../../../conformance/conformance-cases';

export const sharedCasesDir = conformanceDir();

export function sharedCasesAvailable(): boolean {
  return existsSync(sharedCasesDir);
}
