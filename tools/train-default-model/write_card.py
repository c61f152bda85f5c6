#!/usr/bin/python3
"""Step 5 of the recipe: write the model card (README.md) of the bundled model from the numbers
the previous steps measured, and copy the training log next to it.

usage: /usr/bin/python3 tools/train-default-model/write_card.py --work .cache/train-default-model --run final --out media/models/mini-code
"""
import argparse
import json
import math
import os
import platform
import shutil
import subprocess


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def table(rows, header):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--run", default="final")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    run_dir = os.path.join(args.work, args.run)
    m = json.load(open(os.path.join(run_dir, "metrics.json")))
    corpus = json.load(open(os.path.join(args.work, "corpus.json")))
    toks = json.load(open(os.path.join(args.work, "tokens.json")))
    insp = json.load(open(os.path.join(args.out, "inspector.json")))
    tr = m["training"]
    a = tr["args"]
    cfg = tr["config"]
    before = tr.get("before", {"steps": 0, "tokens": 0, "seconds": 0.0})
    stage1 = None
    if a.get("init_from"):
        stage1_dir = os.path.dirname(a["init_from"])
        stage1 = json.load(open(os.path.join(stage1_dir, "final.json")))
        log = [dict(json.loads(l), stage=1) for l in open(os.path.join(stage1_dir, "log.jsonl"))]
        log = [r for r in log if r["step"] <= before["steps"]]
    else:
        log = []
    for line in open(os.path.join(run_dir, "log.jsonl")):
        r = json.loads(line)
        r["stage"] = 2 if stage1 else 1
        r["step"] += before["steps"]
        r["tokens"] += before["tokens"]
        log.append(r)
    evals = [r for r in log if "val_loss" in r]
    with open(os.path.join(args.out, "training-log.jsonl"), "w") as f:
        for r in log:
            f.write(json.dumps(r) + "\n")
    total_steps = before["steps"] + tr["steps"]
    total_tokens = before["tokens"] + tr["tokens_seen"]
    total_seconds = before["seconds"] + tr["train_seconds"]
    # first eval where the best induction score passed 0.3: when the induction heads formed
    formed = next((r for r in evals if r["induction"] > 0.3), None)
    L, H = cfg["n_layers"], cfg["n_heads"]
    s1 = stage1["args"] if stage1 else a
    pool_full = "—"
    if a.get("syn_pool"):
        k = 0
        while a["syn_pool"] * 2 ** k < cfg["vocab"] - 1:
            k += 1
        pool_full = k * a["pool_double_every"]
    vloss = m["validationLoss"]
    bpc = vloss / math.log(2) / toks["charsPerToken"]
    node_v = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    import torch
    import onnx

    def heads(name):
        return ", ".join(f"L{h['layer']}H{h['head']} {h['score']:.3f}" for h in m["topHeads"][name])

    per_head_rows = []
    for l in range(L):
        for h in range(H):
            per_head_rows.append([f"L{l}H{h}", f"{m['perHead']['induction'][l][h]:.3f}",
                                  f"{m['perHead']['prev'][l][h]:.3f}", f"{m['perHead']['sink'][l][h]:.3f}"])
    curve = [[r["step"], f"{r['tokens'] / 1e6:.2f}M", r["val_loss"], r["repeat_loss"], f"{r['induction']:.3f} {r['induction_head']}",
              f"{r['prev']:.3f} {r['prev_head']}", f"{r['sink']:.3f} {r['sink_head']}"] for r in evals[::max(1, len(evals) // 16)]]
    if evals and curve[-1][0] != evals[-1]["step"]:
        r = evals[-1]
        curve.append([r["step"], f"{r['tokens'] / 1e6:.2f}M", r["val_loss"], r["repeat_loss"], f"{r['induction']:.3f} {r['induction_head']}",
                      f"{r['prev']:.3f} {r['prev_head']}", f"{r['sink']:.3f} {r['sink_head']}"])
    text = f"""# {insp['name']} — the bundled model of Attention Inspector

A small GPT-style decoder (≈{m['params'] / 1e6:.1f} M parameters) trained by this repository's own
recipe on the Python 3.11 standard library source and the Python 3.11 documentation, so that it
knows both code and English, with synthetic repeated sequences mixed in so that in-context copying
(induction heads) forms. It exists to be inspected: every layer's attention probabilities are
outputs of the ONNX graph. It is not a useful text generator.

## Files

| File | What |
|---|---|
| `model.onnx` | ONNX (opset {m['opset']}), float32, {m['onnxBytes'] / 1e6:.1f} MB |
| `tokenizer.json` | Hugging Face tokenizer: byte-level BPE, {toks['vocabSize']} tokens |
| `inspector.json` | the model-folder manifest read by the extension (fields below) |
| `training-log.jsonl` | the training log: loss every 50 steps, evaluations every {a['eval_every']} steps |
| `README.md` | this card |

## Interface

| Name | Kind | Type | Shape |
|---|---|---|---|
| `input_ids` | input | int64 | `[batch, seq]`, 1 ≤ seq ≤ {cfg['context']} |
| `logits` | output | float32 | `[batch, seq, {cfg['vocab']}]` next-token logits |
| `attn_0` … `attn_{L - 1}` | outputs | float32 | `[batch, {H}, seq, seq]`: softmax attention probabilities of layer *i*, `[batch, head, query, key]`; rows sum to 1, zero above the diagonal (causal) |

`batch` and `seq` are dynamic axes. Sequences longer than {cfg['context']} tokens fail (the causal-mask and
rotary tables are {cfg['context']} long). Checked with onnxruntime-node against PyTorch on a {cfg['context']}-token input
and a batch of 2: attention max |diff| {m['onnxVerification']['attentionMaxAbsDiff']:.1e}, logits max |diff|
{m['onnxVerification']['logitsMaxAbsDiff']:.1e}.

## Architecture (what the TypeScript reference re-implements)

```
x      = wte[input_ids]                                  (no absolute position embedding)
block i = 0..{L - 1}:
  h    = LayerNorm(x; blocks.i.ln1, eps 1e-5)
  qkv  = h · blocks.i.attn.qkv.weight.T + blocks.i.attn.qkv.bias     ([d, 3d], split as q | k | v)
  q,k,v → [head, pos, {cfg['d_model'] // H}] (head h uses columns h·{cfg['d_model'] // H} … (h+1)·{cfg['d_model'] // H}−1 of q, k, v)
  q,k  = RoPE(q), RoPE(k)   half-split: for i < {cfg['d_model'] // H // 2}, angle = pos · 10000^(−2i/{cfg['d_model'] // H}),
         (x_i, x_(i+{cfg['d_model'] // H // 2})) → (x_i·cos − x_(i+{cfg['d_model'] // H // 2})·sin, x_(i+{cfg['d_model'] // H // 2})·cos + x_i·sin)
  attn_i = softmax(q·kᵀ / sqrt({cfg['d_model'] // H}) with −inf above the diagonal)
  x    = x + (attn_i · v merged over heads) · blocks.i.attn.proj.weight.T + blocks.i.attn.proj.bias
  h    = LayerNorm(x; blocks.i.ln2)
  x    = x + gelu_tanh(h · blocks.i.fc.weight.T + blocks.i.fc.bias) · blocks.i.fc_out.weight.T + blocks.i.fc_out.bias
logits = LayerNorm(x; ln_f) · wte.weight.T                 (LM head tied to the embedding)
```

gelu_tanh(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The ONNX initializers carry these names
(`*.weight.T` are stored transposed, `[in, out]`); `wte.weight` is `[{cfg['vocab']}, {cfg['d_model']}]`.
Layers {L}, heads {H}, d_model {cfg['d_model']}, head size {cfg['d_model'] // H}, MLP {4 * cfg['d_model']}, context {cfg['context']},
vocabulary {cfg['vocab']}, {m['params']:,} parameters.

## Tokenizer

Byte-level BPE trained by the recipe with the Hugging Face `tokenizers` Rust core (npm binding) on
the training split: id 0 `<|endoftext|>`, ids 1–256 the 256 bytes (GPT-2's byte→character table,
so every input is representable), then {toks['merges']} merges. GPT-2's pre-tokenization regex, no
normalizer, a ByteLevel decoder. The post-processor puts `<|endoftext|>` in front of every encoded
text (offsets `[0, 0]`): the model was trained with it at position 0 of every window, and its sink
heads attend to it. Offsets are not trimmed: a token such as `Ġreturn` covers the space in front
of it, so the tokens of a text tile it exactly. On the training split it averages
{toks['charsPerToken']} characters per token.

## `inspector.json`

| Field | Meaning |
|---|---|
| `name` | display name (status bar, reports) |
| `causal` | true: attention is masked to keys ≤ query |
| `architecture` | `"gpt"`: decoder-only, the layout above |
| `layers`, `heads`, `dModel`, `contextLength`, `vocabSize` | sizes; `contextLength` is the longest accepted input |
| `positionEmbedding` | `"rope"` (rotary, half-split, base `ropeTheta`) |
| `ropeTheta` | rotary base (10000) |
| `activation` | `"gelu_tanh"` (GPT-2's tanh approximation) |
| `layerNormEpsilon` | 1e-5 for every LayerNorm |
| `tiedEmbeddings` | true: logits use `wte.weight` |
| `inputIds` | name of the token-id input |
| `logitsOutput` | name of the logits output |
| `attentionOutputs` | names of the per-layer attention outputs, in layer order |
| `specialTokens` | `bos`/`eos` token strings (both `<|endoftext|>`) |
| `bosAddedByTokenizer` | true: `tokenizer.json`'s post-processor already prepends `bos`; do not add it again |

## Training data and licenses

| Source | Files (train / validation) | Characters | License |
|---|---|---|---|
| Python 3.11 standard library source, `/usr/lib/python3.11/**/*.py` (Debian `libpython3.11-stdlib`, without `dist-packages`, `site-packages`, `config-3.11-*`, `_sysconfigdata*`) | {corpus['train']['stdlibFiles']} / {corpus['validation']['stdlibFiles']} | {corpus['train']['stdlibChars']:,} / {corpus['validation']['stdlibChars']:,} | PSF License Agreement for Python 3.11; a few modules also carry their authors' permissive notices (asyncore/asynchat, http.cookies, trace, uu, xmlrpc — listed in the documentation's "Licenses and Acknowledgements for Incorporated Software") |
| Python 3.11 documentation sources (reStructuredText), `/usr/share/doc/python3.11/html/_sources/**/*.rst.txt` (Debian `python3.11-doc`) | {corpus['train']['docsFiles']} / {corpus['validation']['docsFiles']} | {corpus['train']['docsChars']:,} / {corpus['validation']['docsChars']:,} | PSF License Agreement; code examples in the documentation are dual-licensed PSF / Zero-Clause BSD (since 3.8.6) |
| total | {corpus['train']['files']} / {corpus['validation']['files']} | {corpus['train']['chars']:,} / {corpus['validation']['chars']:,} | |

Files that are not valid UTF-8 are skipped. The split is by file: a file is in validation when the
first 32 bits of SHA-256 of its relative path, modulo 100, are below 3. Tokens: {toks['train']['tokens']:,} train,
{toks['validation']['tokens']:,} validation (a `<|endoftext|>` after each file).

Synthetic data (generated on the fly, seeded): a share of the training windows is synthetic (the
shares per stage are in the table below). Of those, {a['pure']:.0%} are one segment of 10–100 random token
ids repeated back to back to fill the window; the others write such a segment 2–4 times into a
window of real text, sometimes with text between the copies. The first copy carries no loss (it is
noise); the later copies can only be predicted by copying from context.

## Training

Two stages, one after the other (`run.sh` runs both):

| | stage 1 | stage 2 |
|---|---|---|
| steps | {before['steps']} | {tr['steps']} |
| tokens | {before['tokens']:,} | {tr['tokens_seen']:,} |
| synthetic share | {s1['syn']:.0%} → {s1['syn_end']:.0%} by step {s1['syn_decay']} | {a['syn']:.0%} → {a['syn_end']:.0%} by step {a['syn_decay']} |
| random segments drawn from | the whole vocabulary | the {a['syn_pool']} most frequent training tokens, doubling every {a['pool_double_every']} steps; the whole vocabulary from step {pool_full} |
| windows | `<|endoftext|>` + {s1['train_ctx'] - 1} tokens | the same; the last {a['long_steps']} steps `<|endoftext|>` + {a['context'] - 1} |
| learning rate | {s1['lr']} after {s1['warmup']} warmup steps | {a['lr']}, linear decay to 10% over the last {a['cooldown']} steps |
| data seed | {s1['seed']} | {a['seed']} |
| wall clock | {before['seconds'] / 60:.1f} min | {tr['train_seconds'] / 60:.1f} min |

Stage 1 was planned for {s1['steps']} steps with its cooldown at the end, and stopped at step
{before['steps']} (`--stop-at`; the schedule up to that step does not depend on the planned length):
it had learnt text and strong previous-token heads, but no in-context copying of random tokens at
all — the loss on repeated random segments stayed at ln {cfg['vocab']}. Copying over thousands of
distinct random tokens is a long plateau; over a few dozen it is learnt in a few hundred steps. Stage 2
therefore starts the random segments on a small pool of frequent tokens and doubles the pool until
it is the whole vocabulary, so the circuit that forms on the small pool is made general.

| | |
|---|---|
| total | {total_steps} steps, **{total_tokens:,} tokens seen** (real and synthetic windows together), {total_seconds / 60:.0f} minutes |
| per step | {a['tokens_per_step']} tokens per process × {a['procs']} data-parallel processes (gloo all-reduce) |
| optimizer | AdamW, betas (0.9, 0.95), weight decay 0.1 on matrices, gradient clip 1.0; stage 2 continues stage 1's optimizer state |
| init | normal(0, 0.02), residual writers 0.02/√(2·layers), seed {s1['seed']} |
| machine | {os.cpu_count()} × {cpu_name()} (CPU only, shared with other jobs while training), Debian, PyTorch {torch.__version__}, onnx {onnx.__version__}, Node {node_v}, OpenBLAS, 1 thread per process |

## Results

- **Validation loss: {vloss:.3f} nats/token** over all {m['validationTokens']:,} validation tokens (windows of
  `<|endoftext|>` + {cfg['context'] - 1}), ≈ {bpc:.2f} bits per character.
- Loss on the second copy of a repeated random 50-token sequence: **{m['repeatLoss']:.3f}** nats/token
  (ln {cfg['vocab']} = {math.log(cfg['vocab']):.2f} without in-context copying).
- Head scores (definitions below), best three heads each:
  - induction: {heads('induction')}
  - previous token: {heads('prev')}
  - sink (first token): {heads('sink')}
{'- Induction heads formed around step ' + str(formed['step']) + ' (' + f"{formed['tokens'] / 1e6:.1f}" + 'M tokens, stage ' + str(formed['stage']) + '), when the best induction score on whole-vocabulary random tokens first passed 0.3.' if formed else ''}

Definitions (the same code, `scores.py`, logged them during training):
- **induction**: on `<|endoftext|>` + R + R, with R 50 token ids drawn uniformly from the non-special
  vocabulary (8 sequences, seed 7), the mean attention from each query in the second copy to the
  key right after that token's first occurrence (TransformerLens's induction score).
- **previous token**: on 8 validation windows (`<|endoftext|>` + 255 tokens), the mean attention
  from query *q* to key *q*−1, over *q* ≥ 2.
- **sink**: on the same windows, the mean attention to key 0 (the `<|endoftext|>`), over *q* ≥ 8.

Evaluations during training (from `training-log.jsonl`):

{table(curve, ['step', 'tokens', 'val loss', 'repeat loss', 'induction', 'prev', 'sink'])}

All heads:

{table(per_head_rows, ['head', 'induction', 'previous token', 'sink'])}

## License

The model (weights, tokenizer, this card) is released under the MIT License, like the rest of
Attention Inspector. It was trained on the Python standard library and documentation, which are
under the PSF License Agreement (see above); the model contains no verbatim copy of them beyond
what 4M parameters can memorise.

## Retraining

From the repository root, on a Debian machine with `python3-torch python3-onnx python3-numpy
libopenblas0-pthread python3.11-doc` and the repository's `node_modules`:

```
sh tools/train-default-model/run.sh
```

It runs `prepare_corpus.py` → `train_tokenizer.mjs` → `train.py` → `export.py` → `write_card.py`
(intermediate files in `.cache/train-default-model/`), writes this folder and
`test/fixtures/models/mini-code-golden.json`, and stops with an error if onnxruntime-node and
PyTorch disagree or if the tokenizer loads differently in the two JavaScript libraries. An interrupted
`train.py` resumes from its last checkpoint when run again with the same arguments. The result is
deterministic for a given machine and library versions (fixed seeds, fixed step count; the
learning-rate schedule does not depend on wall-clock time).
"""
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(text)
    print("wrote", os.path.join(args.out, "README.md"))


if __name__ == "__main__":
    main()
