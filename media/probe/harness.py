"""Attention Inspector probe harness: imports a user's Python file and calls one attention
function (or nn.Module) on tensors sent by the extension, then sends the outputs back.

Protocol: one JSON object per line. Requests arrive on stdin, replies leave on the ORIGINAL
stdout; everything the user's code prints goes to stderr, so prints cannot corrupt the
protocol. Tensors travel as {"shape": [...], "data": base64 of little-endian float32}.

  {"op": "load", "path", "target", "kind": "function"|"module", "sizes": {...}}
      -> {"ok": true, "framework", "parameters": [...], "constructedWith": {...}}
  {"op": "call", "args": [{"name", "value", "positional"}], "framework"?}
      -> {"ok": true, "outputs": [...], "captured": [...]}
  {"op": "exit"}

The extension enforces the time limit (it kills this process group). The memory limit is
set here, first thing, with RLIMIT_AS (`--memory-mb`), so the user's code runs under it.
Works with Python 3.8+.
"""

import base64
import json
import os
import sys
import traceback

# ---------------------------------------------------------------------------------------------
# Process setup: limits and a private protocol channel (before anything heavy is imported).

MEMORY_MB = 0
for i, a in enumerate(sys.argv):
    if a == "--memory-mb" and i + 1 < len(sys.argv):
        MEMORY_MB = int(sys.argv[i + 1])

MEMORY_LIMIT_SET = False
if MEMORY_MB > 0:
    try:
        import resource

        limit = MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        MEMORY_LIMIT_SET = True
    except (ImportError, ValueError, OSError):
        pass  # no `resource` on Windows: the extension says so in its report

_proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
_proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
os.dup2(2, 1)  # C-level and Python prints now land on stderr
sys.stdout = sys.stderr
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)  # user code reading stdin sees end-of-file, not our requests
sys.stdin = open(os.devnull, "r")

HARNESS_FILE = os.path.abspath(__file__)


def send(obj):
    _proto_out.write(json.dumps(obj, allow_nan=False) + "\n")
    _proto_out.flush()


def short_traceback(exc, limit_lines=12):
    """The traceback without the harness's own frames; the last lines matter most."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if os.path.abspath(f.filename) != HARNESS_FILE and not f.filename.startswith("<frozen")
    ]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    text = "".join(lines).rstrip().splitlines()
    return "\n".join(text[-limit_lines:])


def error_reply(stage, exc, **extra):
    reply = {
        "ok": False,
        "stage": stage,
        "errorType": type(exc).__name__,
        "message": str(exc)[:2000],
        "traceback": short_traceback(exc),
    }
    if isinstance(exc, MemoryError):
        reply["memory"] = True
    if isinstance(exc, ImportError) and getattr(exc, "name", None):
        reply["missing"] = exc.name.split(".")[0]
    reply.update(extra)
    return reply


try:
    import numpy as np
except ImportError as e:  # reported with the interpreter path by the extension
    send(error_reply("setup", e, missing="numpy", python=sys.executable, version=sys.version.split()[0]))
    sys.exit(0)


# ---------------------------------------------------------------------------------------------
# Tensor exchange


def decode_array(value):
    raw = base64.b64decode(value["data"])
    arr = np.frombuffer(raw, dtype="<f4").reshape(value["shape"]).copy()
    if value.get("dtype") == "bool":
        return arr != 0
    return arr


def encode_array(arr, name):
    a = np.ascontiguousarray(np.asarray(arr, dtype=np.float32))
    return {"name": name, "shape": list(a.shape), "data": base64.b64encode(a.astype("<f4").tobytes()).decode("ascii")}


class Framework:
    """Turns NumPy arrays into the framework's tensors and back."""

    def __init__(self, name):
        self.name = name
        if name == "torch":
            import torch

            self.torch = torch
        elif name == "jax":
            import jax.numpy as jnp

            self.jnp = jnp

    def tensor(self, arr):
        if self.name == "torch":
            return self.torch.from_numpy(arr)
        if self.name == "jax":
            return self.jnp.asarray(arr)
        return arr

    def to_numpy(self, x):
        mod = type(x).__module__ or ""
        if mod.startswith("torch"):
            return x.detach().cpu().float().numpy()
        if isinstance(x, np.ndarray):
            return x
        if hasattr(x, "shape") and hasattr(x, "dtype"):
            return np.asarray(x, dtype=np.float32)  # jax, cupy with __array__, …
        return None


