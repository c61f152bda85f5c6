// A copy of a RoPE model folder whose position-dependent constants are extended to a longer
// context, so the benchmarks can time runs longer than the bundled model's 512 positions. The
// weights are untouched: the cost is that of a real run of that length, the attention past the
// trained context is not meaningful.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, decodeModel, encodeModel, tensorToArray, arrayToTensorProto, type TensorProto } from '../../src/engine/onnx/proto';

/**
 * A copy of the bundled model whose position-dependent constants cover `context` positions:
 * RoPE cos/sin tables [C, d] (C = the model's context) and the boolean causal mask [.., C, C].
 * Any other constant with the context as a dimension stops the extension (learned position
 * embeddings cannot be extended).
 */
export function extendedContextCopy(modelDir: string, context: number): { dir: string; description: string } {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'inspector.json'), 'utf8')) as { contextLength?: number; ropeTheta?: number };
  const old = manifest.contextLength;
  if (!old) throw new Error('inspector.json has no contextLength');
  const theta = manifest.ropeTheta ?? 10000;
  const model = decodeModel(readFileSync(join(modelDir, 'model.onnx')));
  const graph = model.graph!;
  const tensors: Array<{ t: TensorProto; name: string }> = graph.initializer.map((t) => ({ t, name: t.name ?? '(initializer)' }));
  for (const node of graph.node) {
    if (node.op_type === 'Constant') for (const a of node.attribute) if (a.t) tensors.push({ t: a.t, name: node.output[0] ?? '(constant)' });
  }
  const changed: string[] = [];
  for (const { t, name } of tensors) {
    const dims = t.dims.map(Number);
    if (!dims.includes(old)) continue;
    const { data, dataType } = tensorToArray(t);
    let replacement: TensorProto | undefined;
    if ((dataType === DataType.BOOL || dataType === DataType.UINT8) && dims.length >= 2 && dims.at(-1) === old && dims.at(-2) === old) {
      // lower-triangular causal mask
      const lead = dims.slice(0, -2).reduce((a, b) => a * b, 1);
      if (lead !== 1) throw new Error(`mask ${name} has ${lead} leading planes`);
      const values = data as Uint8Array;
      for (let i = 0; i < old; i++) for (let j = 0; j < old; j++) if ((values[i * old + j] !== 0) !== (j <= i)) throw new Error(`${name} is not a causal mask`);
      const bigger = new Uint8Array(context * context);
      for (let i = 0; i < context; i++) bigger.fill(1, i * context, i * context + i + 1);
      replacement = arrayToTensorProto(bigger, [...dims.slice(0, -2), context, context], { dataType, name: t.name });
    } else if (dataType === DataType.FLOAT && dims.length === 2 && dims[0] === old) {
      // half-split RoPE table: column c uses frequency theta^(-2(c mod d/2)/d); cos or sin
      const d = dims[1];
      const values = data as Float32Array;
      const angle = (p: number, c: number) => p * Math.pow(theta, -(2 * (c % (d / 2))) / d);
      let fn: ((x: number) => number) | undefined;
      for (const f of [Math.cos, Math.sin]) {
        let worst = 0;
        for (let p = 0; p < old; p++) for (let c = 0; c < d; c++) worst = Math.max(worst, Math.abs(values[p * d + c] - f(angle(p, c))));
        if (worst < 1e-4) fn = f;
      }
      if (!fn) throw new Error(`${name} [${dims.join(', ')}] is neither RoPE table (learned positions cannot be extended)`);
      const bigger = new Float32Array(context * d);
      for (let p = 0; p < context; p++) for (let c = 0; c < d; c++) bigger[p * d + c] = p < old ? values[p * d + c] : fn(angle(p, c));
      replacement = arrayToTensorProto(bigger, [context, d], { name: t.name });
    } else {
      throw new Error(`${name} [${dims.join(', ')}] depends on the context length in a way this benchmark cannot extend`);
    }
    Object.assign(t, replacement);
    changed.push(`${name} [${dims.join('×')}]`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'attn-bench-ctx-'));
  writeFileSync(join(dir, 'model.onnx'), encodeModel(model));
  copyFileSync(join(modelDir, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'inspector.json'), JSON.stringify({ ...manifest, contextLength: context }, null, 2));
  return { dir, description: `${changed.length} constants extended from ${old} to ${context} positions: ${changed.join(', ')}` };
}
