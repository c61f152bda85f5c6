#!/usr/bin/python3
"""Small PyTorch modules shaped like Hugging Face models, for testing tools/export-hf-model.py
where `transformers` cannot be installed. Each takes a config dict with Hugging Face's key names
and a forward with Hugging Face's keyword arguments, and returns an object with the attributes
transformers' ModelOutput classes have (`logits` / `last_hidden_state`, `attentions`, and for
the encoder–decoder `encoder_attentions` / `decoder_attentions` / `cross_attentions`), built
the way transformers' eager attention builds them: softmax(Q·Kᵀ/√d + additive mask) with
torch.finfo(float32).min at masked positions.

usage (run by test/unit/tools/export-hf-model.test.ts with /usr/bin/python3):
  hf-standins.py export JOBS.json
      JOBS.json: [{"kind": "causal-lm" | "encoder" | "seq2seq", "out": DIR, "tokenizer": FILE,
      "ids": [token ids], "fp16": bool}]. Exports each stand-in with export_model_folder(), then
      prints, per job, {"manifest": …, "attentions": {kind: [[heads][q][k] per layer]}}: PyTorch's
      own attention for those ids, for the test to compare with what the engine reads from the file
  hf-standins.py manifests      prints build_manifest() for several real model configs
  hf-standins.py main ARGS…     runs the script's main() with `transformers` made unimportable
"""
import importlib.util
import json
import math
import os
import sys
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def load_exporter():
    spec = importlib.util.spec_from_file_location("export_hf_model", os.path.join(REPO, "tools", "export-hf-model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NEG = torch.finfo(torch.float32).min


class Attention(nn.Module):
    """Multi-head attention with optional grouped key/value heads; mask is additive [b, 1|h, q, k]."""

    def __init__(self, d, heads, kv_heads=None):
        super().__init__()
        self.h, self.kv, self.hd = heads, kv_heads or heads, d // heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, self.kv * self.hd)
        self.v = nn.Linear(d, self.kv * self.hd)
        self.o = nn.Linear(d, d)

    def forward(self, x, source, mask):
        b, tq, d = x.shape
        tk = source.shape[1]
        q = self.q(x).view(b, tq, self.h, self.hd).transpose(1, 2)
        k = self.k(source).view(b, tk, self.kv, self.hd).transpose(1, 2)
        v = self.v(source).view(b, tk, self.kv, self.hd).transpose(1, 2)
        if self.kv != self.h:  # GQA: each key/value head serves h/kv query heads (transformers' repeat_kv)
            k, v = (z[:, :, None].expand(b, self.kv, self.h // self.kv, tk, self.hd).reshape(b, self.h, tk, self.hd)
                    for z in (k, v))
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd)
        if mask is not None:
            scores = scores + mask
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, tq, d)
        return self.o(out), probs


def padding_mask(attention_mask, tq):
    """[b, k] of 1/0 → additive [b, 1, q, k]."""
    keep = attention_mask[:, None, None, :].to(torch.float32)
    return ((1.0 - keep) * NEG).expand(-1, 1, tq, -1)


def causal_mask(t, attention_mask=None):
    allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))[None, None]
    if attention_mask is not None:
        allowed = allowed & attention_mask[:, None, None, :].bool()
    return torch.zeros(allowed.shape, dtype=torch.float32).masked_fill(~allowed, NEG)


class Block(nn.Module):
    def __init__(self, d, heads, kv_heads=None, cross=False):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads, kv_heads)
        self.cross = Attention(d, heads) if cross else None
        self.ln_c = nn.LayerNorm(d) if cross else None
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def forward(self, x, mask, memory=None, memory_mask=None):
        a, p = self.attn(self.ln1(x), self.ln1(x), mask)
        x = x + a
        c = None
        if self.cross is not None:
            y, c = self.cross(self.ln_c(x), memory, memory_mask)
            x = x + y
        x = x + self.proj(F.gelu(self.fc(self.ln2(x))))
        return x, p, c


