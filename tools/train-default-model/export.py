#!/usr/bin/python3
"""Step 4 of the recipe: export the trained model to ONNX with one attention-probability output
per layer, give the initializers stable names, verify against onnxruntime-node, and write
inspector.json, the golden file and the metrics the model card is written from.

usage: /usr/bin/python3 tools/train-default-model/export.py --work .cache/train-default-model \
         --run final --out media/models/mini-code --golden test/fixtures/models/mini-code-golden.json
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from model import GPT, ExportWrapper  # noqa: E402
from scores import per_head_scores, repeated_half_loss, REPEAT_LEN  # noqa: E402
from train import load_bin, val_loss  # noqa: E402

OPSET = 17
GOLDEN_TEXTS = [
    "def add(a, b):\n    return a + b\n",
    "The quick brown fox jumps over the lazy dog.",
    "naïve café: 日本語 🙂 x = 1",
]


def rename_initializers(model_onnx, torch_model):
    """torch.onnx gives transposed Linear weights anonymous names (onnx::MatMul_123). Match every
    initializer by value against the PyTorch parameters and name it after the parameter: same
    layout keeps the name, a transposed copy gets the suffix `.T` (layout [in, out])."""
    params = {n: p.detach().numpy() for n, p in torch_model.named_parameters()}
    renames = {}
    for init in model_onnx.graph.initializer:
        arr = numpy_helper.to_array(init)
        hit = None
        for name, p in params.items():
            if arr.shape == p.shape and np.array_equal(arr, p):
                hit = name
            elif p.ndim == 2 and arr.shape == p.T.shape and np.array_equal(arr, p.T):
                hit = name + ".T"
            if hit:
                break
        if hit and hit != init.name:
            renames[init.name] = hit
    used = set()
    for init in model_onnx.graph.initializer:
        if init.name in renames:
            new = renames[init.name]
            while new in used:  # the same tensor exported twice (should not happen)
                new += "_"
            used.add(new)
            renames[init.name] = new
            init.name = new
    for node in model_onnx.graph.node:
        for i, n in enumerate(node.input):
            if n in renames:
                node.input[i] = renames[n]
    return renames


def encode(tokenizer_path, texts):
    res = subprocess.run(["node", os.path.join(HERE, "encode.mjs"), tokenizer_path],
                         input=json.dumps(texts), capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(res.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--run", default="final")
    ap.add_argument("--out", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--name", default="mini-code")
    args = ap.parse_args()
    torch.set_num_threads(1)
    run_dir = os.path.join(args.work, args.run)
    ck = torch.load(os.path.join(run_dir, "model.pt"))
    cfg = ck["config"]
    model = GPT(cfg["vocab"], cfg["d_model"], cfg["n_heads"], cfg["n_layers"], cfg["context"], cfg.get("rope", False))
    model.load_state_dict(ck["model"])
    model.eval()
    L, H = cfg["n_layers"], cfg["n_heads"]
    os.makedirs(args.out, exist_ok=True)

    # --- ONNX export -------------------------------------------------------------------------
    attn_names = [f"attn_{i}" for i in range(L)]
    onnx_path = os.path.join(args.out, "model.onnx")
    dummy = torch.zeros(1, 16, dtype=torch.long)
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    for n in attn_names:
        dyn[n] = {0: "batch", 2: "seq", 3: "seq"}
    torch.onnx.export(ExportWrapper(model), (dummy,), onnx_path, input_names=["input_ids"],
                      output_names=["logits"] + attn_names, dynamic_axes=dyn, opset_version=OPSET,
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    renames = rename_initializers(m, model)
    m.doc_string = f"{args.name}: GPT-style decoder trained by tools/train-default-model (MIT)"
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    size = os.path.getsize(onnx_path)
    print(f"model.onnx {size / 1e6:.2f} MB, {len(renames)} initializers renamed", flush=True)
    if size > 25e6:
        sys.exit("model.onnx is over 25 MB")

    # --- reference outputs for onnxruntime-node ------------------------------------------------
    check_dir = os.path.join(run_dir, "check")
    os.makedirs(check_dir, exist_ok=True)
    val = load_bin(os.path.join(args.work, "validation.bin"))
    ctx = cfg["context"]
    full = torch.cat([torch.tensor([0]), val[1000:1000 + ctx - 1]]).view(1, ctx)
    g = torch.Generator().manual_seed(5)
    pair = torch.randint(1, cfg["vocab"], (2, 37), generator=g)
    pair[:, 0] = 0
    cases = []
    with torch.no_grad():
        for name, ids in [("ctx512", full), ("batch2", pair)]:
            logits, probs = model(ids, want_probs=True)
            outs = {"logits": logits, **{n: p for n, p in zip(attn_names, probs)}}
            for k, v in outs.items():
                v.numpy().astype("<f4").tofile(os.path.join(check_dir, f"{name}.{k}.f32"))
            cases.append({"name": name, "shape": list(ids.shape), "ids": ids.tolist(), "outputs": list(outs)})
    with open(os.path.join(check_dir, "check.json"), "w") as f:
        json.dump({"cases": cases}, f)

    # --- tokenizer-dependent files --------------------------------------------------------------
    tok_path = os.path.join(args.out, "tokenizer.json")
    enc = encode(tok_path, GOLDEN_TEXTS)
    golden = {"model": args.name, "source": "PyTorch forward pass of the exported weights (float32)",
              "heads": [{"layer": 0, "head": 0}, {"layer": L - 1, "head": H - 1}], "texts": []}
    with torch.no_grad():
        for text, e in zip(GOLDEN_TEXTS, enc):
            ids = torch.tensor([e["ids"]])
            logits, probs = model(ids, want_probs=True)
            golden["texts"].append({
                "text": text, "ids": e["ids"], "tokens": e["tokens"], "offsetsCodePoints": e["offsets"],
                "attention": [[[round(float(v), 7) for v in row] for row in probs[h["layer"]][0, h["head"]]]
                              for h in golden["heads"]],
                "lastLogitsTop5": [[int(i), round(float(v), 5)] for v, i in zip(*torch.topk(logits[0, -1], 5))],
            })
    os.makedirs(os.path.dirname(args.golden), exist_ok=True)
    with open(args.golden, "w") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
        f.write("\n")

    # --- inspector.json -------------------------------------------------------------------------
    inspector = {
        "name": args.name,
        "causal": True,
        "architecture": "gpt",
        "layers": L,
        "heads": H,
        "dModel": cfg["d_model"],
        "contextLength": ctx,
        "vocabSize": cfg["vocab"],
        "positionEmbedding": "rope" if cfg.get("rope") else "learned",
        **({"ropeTheta": 10000.0} if cfg.get("rope") else {}),
        "activation": "gelu_tanh",
        "layerNormEpsilon": 1e-5,
        "tiedEmbeddings": True,
        "inputIds": "input_ids",
        "logitsOutput": "logits",
        "attentionOutputs": attn_names,
        "specialTokens": {"bos": "<|endoftext|>", "eos": "<|endoftext|>"},
        "bosAddedByTokenizer": True,
    }
    with open(os.path.join(args.out, "inspector.json"), "w") as f:
        json.dump(inspector, f, indent=2)
        f.write("\n")

    # --- onnxruntime-node verification ------------------------------------------------------------
    res = subprocess.run(["node", os.path.join(HERE, "verify_onnx.mjs"), args.out, check_dir],
                         capture_output=True, text=True, cwd=REPO)
    if res.returncode != 0:
        sys.exit("onnxruntime-node verification failed:\n" + res.stderr)
    verify = json.loads(res.stdout)
    worst = max(d["maxAbsDiff"] for c in verify["cases"] for n, d in c["diffs"].items() if n.startswith("attn_"))
    worst_logits = max(c["diffs"]["logits"]["maxAbsDiff"] for c in verify["cases"])
    print(f"onnxruntime-node vs PyTorch: attention max |diff| {worst:.2e}, logits {worst_logits:.2e}", flush=True)
    if worst > 1e-4 or not all(t["same"] for t in verify["tokenizerAgreement"]):
        sys.exit("verification failed: " + json.dumps(verify)[:2000])

    # --- metrics for the model card ---------------------------------------------------------------
    with torch.no_grad():
        sc = per_head_scores(model, val, cfg["vocab"])
        rep = repeated_half_loss(model, cfg["vocab"])
        vloss = full_val_loss(model, val, ctx)
    final = json.load(open(os.path.join(run_dir, "final.json")))
    def top(name, k=3):
        m = sc[name]
        flat = [(float(m[l, h]), l, h) for l in range(L) for h in range(H)]
        return [{"layer": l, "head": h, "score": round(s, 4)} for s, l, h in sorted(flat, reverse=True)[:k]]
    metrics = {
        "params": sum(p.numel() for p in model.parameters()),
        "onnxBytes": size,
        "validationLoss": round(vloss, 4),
        "validationTokens": int(len(val)),
        "repeatLoss": round(rep, 4),
        "repeatLen": REPEAT_LEN,
        "topHeads": {n: top(n) for n in ("induction", "prev", "sink")},
        "perHead": {n: [[round(float(v), 4) for v in row] for row in sc[n]] for n in sc},
        "onnxVerification": {"attentionMaxAbsDiff": worst, "logitsMaxAbsDiff": worst_logits,
                             "cases": [{"name": c["name"], "shape": c["shape"], "runMs": c["runMs"]} for c in verify["cases"]],
                             "inputs": verify["inputs"], "outputs": verify["outputs"]},
        "training": final,
        "opset": OPSET,
    }
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps({k: metrics[k] for k in ("params", "validationLoss", "repeatLoss", "topHeads")}, indent=1))


@torch.no_grad()
def full_val_loss(model, val, ctx):
    """Mean next-token cross-entropy over the whole validation split, in non-overlapping windows
    of BOS + (ctx - 1) tokens (every validation token predicted once)."""
    total, count = 0.0, 0
    step = ctx - 1
    for s in range(0, len(val) - 1, step):
        chunk = val[s:s + step + 1]
        if len(chunk) < 2:
            break
        x = torch.cat([torch.tensor([0]), chunk[:-1]]).view(1, -1)
        y = chunk.view(1, -1)
        logits, _ = model(x)
        total += F.cross_entropy(logits[0], y[0], reduction="sum").item()
        count += y.numel()
    return total / count


if __name__ == "__main__":
    main()
