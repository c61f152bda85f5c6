// ONNX backend node-test cases: loading, running on both backends, comparing.
//
// A case is a folder holding model.onnx and test_data_set_*/{input_N.pb, output_N.pb}
// (serialized TensorProtos), in the layout of the ONNX repository's
// onnx/backend/test/data/node. input_N feeds the N-th graph input that is not an
// initializer; output_N is the expected N-th graph output.
//
// Tolerance: |actual − expected| ≤ atol + rtol·|expected| with rtol 1e-3, atol 1e-5.
// For FLOAT16 outputs the reference (computed in float32/64) is first rounded to
// float16, as a float16 backend would store it, and compared with float16 tolerance:
// rtol 2^-9 (two float16 ulps relative) and atol 2^-14 (the smallest normal float16),
// because the expected values themselves were produced with float16 arithmetic.
// NaN matches NaN and infinities must match exactly, with one documented exception:
// a blocked attention score may be written as −∞ (the ONNX reference) or as the most
// negative finite float32, −3.4028235e38 (the sentinel onnxruntime masks with). Both
// mean "blocked" and give that key weight 0; such matches are counted and reported as
// notes, never silently.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataType, dataTypeName } from '../../src/engine/onnx/proto/data-type';
import { decodeModel, decodeTensor } from '../../src/engine/onnx/proto/codec';
import { roundToFloat16 } from '../../src/engine/onnx/proto/float16';
import { TensorArray, tensorToArray } from '../../src/engine/onnx/proto/tensor-data';
import type { ModelProto } from '../../src/engine/onnx/proto/types';
import { runReferenceGraph } from '../../src/engine/onnx/ops/run-node';

export const DEFAULT_TOLERANCE = { rtol: 1e-3, atol: 1e-5 };
export const FLOAT16_TOLERANCE = { rtol: 2 ** -9, atol: 2 ** -14 };

/** The case folder: $ATTENTION_CONFORMANCE_DIR, else ../shared/conformance/onnx-node beside the repo. */
export function conformanceDir(): string {
  const fromEnv = process.env.ATTENTION_CONFORMANCE_DIR;
  if (fromEnv) return resolve(fromEnv);
  return resolve(__dirname, '..', '..', '..', 'shared', 'conformance', 'onnx-node');
}

export interface DataSet {
  name: string;
  inputs: Record<string, TensorArray>;
  /** Expected outputs by graph output name. */
  expected: Record<string, TensorArray>;
}

export interface ConformanceCase {
  name: string;
  dir: string;
  modelBytes: Uint8Array;
  model: ModelProto;
  opTypes: string[];
  dataSets: DataSet[];
}

/** Names of the case folders (those holding model.onnx), sorted. */
export function listCases(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'model.onnx')))
    .sort();
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
}

export function loadCase(dir: string, name: string): ConformanceCase {
  const caseDir = join(dir, name);
  const modelBytes = readFileSync(join(caseDir, 'model.onnx'));
  const model = decodeModel(modelBytes);
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const inputNames = graph.input.map((i) => i.name ?? '').filter((n) => !initializers.has(n));
  const outputNames = graph.output.map((o) => o.name ?? '');
  const dataSets: DataSet[] = [];
  for (const set of readdirSync(caseDir).filter((d) => d.startsWith('test_data_set_')).sort()) {
    const setDir = join(caseDir, set);
    if (!statSync(setDir).isDirectory()) continue;
    const inputs: Record<string, TensorArray> = {};
    numbered(setDir, 'input_').forEach((file, i) => {
      const t = decodeTensor(readFileSync(join(setDir, file)));
      const name = t.name || inputNames[i];
      inputs[inputNames.includes(name) ? name : inputNames[i]] = tensorToArray(t);
    });
    const expected: Record<string, TensorArray> = {};
    numbered(setDir, 'output_').forEach((file, i) => {
      const t = decodeTensor(readFileSync(join(setDir, file)));
      const name = t.name && outputNames.includes(t.name) ? t.name : outputNames[i];
      expected[name] = tensorToArray(t);
    });
    dataSets.push({ name: set, inputs, expected });
  }
  return { name, dir: caseDir, modelBytes, model, opTypes: [...new Set(graph.node.map((n) => n.op_type ?? ''))], dataSets };
}

