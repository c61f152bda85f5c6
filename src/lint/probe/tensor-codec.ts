// Tensors cross the process boundary as base64 of little-endian float32 (exact, compact, and
// NaN/±∞ survive, which JSON numbers cannot carry).

export function encodeFloat32(data: Float32Array): string {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return Buffer.from(bytes).toString('base64');
}

export function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`tensor payload of ${bytes.length} bytes is not whole float32 values`);
  const out = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
