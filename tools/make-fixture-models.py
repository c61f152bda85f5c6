#!/usr/bin/python3
"""Tiny ONNX transformers in four architecture styles, for the engine's graph-surgery and Q/K
recomputation tests. Random weights (fixed seed); no model here is trained.

usage: /usr/bin/python3 tools/make-fixture-models.py [--out test/fixtures/models]

Writes test/fixtures/models/<name>/{model.onnx, tokenizer.json, inspector.json, golden.json}:
  gpt2-fused      GPT-2-like decoder: one fused QKV Linear split in three, learned positions,
                  causal mask applied with Where, scores divided by sqrt(head_dim).
  gpt2-fused-mha  the same weights, but attention is one com.microsoft.MultiHeadAttention node
                  (unidirectional): the weights are never materialised in the graph, so only the
                  Q/K route can show them. (torch 1.13 has no scaled_dot_product_attention — it
                  arrived in torch 2.0 — so an SDPA export cannot be produced here; this fused
                  contrib-op graph is the stand-in for "attention without a Softmax".)
  bert-padding    BERT-like bidirectional encoder (post-LayerNorm), `attention_mask` input turned
                  into an additive -inf-like bias, lowercasing WordPiece tokenizer with [CLS]/[SEP].
  llama-rope-gqa  Llama-like: RMSNorm, rotary positions (half split), 4 query heads sharing
                  2 key/value heads (GQA), SwiGLU MLP, additive causal mask, untied LM head.
  enc-dec-cross   encoder-decoder: decoder self-attention (causal) + cross-attention to the
                  encoder, with encoder and decoder inputs of different lengths.

Every model outputs only logits / last hidden state (no attention outputs) and writes attention
the explicit way (MatMul -> scale -> mask -> Softmax -> MatMul), one Softmax per attention.

golden.json holds, for one fixed input, every attention in graph order (the order of the Softmax
nodes in the ONNX file): its probabilities [batch][head][q][k], Q [batch][head][q][d] and
K [batch][kv_head][k][d] exactly as they enter probs = softmax(scale * Q K^T + mask) (after RoPE,
before any scaling), the scale, the mask rule and, for GQA, the head grouping. The script checks
the golden against onnxruntime-node by adding the Softmax outputs to a copy of each graph.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SEED = 20240607
TOKENIZER_TEXT = "/usr/share/doc/python3.11/html/_sources/tutorial"

# ----------------------------------------------------------------------------------------------
# Tokenizers (built with the npm `tokenizers` package, the Hugging Face Rust core)
# ----------------------------------------------------------------------------------------------
NODE_TOKENIZERS = r"""
import fs from 'node:fs';
import tk from 'tokenizers';
const { Tokenizer, BPE, WordPiece, byteLevelPreTokenizer, bertNormalizer, bertPreTokenizer } = tk;
const [files, outDir] = [JSON.parse(process.argv[2]), process.argv[3]];

// Byte-level BPE: train with the binding's default trainer, keep the first merges (greedy BPE:
// identical to training with the smaller vocabulary), ids: <|endoftext|>=0, bytes 1..256, merges.
const bpe = new Tokenizer(BPE.empty());
bpe.setPreTokenizer(byteLevelPreTokenizer(false, true));
bpe.train(files);
bpe.save(`${outDir}/bpe-raw.json`, false);

