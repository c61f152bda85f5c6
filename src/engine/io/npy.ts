// NumPy .npy files, read and written without NumPy: format versions 1.0, 2.0 and 3.0;
// float16 / float32 / float64 in either byte order; C or Fortran order.
//
// Layout (numpy/lib/format.py documents it): the magic "\x93NUMPY", a major and minor
// version byte, the header length (uint16 little-endian in v1, uint32 in v2/v3), then the
// header: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ending in '\n' so that the data starts at a multiple of 64 bytes
// (latin-1 text in v1/v2, UTF-8 in v3). The data follows, item after item.
//
// Reading always returns float32 values in C (row-major) order: float16 is widened exactly,
// float64 is rounded to the nearest float32, and Fortran-ordered data is transposed; for
// little-endian float32 in C order the result is a view sharing the input's memory. Pure
// TypeScript over Uint8Array (no Node APIs), so the webview's export can use it too.
import { floatToHalf, halfToFloat } from './float16';

export type NpyDtype = 'float16' | 'float32' | 'float64';

export interface NpyArray {
  /** Values in C order, as float32. */
  data: Float32Array;
  shape: number[];
  /** How the file stored them. */
  dtype: NpyDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  version: 1 | 2 | 3;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const ITEM_SIZE: Record<NpyDtype, number> = { float16: 2, float32: 4, float64: 8 };
const KIND: Record<string, NpyDtype> = { f2: 'float16', f4: 'float32', f8: 'float64', e: 'float16', f: 'float32', d: 'float64' };

export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

/** Parses the header dict (descr, fortran_order, shape); anything else is an error. */
function parseHeader(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  if (!descr) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) throw new NpyFormatError('structured (record) arrays are not supported; save a plain float array');
    throw new NpyFormatError(`header has no 'descr': ${text.trim()}`);
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw new NpyFormatError(`header has no 'fortran_order': ${text.trim()}`);
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeText) throw new NpyFormatError(`header has no 'shape': ${text.trim()}`);
  const shape = shapeText[1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+$/.test(s)) throw new NpyFormatError(`bad dimension '${s}' in shape (${shapeText[1]})`);
      return Number(s);
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape };
}

/** '<f4' → float32 little-endian; '>f8' → float64 big-endian; '|'/'=' mean native (little here). */
function parseDescr(descr: string): { dtype: NpyDtype; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-z]\d*)$/.exec(descr);
  const dtype = m ? KIND[m[2]] : undefined;
  if (!m || !dtype) {
    throw new NpyFormatError(`dtype '${descr}' is not supported: attention weights must be float16, float32 or float64 (e.g. arr.astype(np.float32))`);
  }
  return { dtype, littleEndian: m[1] !== '>' };
}

/** Reads a .npy file's bytes. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyFormatError('not a .npy file (the magic string \\x93NUMPY is missing)');
  }
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new NpyFormatError(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new NpyFormatError('truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (bytes.length < start + headerLength) throw new NpyFormatError('truncated .npy header');
  const headerBytes = bytes.subarray(start, start + headerLength);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const { descr, fortranOrder, shape } = parseHeader(text);
  const { dtype, littleEndian } = parseDescr(descr);

  const count = shape.reduce((x, y) => x * y, 1);
  const item = ITEM_SIZE[dtype];
  const offset = start + headerLength;
  const expected = count * item;
  if (bytes.length - offset < expected) {
    throw new NpyFormatError(`truncated .npy data: shape (${shape.join(', ')}) needs ${expected} bytes, the file has ${bytes.length - offset}`);
  }
  if (bytes.length - offset > expected) {
    throw new NpyFormatError(`.npy file has ${bytes.length - offset - expected} bytes after the data of shape (${shape.join(', ')})`);
  }
  const raw = decode(view, offset, count, dtype, littleEndian);
  const data = fortranOrder && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { data, shape, dtype, littleEndian, fortranOrder, version: major as 1 | 2 | 3 };
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function decode(view: DataView, offset: number, count: number, dtype: NpyDtype, le: boolean): Float32Array {
  // The common case (little-endian float32, aligned) is a view on the file's bytes: no copy,
  // so a 700 MB dump costs 700 MB, not twice that. (Assumes a little-endian host, as are all
  // platforms Node supports.)
  if (dtype === 'float32' && le && (view.byteOffset + offset) % 4 === 0) {
    return new Float32Array(view.buffer, view.byteOffset + offset, count);
  }
  const out = new Float32Array(count);
  if (dtype === 'float32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, le);
  } else if (dtype === 'float64') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, le);
  } else {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(offset + 2 * i, le));
  }
  return out;
}

/** Fortran (column-major) data → C (row-major) order. */
export function fortranToC(data: Float32Array, shape: readonly number[]): Float32Array {
  const n = shape.length;
  const fStride = new Array<number>(n);
  let acc = 1;
  for (let d = 0; d < n; d++) {
    fStride[d] = acc;
    acc *= shape[d];
  }
  const out = new Float32Array(data.length);
  const index = new Array<number>(n).fill(0);
  let src = 0;
  // Walk the C order with an odometer over the indices, tracking the Fortran offset.
  for (let c = 0; c < out.length; c++) {
    out[c] = data[src];
    for (let d = n - 1; d >= 0; d--) {
      index[d]++;
      src += fStride[d];
      if (index[d] < shape[d]) break;
      src -= fStride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

export interface NpyWriteOptions {
  /** Stored type (default float32). */
  dtype?: NpyDtype;
  /** Byte order (default little-endian). */
  littleEndian?: boolean;
  /** Format version; default 1, or 2 when the header does not fit v1's 65 535 bytes. */
  version?: 1 | 2 | 3;
}

/** Encodes C-ordered values of the given shape as a .npy file. */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[], opts: NpyWriteOptions = {}): Uint8Array {
  const count = shape.reduce((x, y) => x * y, 1);
  if (data.length !== count) throw new Error(`encodeNpy: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  const dtype = opts.dtype ?? 'float32';
  const le = opts.littleEndian ?? true;
  const code = dtype === 'float16' ? 'f2' : dtype === 'float32' ? 'f4' : 'f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${le ? '<' : '>'}${code}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = opts.version ?? 1;
  const lengthBytes = (v: number): number => (v === 1 ? 2 : 4);
  const padded = (v: number): number => Math.ceil((8 + lengthBytes(v) + dict.length + 1) / ALIGN) * ALIGN - 8 - lengthBytes(v);
  if (version === 1 && padded(1) > 0xffff) version = 2;
  const headerLength = padded(version);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  const item = ITEM_SIZE[dtype];
  const offset = 8 + lengthBytes(version) + headerLength;
  const out = new Uint8Array(offset + count * item);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[8 + lengthBytes(version) + i] = header.charCodeAt(i); // ASCII: same in UTF-8
  for (let i = 0; i < count; i++) {
    const x = data[i];
    if (dtype === 'float32') view.setFloat32(offset + 4 * i, x, le);
    else if (dtype === 'float64') view.setFloat64(offset + 8 * i, x, le);
    else view.setUint16(offset + 2 * i, floatToHalf(x), le);
  }
  return out;
}
