// The probe's TypeScript transpiler (bundled into dist/probe-transpile.js for the installed
// extension): types removed, import/export rewritten to CommonJS, line numbers kept.
import assert from 'node:assert/strict';
import { transpileScript } from '../../../../src/lint/probe/transpile-script';

function load(code: string, deps: Record<string, unknown> = {}): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', code)(module, module.exports, (name: string) => deps[name]);
  return module.exports;
}

describe('probe transpiler (Sucrase)', () => {
  it('strips types, interfaces, enums and generics and keeps exports callable', () => {
    const src = [
      'interface Shape { rows: number; cols: number }',
      'enum Axis { Query, Key }',
      'export type Row = Float32Array;',
      'export function softmax<T extends ArrayLike<number>>(xs: T, axis: Axis = Axis.Key): number[] {',
      '  const m = Math.max(...Array.from(xs));',
      '  const e = Array.from(xs, (x: number) => Math.exp(x - m));',
      '  const s = e.reduce((a: number, b: number) => a + b, 0);',
      '  return e.map((x) => x / s);',
      '}',
      'export const shape: Shape = { rows: 2, cols: 3 };',
    ].join('\n');
    const out = load(transpileScript(src, 'softmax.ts', 'ts'));
    const p = (out.softmax as (xs: number[]) => number[])([1, 2, 3]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.deepEqual(out.shape, { rows: 2, cols: 3 });
  });

  it('rewrites imports to require and keeps every line where it was', () => {
    const src = ["import { scale } from './scale';", 'export default function f(x: number): number {', '  return scale(x);', '}', 'export const line = new Error().stack;'].join('\n');
    const code = transpileScript(src, 'f.ts', 'ts');
    assert.equal(code.split('\n').length >= 5, true);
    const out = load(code, { './scale': { scale: (x: number) => 2 * x } });
    assert.equal((out.default as (x: number) => number)(4), 8);
    // the `return` stays on line 3, so errors in the user's code point at their line
    assert.match(code.split('\n')[2], /return/);
  });

  it('turns ES-module JavaScript into CommonJS', () => {
    const out = load(transpileScript('export const twice = (x) => 2 * x;', 'm.mjs', 'js'));
    assert.equal((out.twice as (x: number) => number)(3), 6);
  });

  it('reports a syntax error with the file name', () => {
    assert.throws(() => transpileScript('export function (', 'broken.ts', 'ts'), /broken\.ts|Unexpected/);
  });
});