// WordPiece, BERT style: lowercasing BertNormalizer + BertPreTokenizer during training too.
const wp = new Tokenizer(WordPiece.empty());
wp.setNormalizer(bertNormalizer({ lowercase: true }));
wp.setPreTokenizer(bertPreTokenizer());
wp.train(files);
wp.save(`${outDir}/wordpiece-raw.json`, false);
"""

NODE_ENCODE = r"""
import fs from 'node:fs';
import tk from 'tokenizers';
const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = [];
for (const j of jobs) {
  const t = tk.Tokenizer.fromFile(j.tokenizer);
  const e = await t.encode(j.text);
  out.push({ ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets(), vocab: t.getVocabSize(true) });
}
process.stdout.write(JSON.stringify(out));
"""


def node(script, args=(), stdin=None):
    res = subprocess.run(["node", "--input-type=module", "-", *args], input=script if stdin is None else None,
                         capture_output=True, text=True, cwd=REPO)
    if res.returncode != 0:
        sys.exit(res.stderr)
    return res.stdout


def node_with_stdin(script, stdin_text):
    # the script itself travels as a temporary file so that stdin stays free for data
    with tempfile.NamedTemporaryFile("w", suffix=".mjs", dir=os.path.join(REPO, "tools"), delete=False) as f:
        f.write(script)
        path = f.name
    try:
        res = subprocess.run(["node", path], input=stdin_text, capture_output=True, text=True, cwd=REPO)
    finally:
        os.unlink(path)
    if res.returncode != 0:
        sys.exit(res.stderr)
    return res.stdout


def bytes_to_unicode():
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, n = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + n)
            n += 1
    return [table[b] for b in range(256)]


def build_bpe(raw, vocab_size, post_processor, special="<|endoftext|>"):
    vocab = {special: 0}
    for b, c in enumerate(bytes_to_unicode()):
        vocab[c] = b + 1
    merges = []
    for a, b in raw["model"]["merges"]:
        if len(vocab) >= vocab_size:
            break
        vocab[a + b] = len(vocab)
        merges.append([a, b])
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": special, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": post_processor,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": vocab, "merges": merges},
    }


def build_wordpiece(raw, vocab_size):
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {s: i for i, s in enumerate(specials)}
    # The trainer numbers its "##x" continuation alphabet in hash-map order, which changes from run
    # to run; sort both alphabets by code point (merges keep the trainer's order, which is stable).
    raw_vocab = raw["model"]["vocab"]
    chars = sorted(t for t in raw_vocab if len(t) == 1)
    cont = sorted(t for t in raw_vocab if t.startswith("##") and len(t) == 3)
    rest = sorted((t for t in raw_vocab if t not in set(chars) | set(cont)), key=lambda t: raw_vocab[t])
    for tok in chars + cont + rest:
        if len(vocab) >= vocab_size:
            break
        if tok not in vocab:
            vocab[tok] = len(vocab)
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, s in enumerate(specials)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def bos_template(bos="<|endoftext|>"):
    return {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [0], "tokens": [bos]}}}


# ----------------------------------------------------------------------------------------------
# Models. Each attention records (probs, q, k) into `self.trace` when tracing is on.
# ----------------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.on = False
        self.items = []

    def add(self, **kw):
        if self.on:
            self.items.append({k: (v.detach().clone() if torch.is_tensor(v) else v) for k, v in kw.items()})


class MHAFunction(torch.autograd.Function):
    """Causal multi-head attention that exports as one com.microsoft.MultiHeadAttention node."""

    @staticmethod
    def forward(ctx, q, k, v, num_heads):
        b, t, d = q.shape
        hd = d // num_heads
        qh = q.view(b, t, num_heads, hd).transpose(1, 2)
        kh = k.view(b, t, num_heads, hd).transpose(1, 2)
        vh = v.view(b, t, num_heads, hd).transpose(1, 2)
        s = qh @ kh.transpose(-2, -1) / math.sqrt(hd)
        s = s.masked_fill(~torch.tril(torch.ones(t, t, dtype=torch.bool)), float("-inf"))
        return (torch.softmax(s, -1) @ vh).transpose(1, 2).reshape(b, t, d)

    @staticmethod
    def symbolic(g, q, k, v, num_heads):
        return g.op("com.microsoft::MultiHeadAttention", q, k, v, num_heads_i=num_heads, unidirectional_i=1)


class GPT2Fused(nn.Module):
    def __init__(self, vocab, d, heads, layers, ctx, fused_kernel=False):
        super().__init__()
        self.h, self.hd, self.fused_kernel = heads, d // heads, fused_kernel
        self.rec = Recorder()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(ln1=nn.LayerNorm(d), c_attn=nn.Linear(d, 3 * d), c_proj=nn.Linear(d, d),
                                                  ln2=nn.LayerNorm(d), fc=nn.Linear(d, 4 * d), proj=nn.Linear(4 * d, d))))
        self.ln_f = nn.LayerNorm(d)
        self.register_buffer("bias", torch.tril(torch.ones(ctx, ctx, dtype=torch.bool)).view(1, 1, ctx, ctx), persistent=False)

    def attn(self, m, x):
        b, t, d = x.shape
        q, k, v = m["c_attn"](x).split(d, dim=2)
        if self.fused_kernel:
            return m["c_proj"](MHAFunction.apply(q, k, v, self.h))
        q, k, v = (z.view(b, t, self.h, self.hd).transpose(1, 2) for z in (q, k, v))
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd)
        w = torch.where(self.bias[:, :, :t, :t], w, torch.tensor(torch.finfo(w.dtype).min))
        p = torch.softmax(w, dim=-1)
        self.rec.add(probs=p, q=q, k=k, scale=1 / math.sqrt(self.hd), mask="causal", kind="self")
        return m["c_proj"](torch.matmul(p, v).transpose(1, 2).reshape(b, t, d))

    def forward(self, input_ids):
        t = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(torch.arange(t))
        for m in self.layers:
            x = x + self.attn(m, m["ln1"](x))
            x = x + m["proj"](F.gelu(m["fc"](m["ln2"](x)), approximate="tanh"))
        return self.ln_f(x) @ self.wte.weight.t()


class BertPadding(nn.Module):
    def __init__(self, vocab, d, heads, layers, ctx):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.rec = Recorder()
        self.word = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.emb_ln = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(q=nn.Linear(d, d), k=nn.Linear(d, d), v=nn.Linear(d, d), o=nn.Linear(d, d),
                                                  ln1=nn.LayerNorm(d, eps=1e-12), fc=nn.Linear(d, 4 * d),
                                                  out=nn.Linear(4 * d, d), ln2=nn.LayerNorm(d, eps=1e-12))))

    def forward(self, input_ids, attention_mask):
        b, t = input_ids.shape
        x = self.emb_ln(self.word(input_ids) + self.pos(torch.arange(t)))
        # [b, 1, 1, k]: 0 where attended, the most negative float where padding
        bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        for m in self.layers:
            q, k, v = (m[n](x).view(b, t, self.h, self.hd).transpose(1, 2) for n in ("q", "k", "v"))
            s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd)) + bias
            p = torch.softmax(s, dim=-1)
            self.rec.add(probs=p, q=q, k=k, scale=1 / math.sqrt(self.hd), mask="padding", kind="self")
            a = m["o"](torch.matmul(p, v).transpose(1, 2).reshape(b, t, -1))
            x = m["ln1"](x + a)
            x = m["ln2"](x + m["out"](F.gelu(m["fc"](x))))
        return x


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class LlamaRopeGQA(nn.Module):
    def __init__(self, vocab, d, heads, kv_heads, layers, ctx, theta=10000.0):
        super().__init__()
        self.h, self.kvh, self.hd = heads, kv_heads, d // heads
        self.rec = Recorder()
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                in_norm=RMSNorm(d), q=nn.Linear(d, heads * self.hd, bias=False),
                k=nn.Linear(d, kv_heads * self.hd, bias=False), v=nn.Linear(d, kv_heads * self.hd, bias=False),
                o=nn.Linear(heads * self.hd, d, bias=False), post_norm=RMSNorm(d),
                gate=nn.Linear(d, 2 * d, bias=False), up=nn.Linear(d, 2 * d, bias=False), down=nn.Linear(2 * d, d, bias=False))))
        self.norm = RMSNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        inv = 1.0 / (theta ** (torch.arange(0, self.hd, 2).float() / self.hd))
        ang = torch.outer(torch.arange(ctx).float(), inv)
        self.register_buffer("cos", torch.cat([ang.cos(), ang.cos()], -1), persistent=False)
        self.register_buffer("sin", torch.cat([ang.sin(), ang.sin()], -1), persistent=False)

    def rope(self, x, t):
        half = self.hd // 2
        rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * self.cos[:t] + rot * self.sin[:t]

    def forward(self, input_ids):
        b, t = input_ids.shape
        x = self.embed(input_ids)
        causal = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
        rep = self.h // self.kvh
        for m in self.layers:
            hnorm = m["in_norm"](x)
            q = self.rope(m["q"](hnorm).view(b, t, self.h, self.hd).transpose(1, 2), t)
            k = self.rope(m["k"](hnorm).view(b, t, self.kvh, self.hd).transpose(1, 2), t)
            v = m["v"](hnorm).view(b, t, self.kvh, self.hd).transpose(1, 2)
            # query head h reads kv head h // rep (expand + reshape, as Hugging Face's repeat_kv)
            kr = k[:, :, None].expand(b, self.kvh, rep, t, self.hd).reshape(b, self.h, t, self.hd)
            vr = v[:, :, None].expand(b, self.kvh, rep, t, self.hd).reshape(b, self.h, t, self.hd)
            s = torch.matmul(q, kr.transpose(2, 3)) / math.sqrt(self.hd) + causal
            p = torch.softmax(s, dim=-1)
            self.rec.add(probs=p, q=q, k=k, scale=1 / math.sqrt(self.hd), mask="causal", kind="self")
            x = x + m["o"](torch.matmul(p, vr).transpose(1, 2).reshape(b, t, -1))
            hn = m["post_norm"](x)
            x = x + m["down"](F.silu(m["gate"](hn)) * m["up"](hn))
        return self.lm_head(self.norm(x))


class EncDecCross(nn.Module):
    def __init__(self, vocab, d, heads, layers, ctx):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.rec = Recorder()
        self.embed = nn.Embedding(vocab, d)
        self.enc_pos = nn.Embedding(ctx, d)
        self.dec_pos = nn.Embedding(ctx, d)

        def attn():
            return nn.ModuleDict(dict(q=nn.Linear(d, d), k=nn.Linear(d, d), v=nn.Linear(d, d), o=nn.Linear(d, d)))

        def mlp():
            return nn.ModuleDict(dict(fc=nn.Linear(d, 4 * d), out=nn.Linear(4 * d, d)))

        self.enc = nn.ModuleList([nn.ModuleDict(dict(ln1=nn.LayerNorm(d), attn=attn(), ln2=nn.LayerNorm(d), mlp=mlp()))
                                  for _ in range(layers)])
        self.dec = nn.ModuleList([nn.ModuleDict(dict(ln1=nn.LayerNorm(d), self_attn=attn(), ln2=nn.LayerNorm(d),
                                                     cross=attn(), ln3=nn.LayerNorm(d), mlp=mlp())) for _ in range(layers)])
        self.enc_ln = nn.LayerNorm(d)
        self.dec_ln = nn.LayerNorm(d)

    def mha(self, m, xq, xkv, causal, kind):
        b, tq, d = xq.shape
        tk = xkv.shape[1]
        q = m["q"](xq).view(b, tq, self.h, self.hd).transpose(1, 2)
        k = m["k"](xkv).view(b, tk, self.h, self.hd).transpose(1, 2)
        v = m["v"](xkv).view(b, tk, self.h, self.hd).transpose(1, 2)
        scale = self.hd ** -0.5
        s = torch.matmul(q * scale, k.transpose(-1, -2))  # scaled before the product (BART style)
        if causal:
            s = s.masked_fill(torch.ones(tq, tk, dtype=torch.bool).triu(1), float("-inf"))
        p = torch.softmax(s, dim=-1)
        self.rec.add(probs=p, q=q, k=k, scale=scale, mask="causal" if causal else "none", kind=kind)
        return m["o"](torch.matmul(p, v).transpose(1, 2).reshape(b, tq, d))

    def mlp(self, m, x):
        return m["out"](F.gelu(m["fc"](x)))

    def forward(self, encoder_input_ids, decoder_input_ids):
        te, td = encoder_input_ids.shape[1], decoder_input_ids.shape[1]
        e = self.embed(encoder_input_ids) + self.enc_pos(torch.arange(te))
        for m in self.enc:
            h = m["ln1"](e)
            e = e + self.mha(m["attn"], h, h, False, "encoder-self")
            e = e + self.mlp(m["mlp"], m["ln2"](e))
        e = self.enc_ln(e)
        x = self.embed(decoder_input_ids) + self.dec_pos(torch.arange(td))
        for m in self.dec:
            h = m["ln1"](x)
            x = x + self.mha(m["self_attn"], h, h, True, "decoder-self")
            x = x + self.mha(m["cross"], m["ln2"](x), e, False, "cross")
            x = x + self.mlp(m["mlp"], m["ln3"](x))
        return self.dec_ln(x) @ self.embed.weight.t()


def randomize(model, seed):
    """Random weights large enough that the attention patterns are not all uniform."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif "ln" in name or "norm" in name:
                p.copy_(1.0 + torch.randn(p.shape, generator=g) * 0.1)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * (0.5 if p.dim() == 2 and "embed" in name or "wte" in name
                                                             or "word" in name or "pos" in name else 0.25))


