// Runs a Python exercise file's entry point on given arrays with Debian's python3 (NumPy,
// PyTorch), for the exercise tests: the reference solutions must agree with the engine and the
// starting files must not. A stand-in for nothing: the probe (issue 5) does this for learners.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

export interface PyArray {
  data: Float32Array;
  shape: number[];
}

export type PyResult = { ok: true; data: Float32Array; shape: number[] } | { ok: false; error: string };

// One process for a whole batch of calls: importing PyTorch takes seconds.
const HARNESS = `
import importlib.util, json, sys
import numpy as np

def run(req, n):
    spec = importlib.util.spec_from_file_location("exercise%d" % n, req["path"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fn = getattr(mod, req["entry"])
    def arr(a):
        x = np.array(a["data"], dtype=np.float32).reshape(a["shape"])
        if req["framework"] == "torch":
            import torch
            return torch.from_numpy(x)
        return x
    args = [arr(a) for a in req["args"]]
    if req.get("construct") is not None:
        import torch
        torch.manual_seed(0)
        fn = fn(**req["construct"])
    out = fn(*args, **req.get("kwargs", {}))
    if hasattr(out, "detach"):
        out = out.detach().numpy()
    out = np.asarray(out, dtype=np.float64)
    return {"ok": True, "data": [None if not np.isfinite(v) else float(v) for v in out.ravel()], "shape": list(out.shape)}

results = []
for n, req in enumerate(json.load(sys.stdin)):
    try:
        results.append(run(req, n))
    except Exception as e:
        results.append({"ok": False, "error": type(e).__name__ + ": " + str(e)})
print(json.dumps(results))
`;

let available: boolean | undefined;
/** python3 with NumPy and PyTorch importable. */
export function pythonAvailable(): boolean {
  if (available === undefined) {
    available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0;
  }
  return available;
}

export interface PyCall {
  path: string;
  entry: string;
  framework: 'numpy' | 'torch';
  args: PyArray[];
  kwargs?: Record<string, number>;
  /** Instantiate the entry (an nn.Module) with these arguments, seeded, then call it. */
  construct?: Record<string, number>;
}

/** Runs every call in one python3 process; one result per call, in order. */
export function runPythonBatch(calls: PyCall[]): PyResult[] {
  const request = JSON.stringify(calls.map((c) => ({ ...c, args: c.args.map((a) => ({ data: Array.from(a.data), shape: a.shape })) })));
  const r = spawnSync(PYTHON, ['-c', HARNESS], { input: request, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr.trim().split('\n').slice(-1)[0]}`);
  const out = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as { ok: boolean; data?: (number | null)[]; shape?: number[]; error?: string }[];
  return out.map((o) =>
    o.ok ? { ok: true, data: Float32Array.from(o.data ?? [], (v) => (v === null ? NaN : v)), shape: o.shape ?? [] } : { ok: false, error: o.error ?? '' },
  );
}
