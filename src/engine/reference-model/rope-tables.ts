// Cos/sin tables for rotary position embeddings (RoPE, half-split pairs (i, i + D/2)).
//
// The angle for position p and pair i is θ = p · base^(−2i/D). An exported model carries its
// own tables, computed once by PyTorch in float32; at position 500 an angle of ~500 rad in
// float32 is off by up to ~3e-5 rad, which is visible in attention at the 1e-5 level. So we use
// the model's tables when the graph has them (a [P, D] constant whose first row is all ones —
// cos 0 — and one whose first row is all zeros — sin 0 — each holding the same D/2 values
// twice), and otherwise compute them the way PyTorch does, rounding to float32 at every step.
import { tensorToFloat32, type GraphProto, type TensorProto } from '../onnx/proto';
import type { Tensor } from '../reference/tensor';

export interface RopeTables {
  /** [P, D/2]: cos θ(p, i), the layout of the reference RoPE kernel. */
  cos: Tensor;
  sin: Tensor;
  /** Where they came from, for notes and tests. */
  source: 'graph' | 'computed';
}

/** Every float tensor stored in the graph: initializers and Constant node values. */
function graphConstants(graph: GraphProto): TensorProto[] {
  const out = [...graph.initializer];
  for (const n of graph.node) {
    if (n.op_type !== 'Constant') continue;
    const value = n.attribute.find((a) => a.name === 'value')?.t;
    if (value) out.push(value);
  }
  return out;
}

/** [P, D] with both halves equal → the first half as [P, D/2]; undefined otherwise. */
function halfOf(values: Float32Array, rows: number, width: number): Float32Array | undefined {
  const half = width / 2;
  const out = new Float32Array(rows * half);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < half; i++) {
      const a = values[p * width + i];
      if (a !== values[p * width + half + i]) return undefined;
      out[p * half + i] = a;
    }
  }
  return out;
}

export function ropeTablesFromGraph(graph: GraphProto, headDim: number): RopeTables | undefined {
  let cos: Float32Array | undefined;
  let sin: Float32Array | undefined;
  let rows = 0;
  for (const t of graphConstants(graph)) {
    const dims = t.dims.filter((d, k) => !(d === 1 && k < t.dims.length - 2)); // [1, 1, P, D] → [P, D]
    if (dims.length !== 2 || dims[1] !== headDim || dims[0] < 2) continue;
    if (t.data_type !== 1 && t.data_type !== 10 && t.data_type !== 11) continue; // float, float16, double
    const values = tensorToFloat32(t);
    const firstRow = values.subarray(0, headDim);
    const half = halfOf(values, dims[0], headDim);
    if (!half) continue;
    if (!cos && firstRow.every((v) => v === 1)) {
      cos = half;
      rows = rows ? Math.min(rows, dims[0]) : dims[0];
    } else if (!sin && firstRow.every((v) => v === 0) && values.some((v) => v !== 0)) {
      sin = half;
      rows = rows ? Math.min(rows, dims[0]) : dims[0];
    }
  }
  if (!cos || !sin) return undefined;
  const half = headDim / 2;
  return {
    cos: { data: cos.subarray(0, rows * half), shape: [rows, half] },
    sin: { data: sin.subarray(0, rows * half), shape: [rows, half] },
    source: 'graph',
  };
}

/** The tables as PyTorch computes them in float32: inv = 1 / base^(2i/D), θ = p · inv. */
export function ropeTablesComputed(positions: number, headDim: number, base: number): RopeTables {
  const f = Math.fround;
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(Math.pow(base, f(f(2 * i) / headDim))));
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = f(p * inv[i]);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos: { data: cos, shape: [positions, half] }, sin: { data: sin, shape: [positions, half] }, source: 'computed' };
}