# ----------------------------------------------------------------------------------------------
def to_list(t, nd=7):
    return np.round(t.numpy().astype(np.float64), nd).tolist()


def export(model, args, names, out_names, dyn, path, opset, custom=None):
    model.eval()
    kw = {"custom_opsets": custom} if custom else {}
    torch.onnx.export(model, args, path, input_names=names, output_names=out_names, dynamic_axes=dyn,
                      opset_version=opset, do_constant_folding=True, **kw)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def golden_record(model, inputs, extra):
    model.rec.items = []
    model.rec.on = True
    with torch.no_grad():
        out = model(*inputs)
    model.rec.on = False
    atts = []
    for i, r in enumerate(model.rec.items):
        a = {"index": i, "kind": r["kind"], "mask": r["mask"], "scale": r["scale"],
             "heads": int(r["probs"].shape[1]), "kvHeads": int(r["k"].shape[1]),
             "qLen": int(r["probs"].shape[2]), "kLen": int(r["probs"].shape[3]),
             "probs": to_list(r["probs"]), "q": to_list(r["q"]), "k": to_list(r["k"])}
        atts.append(a)
    return out, atts


def softmax_outputs(m):
    return [n.output[0] for n in m.graph.node if n.op_type == "Softmax"]


VERIFY = r"""
import fs from 'node:fs';
import ort from 'onnxruntime-node';
const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const s = await ort.InferenceSession.create(job.model, { intraOpNumThreads: 1 });
const feeds = {};
for (const [k, v] of Object.entries(job.inputs)) {
  const shape = [v.length, v[0].length];
  feeds[k] = new ort.Tensor('int64', BigInt64Array.from(v.flat().map(BigInt)), shape);
}
const r = await s.run(feeds);
const out = {};
for (const n of s.outputNames) out[n] = { dims: r[n].dims, data: Array.from(r[n].data) };
process.stdout.write(JSON.stringify(out));
"""


