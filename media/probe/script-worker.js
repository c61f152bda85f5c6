// Attention Inspector probe worker: loads a user's TypeScript/JavaScript module inside a
// worker thread (heap-limited by the parent's resourceLimits, stopped by terminate() on a
// timeout) and calls one exported function with tensors sent by the parent.
//
// TypeScript is transpiled to CommonJS (the bundled Sucrase, see transpiler()) through a require hook,
// so relative imports of other .ts files work too. ES-module JavaScript is loaded with
// import(); if Node refuses its syntax as CommonJS, it is transpiled the same way.
//
// Messages: parent → worker {op: 'call', id, form, args: [{name, value}]}
//           worker → parent {op: 'loaded', ok, ...} once, then {op: 'result', id, ok, outputs}
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

// The transpiler: the extension's bundled one (dist/probe-transpile.js, Sucrase) when built,
// else esbuild from node_modules (a development checkout before `npm run build`).
let transform;
function transpiler() {
  if (transform === undefined) {
    transform = null;
    try {
      const bundled = require(path.join(__dirname, '..', '..', 'dist', 'probe-transpile.js'));
      transform = (source, filename, loader) => bundled.transpileScript(source, filename, loader);
    } catch {
      try {
        const esbuild = require('esbuild');
        transform = (source, filename, loader) =>
          esbuild.transformSync(source, { loader, format: 'cjs', target: 'node18', sourcefile: filename, sourcemap: 'inline' }).code;
      } catch {
        /* neither: reported below */
      }
    }
  }
  if (!transform) throw new Error('no TypeScript transpiler: dist/probe-transpile.js is missing (run `npm run build`)');
  return transform;
}

function transpileHook(loader) {
  return (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    module._compile(transpiler()(source, filename, loader), filename);
  };
}

function registerTypeScript() {
  for (const ext of ['.ts', '.mts', '.cts']) require.extensions[ext] = transpileHook('ts');
  require.extensions['.tsx'] = transpileHook('tsx');
}

async function loadModule(file) {
  const ext = path.extname(file).toLowerCase();
  if (['.ts', '.mts', '.cts', '.tsx'].includes(ext)) {
    registerTypeScript();
    return require(file);
  }
  try {
    return require(file);
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    if (e instanceof SyntaxError && /import|export/.test(String(e.message))) {
      delete require.cache[file];
      require.extensions['.js'] = transpileHook('js');
      require.extensions['.mjs'] = transpileHook('js');
      return require(file);
    }
    throw e;
  }
}

function pick(moduleExports, exportName) {
  if (!moduleExports) return undefined;
  if (exportName === 'module.exports') return moduleExports;
  if (exportName === 'default') return moduleExports.default ?? (typeof moduleExports === 'function' ? moduleExports : undefined);
  if (moduleExports[exportName] !== undefined) return moduleExports[exportName];
  return moduleExports.default ? moduleExports.default[exportName] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Tensors in the forms a hand-written function may take

function nested(data, shape, offset = 0, axis = 0, asBool = false) {
  const n = shape[axis];
  const out = new Array(n);
  if (axis === shape.length - 1) {
    for (let i = 0; i < n; i++) out[i] = asBool ? data[offset + i] !== 0 : data[offset + i];
    return out;
  }
  let stride = 1;
  for (let a = axis + 1; a < shape.length; a++) stride *= shape[a];
  for (let i = 0; i < n; i++) out[i] = nested(data, shape, offset + i * stride, axis + 1, asBool);
  return out;
}

function argument(value, form) {
  switch (value.kind) {
    case 'tensor': {
      const asBool = value.dtype === 'bool';
      if (form === 'nested') return value.shape.length === 0 ? value.data[0] : nested(value.data, value.shape, 0, 0, asBool);
      const data = asBool ? Uint8Array.from(value.data, (x) => (x !== 0 ? 1 : 0)) : Float32Array.from(value.data);
      return form === 'tensor' ? { data, shape: [...value.shape] } : data;
    }
    case 'none':
      return undefined;
    case 'int':
    case 'number':
    case 'bool':
      return value.value;
    default:
      throw new Error('unknown argument kind ' + value.kind);
  }
}

function isNumericArrayLike(x) {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** Shape of a rectangular nested numeric array, or undefined. */
function nestedShape(x) {
  const shape = [];
  let cur = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) return undefined;
    cur = cur[0];
  }
  if (isNumericArrayLike(cur)) shape.push(cur.length);
  else if (typeof cur !== 'number' && typeof cur !== 'boolean') return undefined;
  return shape;
}

function flattenNested(x, shape, out) {
  const total = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(total);
  let k = 0;
  const walk = (v, axis) => {
    if (axis === shape.length) {
      data[k++] = Number(v);
      return;
    }
    if ((!Array.isArray(v) && !isNumericArrayLike(v)) || v.length !== shape[axis]) throw new Error('ragged');
    for (let i = 0; i < v.length; i++) walk(v[i], axis + 1);
  };
  walk(x, 0);
  out.push({ data, shape });
}

function collectOutputs(result, name, out) {
  if (out.length >= 16 || result === undefined || result === null) return;
  if (isNumericArrayLike(result)) {
    out.push({ name, data: Float32Array.from(result), shape: [result.length] });
    return;
  }
  if (typeof result === 'number') return;
  if (Array.isArray(result)) {
    const shape = nestedShape(result);
    if (shape) {
      try {
        const parts = [];
        flattenNested(result, shape, parts);
        out.push({ name, ...parts[0] });
        return;
      } catch {
        // ragged: fall through to element-wise
      }
    }
    result.forEach((v, i) => collectOutputs(v, `${name}.${i}`, out));
    return;
  }
  if (typeof result === 'object') {
    if (isNumericArrayLike(result.data) && Array.isArray(result.shape)) {
      out.push({ name, data: Float32Array.from(result.data), shape: result.shape.map(Number) });
      return;
    }
    for (const [key, value] of Object.entries(result)) collectOutputs(value, key, out);
  }
}

function errorFields(e) {
  const err = e instanceof Error ? e : new Error(String(e));
  const stack = String(err.stack || '')
    .split('\n')
    .filter((l) => !l.includes('script-worker.js') && !l.includes('node:internal'))
    .slice(0, 8)
    .join('\n');
  return { errorType: err.name || 'Error', message: String(err.message).slice(0, 2000), detail: stack };
}

async function main() {
  let fn;
  try {
    const mod = await loadModule(workerData.file);
    fn = pick(mod, workerData.exportName);
  } catch (e) {
    parentPort.postMessage({ op: 'loaded', ok: false, stage: 'import', ...errorFields(e) });
    return;
  }
  if (typeof fn !== 'function') {
    parentPort.postMessage({
      op: 'loaded',
      ok: false,
      stage: 'lookup',
      errorType: 'TypeError',
      message: `${path.basename(workerData.file)} does not export a function '${workerData.exportName}'`,
    });
    return;
  }
  parentPort.on('message', async (msg) => {
    if (!msg || msg.op !== 'call') return;
    try {
      const args = msg.args.map((a) => argument(a.value, msg.form));
      const result = await fn(...args);
      const outputs = [];
      collectOutputs(result, 'output', outputs);
      parentPort.postMessage({ op: 'result', id: msg.id, ok: true, outputs });
    } catch (e) {
      parentPort.postMessage({ op: 'result', id: msg.id, ok: false, ...errorFields(e) });
    }
  });
  parentPort.postMessage({ op: 'loaded', ok: true, length: fn.length });
}

main();
