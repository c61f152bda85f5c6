// .npy reading and writing, checked against files written and read by real NumPy.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatToHalf, halfToFloat } from '../../../../src/engine/io/float16';
import { NpyFormatError, encodeNpy, fortranToC, parseNpy } from '../../../../src/engine/io/npy';
import { requireNumpy, runPython } from './numpy-python';

/** Expected values travel as JSON; non-finite ones as strings. */
type JsonNumber = number | 'nan' | 'inf' | '-inf';
const fromJson = (x: JsonNumber): number => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x);

function sameFloat32(actual: Float32Array, expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = Math.fround(expected[i]);
    if (Number.isNaN(e)) assert.ok(Number.isNaN(actual[i]), `${label}[${i}] should be NaN`);
    else assert.ok(Object.is(actual[i], e), `${label}[${i}]: ${actual[i]} !== ${e}`);
  }
}

/** A Python list literal of floats (JSON has no NaN or Infinity). */
function pythonList(values: number[]): string {
  const item = (v: number): string =>
    Number.isNaN(v) ? "float('nan')" : v === Infinity ? "float('inf')" : v === -Infinity ? "float('-inf')" : Object.is(v, -0) ? '-0.0' : String(v);
  return `[${values.map(item).join(', ')}]`;
}

describe('npy: pure parts', () => {
  it('float16 round-trips every finite half and rounds ties to even', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = halfToFloat(h);
      if (!Number.isNaN(x)) assert.equal(floatToHalf(x), h, `half 0x${h.toString(16)}`);
    }
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0x0001), 2 ** -24); // smallest subnormal
    assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // halfway between 1 and the next half: even
    assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02); // halfway, odd below: round up
    assert.equal(floatToHalf(65520), 0x7c00); // rounds past the largest half (65504)
  });

  it('transposes Fortran order: a 2×3 matrix stored column-major', () => {
    // [[1, 2, 3], [4, 5, 6]] in Fortran order is 1 4 2 5 3 6.
    assert.deepEqual(Array.from(fortranToC(Float32Array.from([1, 4, 2, 5, 3, 6]), [2, 3])), [1, 2, 3, 4, 5, 6]);
  });

  it('writes a v1 header padded to 64 bytes and reads it back', () => {
    const bytes = encodeNpy([1.5, -2, 3], [3]);
    assert.equal((10 + (bytes[8] | (bytes[9] << 8))) % 64, 0);
    const back = parseNpy(bytes);
    assert.deepEqual(back.shape, [3]);
    assert.deepEqual(Array.from(back.data), [1.5, -2, 3]);
  });

  it('rejects what is not a float .npy with a clear error', () => {
    assert.throws(() => parseNpy(new Uint8Array([1, 2, 3])), /not a \.npy file/);
    const good = encodeNpy(new Float32Array(12), [3, 4]);
    assert.throws(() => parseNpy(good.subarray(0, good.length - 5)), (e: Error) => e instanceof NpyFormatError && /truncated .npy data/.test(e.message));
    const header = new TextDecoder().decode(good.subarray(10, 74)).replace("'<f4'", "'<i4'");
    const int32 = good.slice();
    int32.set(new TextEncoder().encode(header), 10);
    assert.throws(() => parseNpy(int32), /dtype '<i4' is not supported/);
  });
});