class TinyCausalLM(nn.Module):
    """Like a *ForCausalLM: learned positions, GQA, causal + padding mask, tied LM head."""

    def __init__(self, config):
        super().__init__()
        d, v = config["hidden_size"], config["vocab_size"]
        self.wte = nn.Embedding(v, d)
        self.wpe = nn.Embedding(config["max_position_embeddings"], d)
        self.blocks = nn.ModuleList(Block(d, config["num_attention_heads"], config.get("num_key_value_heads"))
                                    for _ in range(config["num_hidden_layers"]))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, input_ids, attention_mask=None, position_ids=None, output_attentions=False, use_cache=None,
                return_dict=None):
        assert use_cache in (None, False), "the exporter must not ask for a cache"
        t = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(torch.arange(t)[None])
        mask = causal_mask(t, attention_mask)
        attentions = []
        for blk in self.blocks:
            x, p, _ = blk(x, mask)
            attentions.append(p)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return SimpleNamespace(logits=logits, attentions=tuple(attentions) if output_attentions else None)


class TinyEncoder(nn.Module):
    """Like a BERT base model (no head): bidirectional, padding mask, returns last_hidden_state.
    Its forward takes no `use_cache` (as BERT-style encoders without a decoder mode)."""

    def __init__(self, config):
        super().__init__()
        d = config["hidden_size"]
        self.wte = nn.Embedding(config["vocab_size"], d)
        self.wpe = nn.Embedding(config["max_position_embeddings"], d)
        self.blocks = nn.ModuleList(Block(d, config["num_attention_heads"]) for _ in range(config["num_hidden_layers"]))

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, output_attentions=False, return_dict=None):
        t = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(torch.arange(t)[None])
        mask = padding_mask(attention_mask if attention_mask is not None else torch.ones_like(input_ids), t)
        attentions = []
        for blk in self.blocks:
            x, p, _ = blk(x, mask)
            attentions.append(p)
        return SimpleNamespace(last_hidden_state=x, attentions=tuple(attentions) if output_attentions else None)


class TinySeq2Seq(nn.Module):
    """Like a *ForConditionalGeneration (BART-style): encoder self-attention, decoder causal
    self-attention and cross-attention to the encoder. Takes use_cache/return_dict via **kwargs."""

    def __init__(self, config):
        super().__init__()
        d, v = config["d_model"], config["vocab_size"]
        self.emb = nn.Embedding(v, d)
        self.pos = nn.Embedding(config["max_position_embeddings"], d)
        self.enc = nn.ModuleList(Block(d, config["encoder_attention_heads"]) for _ in range(config["encoder_layers"]))
        self.dec = nn.ModuleList(Block(d, config["decoder_attention_heads"], cross=True) for _ in range(config["decoder_layers"]))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, input_ids, attention_mask=None, decoder_input_ids=None, output_attentions=False, **kwargs):
        # newer transformers models take the other flags through **kwargs
        assert set(kwargs) <= {"use_cache", "return_dict"} and not kwargs.get("use_cache"), kwargs
        s, t = input_ids.shape[1], decoder_input_ids.shape[1]
        attention_mask = attention_mask if attention_mask is not None else torch.ones_like(input_ids)
        x = self.emb(input_ids) + self.pos(torch.arange(s)[None])
        enc_attn, dec_attn, cross_attn = [], [], []
        for blk in self.enc:
            x, p, _ = blk(x, padding_mask(attention_mask, s))
            enc_attn.append(p)
        y = self.emb(decoder_input_ids) + self.pos(torch.arange(t)[None])
        for blk in self.dec:
            y, p, c = blk(y, causal_mask(t), memory=x, memory_mask=padding_mask(attention_mask, t))
            dec_attn.append(p)
            cross_attn.append(c)
        logits = self.ln_f(y) @ self.emb.weight.t()
        keep = output_attentions
        return SimpleNamespace(logits=logits, encoder_attentions=tuple(enc_attn) if keep else None,
                               decoder_attentions=tuple(dec_attn) if keep else None,
                               cross_attentions=tuple(cross_attn) if keep else None)


