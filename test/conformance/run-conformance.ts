// npm run test:conformance — the ONNX standard's own node tests, on both backends.
//
// For every case folder (model.onnx + test_data_set_*/input_N.pb, output_N.pb):
//   reference      run the graph on the TypeScript reference engine, compare with the
//                  expected outputs (tolerances in conformance-cases.ts);
//   onnxruntime    run the same bytes with onnxruntime-node (CPU, 1 thread, graph
//                  optimizations off), compare with the expected outputs AND with the
//                  reference (the two backends must agree).
//
// A case PASSES when the reference matches the expected outputs, and onnxruntime
// either matches them and agrees with the reference, or cannot run the model at all
// (listed separately with ORT's own error, so a missing ORT kernel is visible but is
// not a reference failure). A reference failure, an unsupported op, or a wrong ORT
// answer is a FAILURE. Exit status 1 on any failure.
//
// Cases: $ATTENTION_CONFORMANCE_DIR, else ../shared/conformance/onnx-node beside the
// repository. Set ATTENTION_CONFORMANCE_OPTIONAL=1 to turn a missing folder into a skip.

import { existsSync } from 'node:fs';
import { runModelOnce } from '../../src/engine/onnx/run-single-node';
import { UnsupportedOpError } from '../../src/engine/onnx/ops/run-node';
import type { TensorArray } from '../../src/engine/onnx/proto/tensor-data';
import {
  CompareNotes,
  ConformanceCase,
  Mismatch,
  compareOutputs,
  conformanceDir,
  listCases,
  loadCase,
  runOnReference,
} from './conformance-cases';

interface CaseResult {
  name: string;
  referenceFailures: string[];
  ortFailures: string[];
  ortUnableToRun?: string;
}

function failureLine(backend: string, set: string, m: Mismatch): string {
  const diff = Number.isNaN(m.maxAbsDiff) ? '' : ` (max abs diff ${m.maxAbsDiff.toExponential(3)})`;
  return `${backend} ${set} output '${m.output}': ${m.detail}${diff && !m.detail.includes('max abs diff') ? diff : ''}`;
}

async function runCase(c: ConformanceCase, notes: CompareNotes): Promise<CaseResult> {
  const result: CaseResult = { name: c.name, referenceFailures: [], ortFailures: [] };
  let referenceOutputs: Array<Record<string, TensorArray>> | undefined;
  try {
    const runs = runOnReference(c);
    referenceOutputs = runs.map((r) => r.outputs);
    for (const r of runs) for (const m of r.mismatches) result.referenceFailures.push(failureLine('reference', r.set, m));
  } catch (e) {
    const message = e instanceof UnsupportedOpError ? e.message : `error: ${(e as Error).message}`;
    result.referenceFailures.push(`reference: ${message}`);
  }

  for (let i = 0; i < c.dataSets.length; i++) {
    const ds = c.dataSets[i];
    let ortOutputs: Record<string, TensorArray>;
    try {
      ortOutputs = await runModelOnce(c.modelBytes, ds.inputs);
    } catch (e) {
      result.ortUnableToRun = (e as Error).message.split('\n')[0];
      break;
    }
    for (const m of compareOutputs(ortOutputs, ds.expected, false, notes)) result.ortFailures.push(failureLine('onnxruntime', ds.name, m));
    const ref = referenceOutputs?.[i];
    if (ref) {
      // Agreement: the reference (rounded like a float16 backend where needed) against ORT.
      const wanted = Object.fromEntries(Object.keys(ds.expected).filter((k) => ortOutputs[k]).map((k) => [k, ortOutputs[k]]));
      for (const m of compareOutputs(ref, wanted, true, notes)) {
        result.ortFailures.push(`reference vs onnxruntime disagree on ${ds.name} output '${m.output}': ${m.detail}`);
      }
    }
  }
  return result;
}

async function main(): Promise<number> {
  const dir = conformanceDir();
  if (!existsSync(dir)) {
    const lines = [
      `ONNX conformance cases not found at ${dir}`,
      'They are the ONNX repository\'s backend node tests. Point the runner at a checkout:',
      '  git clone https://github.com/onnx/onnx && ATTENTION_CONFORMANCE_DIR=$PWD/onnx/onnx/backend/test/data/node npm run test:conformance',
      '(any folder of cases in that layout works; unsupported ops are reported as failures).',
    ];
    if (process.env.ATTENTION_CONFORMANCE_OPTIONAL === '1') {
      console.log([...lines, 'ATTENTION_CONFORMANCE_OPTIONAL=1: skipping.'].join('\n'));
      return 0;
    }
    console.error(lines.join('\n'));
    return 1;
  }

  const names = listCases(dir);
  console.log(`ONNX conformance: ${names.length} cases from ${dir}`);
  const notes: CompareNotes = { maskedSentinelMatches: 0 };
  const results: CaseResult[] = [];
  for (const name of names) {
    let c: ConformanceCase;
    try {
      c = loadCase(dir, name);
    } catch (e) {
      results.push({ name, referenceFailures: [`cannot load case: ${(e as Error).message}`], ortFailures: [] });
      continue;
    }
    results.push(await runCase(c, notes));
  }

  let passed = 0;
  let failed = 0;
  for (const r of results) {
    const ok = r.referenceFailures.length === 0 && r.ortFailures.length === 0;
    if (ok) passed++;
    else {
      failed++;
      for (const line of [...r.referenceFailures, ...r.ortFailures]) console.log(`FAIL ${r.name}: ${line}`);
    }
  }

  const unable = results.filter((r) => r.ortUnableToRun !== undefined);
  if (unable.length) {
    console.log(`onnxruntime-node could not run ${unable.length} case(s):`);
    for (const r of unable) console.log(`  ${r.name}: ${r.ortUnableToRun}`);
  }
  const refPassed = results.filter((r) => r.referenceFailures.length === 0).length;
  const ortRan = results.filter((r) => r.ortUnableToRun === undefined);
  const ortPassed = ortRan.filter((r) => r.ortFailures.length === 0).length;
  console.log(`reference: ${refPassed} passed, ${results.length - refPassed} failed`);
  console.log(
    `onnxruntime-node: ${ortPassed} passed and agree with the reference, ${ortRan.length - ortPassed} failed, ${unable.length} could not run`,
  );
  if (notes.maskedSentinelMatches > 0) {
    console.log(
      `note: ${notes.maskedSentinelMatches} blocked scores were −∞ on one side and −3.4028235e38 (float32 lowest, ORT's mask value) on the other; counted as equal`,
    );
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