def is_tensor_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (int, float, bool))


def flatten_outputs(result, fw, out, prefix=""):
    """Every tensor in the result, in order: a tensor, a tuple/list of tensors, a dict, or nested lists."""
    if len(out) >= 16 or result is None:
        return
    if is_tensor_like(result):
        arr = fw.to_numpy(result)
        if arr is not None:
            out.append(encode_array(arr, prefix or "output"))
        return
    if isinstance(result, dict):
        for key, val in result.items():
            flatten_outputs(val, fw, out, str(key))
        return
    if isinstance(result, (list, tuple)):
        if len(result) > 0 and all(isinstance(v, (int, float)) or isinstance(v, (list, tuple)) for v in result):
            try:  # plain nested lists of numbers: one tensor
                arr = np.asarray(result, dtype=np.float32)
                if arr.dtype == np.float32 and arr.ndim >= 1:
                    out.append(encode_array(arr, prefix or "output"))
                    return
            except (ValueError, TypeError):
                pass
        for i, val in enumerate(result):
            flatten_outputs(val, fw, out, "%s%d" % (prefix + "." if prefix else "", i))
        return
    if hasattr(result, "__dict__") and not callable(result):
        flatten_outputs(vars(result), fw, out, prefix)


# ---------------------------------------------------------------------------------------------
# Softmax capture: the attention weights of modules that do not return them.

CAPTURED = []
MAX_CAPTURED = 6


def record(out):
    try:
        arr = out.detach().cpu().float().numpy() if hasattr(out, "detach") else np.asarray(out, dtype=np.float32)
        if arr.size <= 2000000:
            CAPTURED.append(arr.copy())
            del CAPTURED[:-MAX_CAPTURED]
    except Exception:  # tracers under jit, exotic tensors: not captured
        pass


def wrap_softmax(original):
    def softmax_probe(*args, **kwargs):
        out = original(*args, **kwargs)
        record(out)
        return out

    softmax_probe.__wrapped__ = original
    return softmax_probe


def install_softmax_capture(module):
    originals = {}
    if "torch" in sys.modules:
        import torch
        import torch.nn.functional as F

        for owner, attr in ((torch, "softmax"), (F, "softmax"), (torch.Tensor, "softmax")):
            orig = getattr(owner, attr, None)
            if orig is not None and not hasattr(orig, "__wrapped__"):
                wrapped = wrap_softmax(orig)
                setattr(owner, attr, wrapped)
                originals[id(orig)] = wrapped
    if "jax" in sys.modules:
        import jax

        orig = jax.nn.softmax
        if not hasattr(orig, "__wrapped__"):
            jax.nn.softmax = wrap_softmax(orig)
            originals[id(orig)] = jax.nn.softmax
    if "scipy.special" in sys.modules:
        special = sys.modules["scipy.special"]
        orig = getattr(special, "softmax", None)
        if orig is not None and not hasattr(orig, "__wrapped__"):
            special.softmax = wrap_softmax(orig)
            originals[id(orig)] = special.softmax
    # names the user's file bound with `from … import softmax`
    for key, val in list(vars(module).items()):
        if id(val) in originals:
            setattr(module, key, originals[id(val)])


# ---------------------------------------------------------------------------------------------
# Loading the user's file and the target