def verify_with_ort(model_onnx, path_tmp, inputs, golden_atts, main_out, ref_main):
    """Add every Softmax output as a graph output, run in onnxruntime-node, compare with golden."""
    m = onnx.ModelProto()
    m.CopyFrom(model_onnx)
    names = softmax_outputs(m)
    for n in names:
        m.graph.output.append(onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None))
    onnx.save(m, path_tmp)
    res = json.loads(node_with_stdin(VERIFY, json.dumps({"model": path_tmp, "inputs": inputs})))
    os.unlink(path_tmp)
    worst = 0.0
    if len(names) != len(golden_atts):
        sys.exit(f"{len(names)} Softmax nodes, {len(golden_atts)} attentions recorded")
    for n, a in zip(names, golden_atts):
        got = np.array(res[n]["data"]).reshape(res[n]["dims"])
        worst = max(worst, float(np.abs(got - np.array(a["probs"])).max()))
    got_main = np.array(res[main_out]["data"]).reshape(res[main_out]["dims"])
    main_diff = float(np.abs(got_main - ref_main.numpy()).max())
    return worst, main_diff, names


def verify_fused(path, inputs, main_out, ref_main):
    res = json.loads(node_with_stdin(VERIFY, json.dumps({"model": path, "inputs": inputs})))
    got = np.array(res[main_out]["data"]).reshape(res[main_out]["dims"])
    return float(np.abs(got - ref_main.numpy()).max())