# Configs with the key names real Hugging Face configs use for these families.
CONFIGS = {
    "causal-lm": {
        "model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "hidden_size": 64, "max_position_embeddings": 64, "vocab_size": 512,
        "hidden_act": "gelu", "layer_norm_eps": 1e-5, "tie_word_embeddings": True,
    },
    "encoder": {
        "model_type": "bert", "architectures": ["BertModel"], "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 32, "max_position_embeddings": 64, "vocab_size": 600, "hidden_act": "gelu",
        "position_embedding_type": "absolute", "layer_norm_eps": 1e-12, "is_decoder": False,
    },
    "seq2seq": {
        "model_type": "bart", "architectures": ["BartForConditionalGeneration"], "is_encoder_decoder": True,
        "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "d_model": 32, "max_position_embeddings": 64, "vocab_size": 512, "decoder_start_token_id": 0,
        "activation_function": "gelu",
    },
}
MODELS = {"causal-lm": TinyCausalLM, "encoder": TinyEncoder, "seq2seq": TinySeq2Seq}
# What transformers' tokenizer.special_tokens_map would say for these tokenizers ("<s>" is not in
# the BPE fixture's vocabulary: the exporter must leave it out).
SPECIAL_MAPS = {
    "causal-lm": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<s>"},
    "encoder": {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"},
    "seq2seq": {"eos_token": "<|endoftext|>", "pad_token": "<pad>"},
}


def build(kind):
    torch.manual_seed(20240611)
    model = MODELS[kind](CONFIGS[kind])
    # Larger than default init, so the heads attend sharply and differences would show.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith((".q.weight", ".k.weight")):
                p.mul_(4.0)
    return model.eval()


def to_lists(tensors):
    return [t[0].tolist() for t in tensors]


def cmd_export(jobs_file):
    """Runs every export job in the JSON file (one Python start for all: importing torch is slow)."""
    with open(jobs_file, encoding="utf-8") as f:
        jobs = json.load(f)
    print(json.dumps([export_one(j["kind"], j["out"], j["tokenizer"], j["ids"], j.get("fp16", False)) for j in jobs]))


def export_one(kind, out_dir, tokenizer, ids, fp16):
    ex = load_exporter()
    model = build(kind)
    config = CONFIGS[kind]
    manifest = ex.export_model_folder(model, dict(config), tokenizer, out_dir, name=f"standin-{kind}",
                                      special_tokens_map=SPECIAL_MAPS[kind], fp16=fp16,
                                      decoder_start_token="<|endoftext|>" if kind == "seq2seq" else None)
    reference = ex.float16_rounded_copy(model) if fp16 else model
    ids = torch.tensor([ids], dtype=torch.long)
    with torch.no_grad():
        if kind == "seq2seq":
            dec = torch.cat([torch.tensor([[config["decoder_start_token_id"]]]), ids], dim=1)
            out = reference(input_ids=ids, attention_mask=torch.ones_like(ids), decoder_input_ids=dec,
                            output_attentions=True)
            attentions = {"encoder": to_lists(out.encoder_attentions), "self": to_lists(out.decoder_attentions),
                          "cross": to_lists(out.cross_attentions)}
        else:
            out = reference(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
            attentions = {"self": to_lists(out.attentions)}
    return {"manifest": manifest, "attentions": attentions}


def tokenizer_json(vocab, added, post_processor=None):
    return {"model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(vocab)}},
            "added_tokens": [{"id": i, "content": t} for i, t in added], "post_processor": post_processor}


def cmd_manifests():
    """build_manifest on configs shaped like real ones (keys as in their config.json files)."""
    ex = load_exporter()
    bos_first = {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                                         {"Sequence": {"id": "A", "type_id": 0}}]}
    llama_tok = tokenizer_json(["<unk>", "<s>", "</s>", "a", "b"], [], bos_first)
    gpt2_tok = tokenizer_json(["a", "b", "c"], [(3, "<|endoftext|>")])
    bert_tok = tokenizer_json(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a"], [])
    t5_tok = tokenizer_json(["<pad>", "</s>", "<unk>", "a"], [])
    cases = {
        "gpt2": ex.build_manifest(
            {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": 12, "n_head": 12, "n_embd": 768,
             "n_positions": 1024, "n_ctx": 1024, "vocab_size": 50257, "activation_function": "gelu_new",
             "layer_norm_epsilon": 1e-5},
            name="gpt2", tokenizer_json=gpt2_tok, takes_attention_mask=True, logits_output="logits",
            special_tokens_map={"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"},
            attention_outputs=ex.attention_output_names(12)),
        "llama": ex.build_manifest(
            {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "num_hidden_layers": 2, "num_attention_heads": 32,
             "num_key_value_heads": 8, "hidden_size": 4096, "max_position_embeddings": 131072, "vocab_size": 5,
             "rope_theta": 500000.0, "rms_norm_eps": 1e-5, "hidden_act": "silu", "tie_word_embeddings": False},
            name="llama", tokenizer_json=llama_tok, takes_attention_mask=True, logits_output="logits",
            special_tokens_map={"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
            attention_outputs=ex.attention_output_names(2)),
        "bert": ex.build_manifest(
            {"model_type": "bert", "architectures": ["BertForMaskedLM"], "num_hidden_layers": 2, "num_attention_heads": 12,
             "hidden_size": 768, "max_position_embeddings": 512, "vocab_size": 6, "position_embedding_type": "absolute",
             "layer_norm_eps": 1e-12, "hidden_act": "gelu"},
            name="bert", tokenizer_json=bert_tok, takes_attention_mask=True, logits_output=None,
            hidden_output="last_hidden_state",
            special_tokens_map={"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                                "mask_token": "[MASK]"},
            attention_outputs=ex.attention_output_names(2)),
        "t5": ex.build_manifest(
            {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "is_encoder_decoder": True,
             "num_layers": 6, "num_decoder_layers": 6, "num_heads": 8, "d_model": 512, "vocab_size": 32128,
             "decoder_start_token_id": 0, "layer_norm_epsilon": 1e-6, "tie_word_embeddings": False},
            name="t5-small", tokenizer_json=t5_tok, takes_attention_mask=True, logits_output="logits",
            special_tokens_map={"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
            attention_outputs=[], decoder_start_token="<pad>"),
        "falcon-mqa": ex.build_manifest(
            {"model_type": "falcon", "num_hidden_layers": 1, "num_attention_heads": 8, "multi_query": True,
             "hidden_size": 64, "vocab_size": 3},
            name="falcon", tokenizer_json=gpt2_tok, takes_attention_mask=True, logits_output="logits",
            attention_outputs=ex.attention_output_names(1)),
    }
    try:
        ex.build_manifest({"model_type": "gpt2", "n_layer": 3, "n_head": 2}, name="x", tokenizer_json=gpt2_tok,
                          takes_attention_mask=False, logits_output="logits", attention_outputs=ex.attention_output_names(2))
        mismatch = None
    except ex.ExportError as e:
        mismatch = str(e)
    print(json.dumps({"cases": cases, "layerMismatchError": mismatch,
                      "names": ex.attention_output_names(3), "encoderNames": ex.attention_output_names(2, "encoder_attn")}))


def cmd_main(args):
    sys.modules["transformers"] = None  # `import transformers` now raises ImportError, as when it is not installed
    ex = load_exporter()
    sys.exit(ex.main(args))


if __name__ == "__main__":
    torch.set_num_threads(1)
    cmd = sys.argv[1]
    if cmd == "export":
        cmd_export(sys.argv[2])
    elif cmd == "manifests":
        cmd_manifests()
    elif cmd == "main":
        cmd_main(sys.argv[2:])
    else:
        sys.exit(f"unknown command {cmd}")