/** The most negative finite float32: onnxruntime's "masked" score. */
export const FLOAT32_LOWEST = -3.4028234663852886e38;

export interface Mismatch {
  output: string;
  /** Largest |actual − expected| over elements (NaN when the shapes or kinds differ). */
  maxAbsDiff: number;
  detail: string;
}

function isFloatArray(a: TensorArray): boolean {
  return a.data instanceof Float32Array || a.data instanceof Float64Array;
}

/**
 * Compare one output. `roundActualToFloat16` applies the float16 rounding to the
 * actual values (use it for the reference, not for a real float16 backend).
 */
export interface CompareNotes {
  /** Elements where one side had −∞ and the other the float32 lowest sentinel. */
  maskedSentinelMatches: number;
}

export function compareTensor(
  name: string,
  actual: TensorArray,
  expected: TensorArray,
  roundActualToFloat16: boolean,
  notes?: CompareNotes,
): Mismatch | undefined {
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(actual.dims, expected.dims)) {
    return { output: name, maxAbsDiff: NaN, detail: `shape [${actual.dims}] vs expected [${expected.dims}]` };
  }
  if (!isFloatArray(expected)) {
    const a = Array.from(actual.data as ArrayLike<number | bigint | string>);
    const e = Array.from(expected.data as ArrayLike<number | bigint | string>);
    const bad = a.findIndex((v, i) => String(v) !== String(e[i]));
    return bad < 0 ? undefined : { output: name, maxAbsDiff: NaN, detail: `element ${bad}: ${a[bad]} vs expected ${e[bad]}` };
  }
  if (!isFloatArray(actual)) return { output: name, maxAbsDiff: NaN, detail: `got ${dataTypeName(actual.dataType)} values` };
  const half = expected.dataType === DataType.FLOAT16;
  const { rtol, atol } = half ? FLOAT16_TOLERANCE : DEFAULT_TOLERANCE;
  const a = actual.data as Float32Array | Float64Array;
  const e = expected.data as Float32Array | Float64Array;
  let maxAbs = 0;
  let firstBad = -1;
  for (let i = 0; i < e.length; i++) {
    const x = half && roundActualToFloat16 ? roundToFloat16(a[i]) : a[i];
    const y = e[i];
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y) && firstBad < 0) firstBad = i;
      continue;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      const sentinelPair = (x === -Infinity && y <= FLOAT32_LOWEST) || (y === -Infinity && x <= FLOAT32_LOWEST);
      if (sentinelPair) {
        if (notes) notes.maskedSentinelMatches++;
      } else if (x !== y && firstBad < 0) firstBad = i;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > maxAbs) maxAbs = d;
    if (d > atol + rtol * Math.abs(y) && firstBad < 0) firstBad = i;
  }
  if (firstBad < 0) return undefined;
  return {
    output: name,
    maxAbsDiff: maxAbs,
    detail: `max abs diff ${maxAbs.toExponential(3)}; first mismatch at ${firstBad}: ${a[firstBad]} vs expected ${e[firstBad]}`,
  };
}

/** Compare every expected output of a data set; missing outputs are mismatches too. */
export function compareOutputs(
  actual: Record<string, TensorArray>,
  expected: Record<string, TensorArray>,
  roundActualToFloat16: boolean,
  notes?: CompareNotes,
): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    if (!got) {
      out.push({ output: name, maxAbsDiff: NaN, detail: 'output not produced' });
      continue;
    }
    const m = compareTensor(name, got, want, roundActualToFloat16, notes);
    if (m) out.push(m);
  }
  return out;
}

/** Run a case's data sets on the reference; returns mismatches per data set (throws on errors). */
export function runOnReference(c: ConformanceCase): Array<{ set: string; mismatches: Mismatch[]; outputs: Record<string, TensorArray> }> {
  return c.dataSets.map((ds) => {
    const outputs = runReferenceGraph(c.model, ds.inputs);
    return { set: ds.name, mismatches: compareOutputs(outputs, ds.expected, true), outputs };
  });
}