SIZE_NAMES = {
    "modelWidth": ["d_model", "dmodel", "embed_dim", "dim", "hidden_size", "n_embd", "d_embed", "emb_dim", "model_dim",
                   "hidden_dim", "embedding_dim", "input_dim", "in_features", "d_in", "channels", "n_state", "width", "d"],
    "heads": ["n_heads", "num_heads", "n_head", "heads", "nhead", "num_attention_heads", "h", "nh", "head_count"],
    "kvHeads": ["n_kv_heads", "num_kv_heads", "num_key_value_heads", "n_kv_head", "kv_heads", "n_kv", "num_kv",
                "num_groups", "n_groups", "num_query_groups"],
    "headSize": ["head_dim", "d_k", "d_head", "dim_head", "head_size", "d_v", "dk", "dh", "d_q", "dim_per_head"],
    "length": ["block_size", "max_len", "max_seq_len", "max_seq_length", "context_length", "n_ctx", "n_positions",
               "max_position_embeddings", "seq_len", "max_length", "context_size", "max_positions"],
    "dropout": ["dropout", "attn_dropout", "dropout_p", "p", "attn_pdrop", "resid_pdrop", "dropout_rate",
                "attention_dropout", "drop_rate", "embd_pdrop", "proj_drop", "attn_drop"],
    "causal": ["causal", "is_causal", "use_causal", "autoregressive", "is_decoder", "mask_future", "decoder"],
}


def size_for(param_name, sizes):
    n = param_name.lower()
    for key, names in SIZE_NAMES.items():
        if n in names:
            if key == "dropout":
                return True, 0.0
            if key == "causal":
                return True, True
            return True, sizes[key]
    return False, None


class ProbeConfig(object):
    """A stand-in `config` object carrying every common size name (nanoGPT, HF-style)."""

    def __init__(self, sizes):
        for key, names in SIZE_NAMES.items():
            for n in names:
                ok, val = size_for(n, sizes)
                if ok:
                    setattr(self, n, val)
        self.bias = True
        self.attn_implementation = "eager"
        self._attn_implementation = "eager"


def describe_parameters(fn):
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL or p.kind == p.VAR_KEYWORD:
            out.append({"name": p.name, "kind": "variadic", "hasDefault": False})
            continue
        entry = {
            "name": p.name,
            "kind": {p.POSITIONAL_ONLY: "positional", p.KEYWORD_ONLY: "keyword"}.get(p.kind, "either"),
            "hasDefault": p.default is not p.empty,
        }
        if p.default is not p.empty:
            d = p.default
            if d is None:
                entry["default"] = None
            elif isinstance(d, bool):
                entry["default"] = d
            elif isinstance(d, (int, float)) and d == d and abs(d) != float("inf"):
                entry["default"] = d
            else:
                entry["default"] = repr(d)[:40]
        out.append(entry)
    return out


def detect_framework(module, target):
    names = set()
    for val in vars(module).values():
        modname = getattr(val, "__name__", "") if type(val).__name__ == "module" else getattr(val, "__module__", "") or ""
        names.add(str(modname).split(".")[0])
    if isinstance(target, type):
        for base in target.__mro__:
            names.add((base.__module__ or "").split(".")[0])
    if "torch" in names:
        return "torch"
    if "jax" in names or "flax" in names:
        return "jax"
    return "numpy"


def seed_everything(seed=0):
    """Same seed, same dropout masks: lets the probe tell "random at inference" from "depends on input"."""
    import random

    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def construct(cls, sizes):
    import inspect

    seed_everything()
    params = describe_parameters(cls.__init__) or []
    kwargs = {}
    used = {}
    for p in params[1:] if params and params[0]["name"] in ("self", "cls") else params:
        if p["kind"] == "variadic":
            continue
        name = p["name"]
        if name == "config" or name.endswith("config") or name in ("cfg", "args", "hparams", "params"):
            kwargs[name] = ProbeConfig(sizes)
            used[name] = "config"
            continue
        ok, val = size_for(name, sizes)
        if ok:
            kwargs[name] = val
            used[name] = val
        elif not p["hasDefault"]:
            raise TypeError("cannot choose a value for constructor parameter '%s'" % name)
    obj = cls(**kwargs)
    if hasattr(obj, "eval") and callable(obj.eval) and "torch" in sys.modules:
        try:
            obj.eval()  # inference: dropout modules off
        except TypeError:
            pass
    return obj, used