describe('npy: against NumPy', function () {
  let dir = '';
  before(function () {
    requireNumpy(this);
    dir = mkdtempSync(join(tmpdir(), 'npy-test-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads what NumPy writes: dtypes, byte orders, Fortran order, versions, odd shapes', () => {
    const manifest = JSON.parse(
      runPython(
        String.raw`
import json, numpy as np
base = (np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) * 0.37 - 10.0) / 7.0
special = np.array([0.0, -0.0, 1.0, -1.5, 65504.0, 6.1e-05, 6e-08, 1e-3, np.inf, -np.inf, np.nan, 3.14159], dtype=np.float64)
def enc(v):
    return 'nan' if np.isnan(v) else 'inf' if v == np.inf else '-inf' if v == -np.inf else float(v)
cases = {}
def save(name, arr, version=None):
    if version is None:
        np.save(name + '.npy', arr)
    else:
        with open(name + '.npy', 'wb') as f:
            np.lib.format.write_array(f, arr, version=version)
    c = np.ascontiguousarray(arr)
    cases[name] = {'shape': list(arr.shape), 'values': [enc(v) for v in c.astype(np.float64).ravel()]}
save('f4', base.astype('<f4'))
save('f8', base.astype('<f8'))
save('f2', base.astype('<f2'))
save('be_f4', base.astype('>f4'))
save('be_f8', base.astype('>f8'))
save('be_f2', base.astype('>f2'))
save('fortran_f4', np.asfortranarray(base.astype('<f4')))
save('fortran_f2_2d', np.asfortranarray(base.reshape(12, 10).astype('<f2')))
save('v2', base.astype('<f4'), version=(2, 0))
save('v3', base.astype('<f4'), version=(3, 0))
save('special_f4', special.astype('<f4'))
save('special_f2', special.astype('<f2'))
save('scalar', np.array(2.5, dtype=np.float32))
save('vector', np.arange(7, dtype=np.float32))
save('empty', np.zeros((0, 3), dtype=np.float32))
np.save('int32.npy', np.arange(6, dtype=np.int32))
np.save('record.npy', np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')]))
print(json.dumps(cases))
`,
        dir,
      ),
    ) as Record<string, { shape: number[]; values: JsonNumber[] }>;
    const expectations: Record<string, { dtype: string; littleEndian: boolean; fortranOrder: boolean; version: number }> = {
      f4: { dtype: 'float32', littleEndian: true, fortranOrder: false, version: 1 },
      f8: { dtype: 'float64', littleEndian: true, fortranOrder: false, version: 1 },
      f2: { dtype: 'float16', littleEndian: true, fortranOrder: false, version: 1 },
      be_f4: { dtype: 'float32', littleEndian: false, fortranOrder: false, version: 1 },
      be_f8: { dtype: 'float64', littleEndian: false, fortranOrder: false, version: 1 },
      be_f2: { dtype: 'float16', littleEndian: false, fortranOrder: false, version: 1 },
      fortran_f4: { dtype: 'float32', littleEndian: true, fortranOrder: true, version: 1 },
      fortran_f2_2d: { dtype: 'float16', littleEndian: true, fortranOrder: true, version: 1 },
      v2: { dtype: 'float32', littleEndian: true, fortranOrder: false, version: 2 },
      v3: { dtype: 'float32', littleEndian: true, fortranOrder: false, version: 3 },
    };
    for (const [name, c] of Object.entries(manifest)) {
      const got = parseNpy(readFileSync(join(dir, `${name}.npy`)));
      assert.deepEqual(got.shape, c.shape, `${name}: shape`);
      sameFloat32(got.data, c.values.map(fromJson), name);
      const e = expectations[name];
      if (e) assert.deepEqual({ dtype: got.dtype, littleEndian: got.littleEndian, fortranOrder: got.fortranOrder, version: got.version }, e, name);
    }
    assert.throws(() => parseNpy(readFileSync(join(dir, 'int32.npy'))), /dtype '<i4' is not supported/);
    assert.throws(() => parseNpy(readFileSync(join(dir, 'record.npy'))), /structured \(record\) arrays are not supported/);
  });

  it('writes what NumPy reads: every dtype, byte order and version, and float16 rounding bit for bit', () => {
    const values = [0, -0, 1, -1.5, 1 / 3, 65504, 65519, 65520, 6.1e-5, 5.96e-8, 2.98e-8, 1e-3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity, NaN, 3.14159, 1e6];
    const shape = [values.length];
    const written: string[] = [];
    for (const dtype of ['float16', 'float32', 'float64'] as const) {
      for (const littleEndian of [true, false]) {
        for (const version of [1, 2, 3] as const) {
          const name = `w_${dtype}_${littleEndian ? 'le' : 'be'}_v${version}.npy`;
          writeFileSync(join(dir, name), encodeNpy(values, shape, { dtype, littleEndian, version }));
          written.push(name);
        }
      }
    }
    writeFileSync(join(dir, 'w_4d.npy'), encodeNpy(Float32Array.from({ length: 24 }, (_, i) => i / 8), [2, 3, 2, 2]));
    const report = JSON.parse(
      runPython(
        String.raw`
import json, numpy as np
values = np.array(json.loads(open('values.json').read()), dtype=np.float64)
out = {}
for name in json.loads(open('written.json').read()):
    a = np.load(name)
    dtype = name.split('_')[1]
    want = values.astype(np.float32).astype(dtype) if dtype != 'float64' else values
    out[name] = {'dtype': str(a.dtype), 'equal': bool(np.array_equal(a, want, equal_nan=True)),
                 'bits': a.view(np.uint16).tolist() if dtype == 'float16' else None}
b = np.load('w_4d.npy')
out['w_4d.npy'] = {'dtype': str(b.dtype), 'equal': bool(np.array_equal(b, (np.arange(24) / 8).reshape(2, 3, 2, 2).astype(np.float32))), 'bits': None}
out['half_bits'] = values.astype(np.float32).astype(np.float16).view(np.uint16).tolist()
print(json.dumps(out))
`.replace("json.loads(open('values.json').read())", pythonList(values))
          .replace("json.loads(open('written.json').read())", JSON.stringify(written)),
        dir,
      ),
    ) as Record<string, { dtype: string; equal: boolean; bits: number[] | null } | number[]>;
    for (const name of [...written, 'w_4d.npy']) {
      const r = report[name] as { dtype: string; equal: boolean };
      assert.ok(r.equal, `${name}: NumPy read different values (dtype ${r.dtype})`);
    }
    const numpyBits = report.half_bits as number[];
    values.forEach((v, i) => {
      if (!Number.isNaN(v)) assert.equal(floatToHalf(v), numpyBits[i], `float16 of ${v}`);
    });
  });
});