def encode(jobs):
    return json.loads(node_with_stdin(NODE_ENCODE, json.dumps(jobs)))


def write_json(path, obj, indent=None):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=False)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "test", "fixtures", "models"))
    args = ap.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    out = args.out
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp()

    # tokenizers ---------------------------------------------------------------------------
    files = sorted(os.path.join(TOKENIZER_TEXT, f) for f in os.listdir(TOKENIZER_TEXT) if f.endswith(".rst.txt"))
    node(NODE_TOKENIZERS, [json.dumps(files), tmp])
    bpe_raw = json.load(open(os.path.join(tmp, "bpe-raw.json")))
    wp_raw = json.load(open(os.path.join(tmp, "wordpiece-raw.json")))
    V_BPE, V_WP = 512, 600
    byte_level_post = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    toks = {
        "gpt2-fused": build_bpe(bpe_raw, V_BPE, byte_level_post),
        "gpt2-fused-mha": build_bpe(bpe_raw, V_BPE, byte_level_post),
        "llama-rope-gqa": build_bpe(bpe_raw, V_BPE, bos_template()),
        "enc-dec-cross": build_bpe(bpe_raw, V_BPE, None),
        "bert-padding": build_wordpiece(wp_raw, V_WP),
    }
    for name, tj in toks.items():
        os.makedirs(os.path.join(out, name), exist_ok=True)
        write_json(os.path.join(out, name, "tokenizer.json"), tj, indent=1)

    text_code = "def area(r):\n    return 3.14 * r * r"
    text_short = "print('hi')"
    enc = encode([
        {"tokenizer": os.path.join(out, "gpt2-fused", "tokenizer.json"), "text": text_code},
        {"tokenizer": os.path.join(out, "llama-rope-gqa", "tokenizer.json"), "text": text_code},
        {"tokenizer": os.path.join(out, "bert-padding", "tokenizer.json"), "text": "The Quick brown fox, naïvely: x = 42!"},
        {"tokenizer": os.path.join(out, "bert-padding", "tokenizer.json"), "text": "Hello there."},
        {"tokenizer": os.path.join(out, "enc-dec-cross", "tokenizer.json"), "text": "Translate: for i in range(10): total += i"},
        {"tokenizer": os.path.join(out, "enc-dec-cross", "tokenizer.json"), "text": text_short},
    ])
    for e, want in zip(enc, [V_BPE, V_BPE, V_WP, V_WP, V_BPE, V_BPE]):
        assert e["vocab"] == want, (e["vocab"], want)
    summary = {}

    # gpt2-fused (+ fused-kernel twin) ---------------------------------------------------------
    D, H, L, CTX = 32, 4, 2, 64
    gpt = GPT2Fused(V_BPE, D, H, L, CTX)
    randomize(gpt, SEED + 1)
    ids = torch.tensor([enc[0]["ids"]])
    logits, atts = golden_record(gpt, (ids,), {})
    path = os.path.join(out, "gpt2-fused", "model.onnx")
    m = export(gpt, (ids,), ["input_ids"], ["logits"], {"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}, path, 17)
    worst, main_diff, sm = verify_with_ort(m, os.path.join(tmp, "v.onnx"), {"input_ids": ids.tolist()}, atts, "logits", logits)
    write_json(os.path.join(out, "gpt2-fused", "golden.json"), {
        "name": "gpt2-fused", "text": text_code, "inputs": {"input_ids": ids.tolist()}, "tokens": enc[0]["tokens"],
        "softmaxOutputs": sm, "attentions": atts, "logitsLastPosition": to_list(logits[:, -1], 5)})
    write_json(os.path.join(out, "gpt2-fused", "inspector.json"), {
        "name": "gpt2-fused", "causal": True, "architecture": "gpt2", "layers": L, "heads": H, "dModel": D,
        "contextLength": CTX, "vocabSize": V_BPE, "inputIds": "input_ids", "logitsOutput": "logits",
        "specialTokens": {"eos": "<|endoftext|>"}}, indent=2)
    summary["gpt2-fused"] = {"softmax": len(sm), "probsMaxDiff": worst, "logitsMaxDiff": main_diff, "bytes": os.path.getsize(path)}

    gpt.fused_kernel = True
    path = os.path.join(out, "gpt2-fused-mha", "model.onnx")
    m = export(gpt, (ids,), ["input_ids"], ["logits"], {"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}},
               path, 17, custom={"com.microsoft": 1})
    gpt.fused_kernel = False
    n_mha = sum(n.op_type == "MultiHeadAttention" for n in m.graph.node)
    assert n_mha == L and not softmax_outputs(m), "fused variant should have MultiHeadAttention and no Softmax"
    fused_diff = verify_fused(path, {"input_ids": ids.tolist()}, "logits", logits)
    write_json(os.path.join(out, "gpt2-fused-mha", "golden.json"), {
        "name": "gpt2-fused-mha", "sameWeightsAs": "gpt2-fused", "text": text_code, "inputs": {"input_ids": ids.tolist()},
        "tokens": enc[0]["tokens"], "fusedAttentionNodes": [n.name for n in m.graph.node if n.op_type == "MultiHeadAttention"],
        "attentions": atts, "logitsLastPosition": to_list(logits[:, -1], 5)})
    write_json(os.path.join(out, "gpt2-fused-mha", "inspector.json"), {
        "name": "gpt2-fused-mha", "causal": True, "architecture": "gpt2", "layers": L, "heads": H, "dModel": D,
        "contextLength": CTX, "vocabSize": V_BPE, "inputIds": "input_ids", "logitsOutput": "logits",
        "specialTokens": {"eos": "<|endoftext|>"}}, indent=2)
    summary["gpt2-fused-mha"] = {"multiHeadAttentionNodes": n_mha, "logitsMaxDiff": fused_diff, "bytes": os.path.getsize(path)}

    # bert-padding ------------------------------------------------------------------------------
    D, H, L, CTX = 32, 4, 2, 64
    bert = BertPadding(V_WP, D, H, L, CTX)
    randomize(bert, SEED + 2)
    a, b = enc[2]["ids"], enc[3]["ids"]
    T = max(len(a), len(b))
    ids = torch.tensor([a + [0] * (T - len(a)), b + [0] * (T - len(b))])
    mask = torch.tensor([[1] * len(a) + [0] * (T - len(a)), [1] * len(b) + [0] * (T - len(b))])
    hidden, atts = golden_record(bert, (ids, mask), {})
    path = os.path.join(out, "bert-padding", "model.onnx")
    m = export(bert, (ids, mask), ["input_ids", "attention_mask"], ["last_hidden_state"],
               {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                "last_hidden_state": {0: "batch", 1: "seq"}}, path, 14)
    worst, main_diff, sm = verify_with_ort(m, os.path.join(tmp, "v.onnx"),
                                           {"input_ids": ids.tolist(), "attention_mask": mask.tolist()}, atts, "last_hidden_state", hidden)
    write_json(os.path.join(out, "bert-padding", "golden.json"), {
        "name": "bert-padding", "text": ["The Quick brown fox, naïvely: x = 42!", "Hello there."],
        "inputs": {"input_ids": ids.tolist(), "attention_mask": mask.tolist()},
        "tokens": [enc[2]["tokens"], enc[3]["tokens"]], "softmaxOutputs": sm, "attentions": atts,
        "lastHiddenStateFirstToken": to_list(hidden[:, 0], 5)})
    write_json(os.path.join(out, "bert-padding", "inspector.json"), {
        "name": "bert-padding", "causal": False, "architecture": "bert", "layers": L, "heads": H, "dModel": D,
        "contextLength": CTX, "vocabSize": V_WP, "inputIds": "input_ids", "attentionMask": "attention_mask",
        "hiddenOutput": "last_hidden_state",
        "specialTokens": {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "unk": "[UNK]", "mask": "[MASK]"}}, indent=2)
    summary["bert-padding"] = {"softmax": len(sm), "probsMaxDiff": worst, "hiddenMaxDiff": main_diff, "bytes": os.path.getsize(path)}

    # llama-rope-gqa ----------------------------------------------------------------------------
    D, H, KVH, L, CTX = 32, 4, 2, 2, 128
    llama = LlamaRopeGQA(V_BPE, D, H, KVH, L, CTX)
    randomize(llama, SEED + 3)
    ids = torch.tensor([enc[1]["ids"]])
    logits, atts = golden_record(llama, (ids,), {})
    for a_ in atts:
        a_["queryHeadToKvHead"] = [h // (H // KVH) for h in range(H)]
        a_["rope"] = {"theta": 10000.0, "style": "half-split (rotate_half)", "appliedTo": "q and k above"}
    path = os.path.join(out, "llama-rope-gqa", "model.onnx")
    m = export(llama, (ids,), ["input_ids"], ["logits"], {"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}, path, 17)
    worst, main_diff, sm = verify_with_ort(m, os.path.join(tmp, "v.onnx"), {"input_ids": ids.tolist()}, atts, "logits", logits)
    write_json(os.path.join(out, "llama-rope-gqa", "golden.json"), {
        "name": "llama-rope-gqa", "text": text_code, "inputs": {"input_ids": ids.tolist()}, "tokens": enc[1]["tokens"],
        "softmaxOutputs": sm, "attentions": atts, "logitsLastPosition": to_list(logits[:, -1], 5)})
    write_json(os.path.join(out, "llama-rope-gqa", "inspector.json"), {
        "name": "llama-rope-gqa", "causal": True, "architecture": "llama", "layers": L, "heads": H, "kvHeads": KVH,
        "dModel": D, "contextLength": CTX, "vocabSize": V_BPE, "inputIds": "input_ids", "logitsOutput": "logits",
        "specialTokens": {"bos": "<|endoftext|>", "eos": "<|endoftext|>"}}, indent=2)
    summary["llama-rope-gqa"] = {"softmax": len(sm), "probsMaxDiff": worst, "logitsMaxDiff": main_diff, "bytes": os.path.getsize(path)}

    # enc-dec-cross -----------------------------------------------------------------------------
    D, H, L, CTX = 32, 4, 2, 64
    ed = EncDecCross(V_BPE, D, H, L, CTX)
    randomize(ed, SEED + 4)
    e_ids = torch.tensor([enc[4]["ids"]])
    d_ids = torch.tensor([[0] + enc[5]["ids"]])  # decoder starts from <|endoftext|>
    assert e_ids.shape[1] != d_ids.shape[1]
    logits, atts = golden_record(ed, (e_ids, d_ids), {})
    path = os.path.join(out, "enc-dec-cross", "model.onnx")
    m = export(ed, (e_ids, d_ids), ["encoder_input_ids", "decoder_input_ids"], ["logits"],
               {"encoder_input_ids": {0: "batch", 1: "enc_seq"}, "decoder_input_ids": {0: "batch", 1: "dec_seq"},
                "logits": {0: "batch", 1: "dec_seq"}}, path, 17)
    worst, main_diff, sm = verify_with_ort(m, os.path.join(tmp, "v.onnx"),
                                           {"encoder_input_ids": e_ids.tolist(), "decoder_input_ids": d_ids.tolist()}, atts, "logits", logits)
    write_json(os.path.join(out, "enc-dec-cross", "golden.json"), {
        "name": "enc-dec-cross", "text": {"encoder": "Translate: for i in range(10): total += i", "decoder": text_short},
        "inputs": {"encoder_input_ids": e_ids.tolist(), "decoder_input_ids": d_ids.tolist()},
        "tokens": {"encoder": enc[4]["tokens"], "decoder": ["<|endoftext|>"] + enc[5]["tokens"]},
        "softmaxOutputs": sm, "attentions": atts, "logitsLastPosition": to_list(logits[:, -1], 5)})
    write_json(os.path.join(out, "enc-dec-cross", "inspector.json"), {
        "name": "enc-dec-cross", "causal": True, "architecture": "encoder-decoder", "layers": L, "heads": H, "dModel": D,
        "contextLength": CTX, "vocabSize": V_BPE, "encoderInputIds": "encoder_input_ids",
        "decoderInputIds": "decoder_input_ids", "logitsOutput": "logits",
        "decoderStartToken": "<|endoftext|>", "specialTokens": {"eos": "<|endoftext|>"}}, indent=2)
    summary["enc-dec-cross"] = {"softmax": len(sm), "kinds": [a_["kind"] for a_ in atts], "probsMaxDiff": worst,
                                "logitsMaxDiff": main_diff, "bytes": os.path.getsize(path)}

    print(json.dumps(summary, indent=1))
    bad = [n for n, s in summary.items() if max(v for k, v in s.items() if k.endswith("MaxDiff")) > 1e-4]
    if bad:
        sys.exit(f"onnxruntime-node disagrees with PyTorch for {bad}")


if __name__ == "__main__":
    main()