STATE = {}


def load(req):
    import importlib.util

    path = os.path.abspath(req["path"])
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    # A name other than "__main__": `if __name__ == "__main__":` blocks do not run.
    spec = importlib.util.spec_from_file_location("attention_probe_target", path)
    if spec is None or spec.loader is None:
        return {"ok": False, "stage": "import", "errorType": "ImportError", "message": "cannot import " + path}
    module = importlib.util.module_from_spec(spec)
    sys.modules["attention_probe_target"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # SystemExit too: a script that calls exit() at import
        return error_reply("import", e)
    target = getattr(module, req["target"], None)
    if target is None:
        return {"ok": False, "stage": "lookup", "errorType": "AttributeError",
                "message": "%s has no top-level '%s'" % (os.path.basename(path), req["target"])}
    framework = detect_framework(module, target)
    install_softmax_capture(module)
    constructed = {}
    fn = target
    if isinstance(target, type):
        try:
            obj, constructed = construct(target, req.get("sizes", {}))
        except BaseException as e:
            return error_reply("construct", e)
        fn = obj
    # nn.Module.__call__ takes (*args, **kwargs): the real parameters are forward's
    params = describe_parameters(getattr(fn, "forward", fn))
    STATE.update(fn=fn, framework=framework, module=module)
    return {
        "ok": True,
        "framework": framework,
        "parameters": params,
        "constructedWith": constructed,
        "memoryLimitSet": MEMORY_LIMIT_SET,
        "python": sys.executable,
        "version": sys.version.split()[0],
    }


def argument(value, fw):
    kind = value["kind"]
    if kind == "tensor":
        return fw.tensor(decode_array(value))
    if kind == "none":
        return None
    if kind == "int":
        return int(value["value"])
    if kind == "number":
        return float(value["value"])
    if kind == "bool":
        return bool(value["value"])
    raise ValueError("unknown argument kind " + kind)


def call(req):
    fw_name = req.get("framework") or STATE["framework"]
    try:
        fw = Framework(fw_name)
    except ImportError as e:
        return error_reply("framework", e, missing=fw_name)
    args = []
    kwargs = {}
    try:
        for a in req["args"]:
            val = argument(a["value"], fw)
            if a.get("positional"):
                args.append(val)
            else:
                kwargs[a["name"]] = val
    except Exception as e:
        return error_reply("arguments", e)
    del CAPTURED[:]
    if req.get("seed") is not None:
        seed_everything(int(req["seed"]))
    try:
        if fw_name == "torch":
            with fw.torch.no_grad():
                result = STATE["fn"](*args, **kwargs)
        else:
            result = STATE["fn"](*args, **kwargs)
    except BaseException as e:
        return error_reply("call", e)
    outputs = []
    flatten_outputs(result, fw, outputs)
    captured = [encode_array(c, "softmax%d" % i) for i, c in enumerate(CAPTURED)]
    return {"ok": True, "outputs": outputs, "captured": captured, "framework": fw_name}


def main():
    send({"ok": True, "ready": True, "python": sys.executable, "version": sys.version.split()[0],
          "numpy": np.__version__})
    for line in _proto_in:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "load":
                reply = load(req)
            elif op == "call":
                reply = call(req)
            elif op == "exit":
                break
            else:
                reply = {"ok": False, "stage": "protocol", "message": "unknown op %r" % op}
        except MemoryError as e:
            reply = error_reply("memory", e)
        except Exception as e:
            reply = error_reply("harness", e)
        try:
            send(reply)
        except ValueError as e:  # NaN in a reply field (never in tensors: those are base64)
            send(error_reply("protocol", e))


if __name__ == "__main__":
    main()
