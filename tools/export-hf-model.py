#!/usr/bin/env python3
"""Export a Hugging Face transformer to a model folder Attention Inspector opens.

usage: python tools/export-hf-model.py MODEL OUT_DIR [--name NAME] [--fp16] [--opset 17]
                                       [--task auto|causal-lm|seq2seq-lm|base] [--revision REV]
                                       [--trust-remote-code] [--local-files-only]

MODEL is a model id on the Hugging Face Hub (downloaded into the usual transformers cache) or a
local folder saved with save_pretrained(). OUT_DIR receives:

  model.onnx      the model with its attention probabilities as extra outputs: `logits` (or
                  `last_hidden_state` for a base model without a head), then `attn_0` … `attn_{L-1}`,
                  each [batch, heads, query, key] float32; dynamic batch and sequence axes;
                  ONNX opset 17 by default (14 at least). Eager attention is requested
                  (attn_implementation="eager") so that every layer writes its softmax out.
  tokenizer.json  the model's fast (Rust) tokenizer file.
  inspector.json  name, causal or not, architecture, layers, heads, kvHeads, dModel,
                  contextLength, vocabSize, input and output names, special tokens: only fields
                  src/engine/model/inspector-manifest.ts defines.

Encoder–decoder models (T5, BART, Marian …, `config.is_encoder_decoder`): the graph takes
`input_ids` + `attention_mask` (encoder side) and `decoder_input_ids` (decoder side) and outputs
`logits`, then `encoder_attn_i` (encoder self-attention, [batch, heads, source, source]),
`attn_i` (decoder self-attention, causal, [batch, heads, target, target]) and `cross_attn_i`
(decoder → encoder, [batch, heads, target, source]). inspector.json names the encoder and
decoder inputs and the decoder start token but does not list the attention outputs: the
extension finds the three kinds of attention in the graph itself and labels each module
encoder / self / cross (docs/export-hf-model.md).

--fp16 stores the weights as float16 (half the file size) with a Cast to float32 in front of each
use, so the model still computes, and the attention outputs still come out, in float32 on every
ONNX Runtime execution provider. Weights outside float16's range stay float32.

Needs: torch, transformers and onnx (`pip install torch transformers onnx`); onnxruntime is
optional (when present, the export is checked against PyTorch).

What was tested where this script was written, and what was not: that machine had PyTorch 1.13
and onnx but no `transformers` (no access to PyPI or the Hub), so the Hugging Face part of this
script (from_pretrained, the tokenizer download, the model classes' own forward passes) has NOT
been run there. Everything model-agnostic (the export wrapper around a forward that returns
`.logits`/`.attentions` like transformers' outputs, output naming, dynamic axes, float16
weights, inspector.json) is exercised by test/unit/tools/export-hf-model.test.ts on small
PyTorch modules shaped like Hugging Face models, and the result is opened and inspected by the
extension's ONNX engine there.
"""
import argparse
import copy
import inspect
import json
import os
import shutil
import sys
import tempfile

PIP_INSTALL = "pip install torch transformers onnx"
DEFAULT_OPSET = 17
MIN_OPSET = 14
# Weights larger than this (bytes of ONNX protobuf) go to an external data file: protobuf
# cannot hold a message over 2 GiB.
EXTERNAL_DATA_ABOVE = 1_800_000_000
FLOAT16_MAX = 65504.0


class ExportError(Exception):
    """A problem the user can fix; printed without a traceback."""


def require(module, what):
    """Imports a module or fails with the pip command that installs it."""
    try:
        return __import__(module)
    except ImportError as e:
        raise ExportError(f"{what} needs the Python package '{module}' ({e}). Install the exporter's "
                          f"dependencies with:\n    {PIP_INSTALL}") from None


# ------------------------------------------------------------------------------------------------
# Output naming and axes (model-agnostic)
# ------------------------------------------------------------------------------------------------

def attention_output_names(layers, prefix="attn"):
    """One graph output per layer, in layer order: attn_0, attn_1, …"""
    if not isinstance(layers, int) or layers <= 0:
        raise ExportError(f"a model needs at least one layer to export attention (got {layers!r})")
    return [f"{prefix}_{i}" for i in range(layers)]


def decoder_only_axes(input_names, main_output, attn_names):
    """Dynamic axes: batch and sequence everywhere; attention [batch, heads, seq, seq]."""
    axes = {name: {0: "batch", 1: "sequence"} for name in input_names}
    axes[main_output] = {0: "batch", 1: "sequence"}
    for name in attn_names:
        axes[name] = {0: "batch", 2: "sequence", 3: "sequence"}
    return axes


def encoder_decoder_axes(encoder_attn, decoder_attn, cross_attn):
    axes = {
        "input_ids": {0: "batch", 1: "source"},
        "attention_mask": {0: "batch", 1: "source"},
        "decoder_input_ids": {0: "batch", 1: "target"},
        "logits": {0: "batch", 1: "target"},
    }
    for name in encoder_attn:
        axes[name] = {0: "batch", 2: "source", 3: "source"}
    for name in decoder_attn:
        axes[name] = {0: "batch", 2: "target", 3: "target"}
    for name in cross_attn:
        axes[name] = {0: "batch", 2: "target", 3: "source"}
    return axes


# ------------------------------------------------------------------------------------------------
# inspector.json (model-agnostic: from a config dict and the tokenizer.json contents)
# ------------------------------------------------------------------------------------------------

# Model types whose attention is causal (decoder-only language models); others are read from
# config.is_decoder / architectures. Extend as needed: a wrong guess shows as a masking finding.
CAUSAL_MODEL_TYPES = {
    "gpt2", "gpt_neo", "gpt_neox", "gpt_neox_japanese", "gptj", "gpt_bigcode", "codegen", "ctrl",
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi", "phi3",
    "gemma", "gemma2", "gemma3_text", "falcon", "bloom", "opt", "mpt", "stablelm", "starcoder2",
    "olmo", "olmo2", "cohere", "persimmon", "xglm", "biogpt", "rwkv", "mamba", "smollm3", "granite",
}
# Names of the same fact in different configs, first match wins.
LAYER_KEYS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers")
HEAD_KEYS = ("num_attention_heads", "n_head", "num_heads", "n_heads")
KV_HEAD_KEYS = ("num_key_value_heads", "multi_query_group_num", "num_kv_heads")
WIDTH_KEYS = ("hidden_size", "n_embd", "d_model", "dim")
CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "n_ctx", "max_sequence_length", "seq_length")
EPS_KEYS = ("layer_norm_eps", "layer_norm_epsilon", "rms_norm_eps", "norm_eps")
DECODER_LAYER_KEYS = ("decoder_layers", "num_decoder_layers")
DECODER_HEAD_KEYS = ("decoder_attention_heads", "num_heads", "num_attention_heads")
SPECIAL_ROLES = ("bos", "eos", "cls", "sep", "pad", "unk", "mask")
ACTIVATIONS = {"gelu": "gelu", "gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu_fast": "gelu_tanh",
               "relu": "relu", "silu": "silu", "swish": "silu"}


def first_key(config, keys):
    for k in keys:
        v = config.get(k)
        if v is not None:
            return v
    return None


def is_causal(config):
    """Causal (decoder-only) attention, from the config alone."""
    if config.get("is_encoder_decoder"):
        return True  # the decoder side, which is what the inspector shows first
    if config.get("is_decoder"):
        return True
    if config.get("model_type") in CAUSAL_MODEL_TYPES:
        return True
    return any(a.endswith("ForCausalLM") or a.endswith("LMHeadModel") for a in config.get("architectures") or [])


def tokenizer_vocabulary(tokenizer_json):
    """Every token string a tokenizer.json can produce an id for (model vocabulary + added tokens)."""
    model = tokenizer_json.get("model") or {}
    vocab = model.get("vocab")
    tokens = set()
    if isinstance(vocab, dict):  # BPE, WordPiece, WordLevel
        tokens.update(vocab)
    elif isinstance(vocab, list):  # Unigram: [[piece, score], …]
        tokens.update(entry[0] for entry in vocab if entry)
    tokens.update(t["content"] for t in tokenizer_json.get("added_tokens") or [] if "content" in t)
    return tokens


def tokenizer_size(tokenizer_json):
    """Number of ids: the largest id + 1 over the vocabulary and the added tokens."""
    model = tokenizer_json.get("model") or {}
    vocab = model.get("vocab")
    ids = []
    if isinstance(vocab, dict):
        ids.extend(vocab.values())
    elif isinstance(vocab, list):
        ids.append(len(vocab) - 1)
    ids.extend(t["id"] for t in tokenizer_json.get("added_tokens") or [] if "id" in t)
    return max(ids) + 1 if ids else 0


def special_tokens_for_manifest(special_tokens_map, tokenizer_json):
    """{"bos": "<s>", …} for the roles the tokenizer defines, only tokens tokenizer.json knows
    (the extension rejects a special token that is not in the vocabulary)."""
    known = tokenizer_vocabulary(tokenizer_json)
    out = {}
    for role in SPECIAL_ROLES:
        token = special_tokens_map.get(f"{role}_token", special_tokens_map.get(role))
        if isinstance(token, dict):  # AddedToken serialised as a dict
            token = token.get("content")
        if isinstance(token, str) and token and token in known:
            out[role] = token
    return out


def bos_added_by_post_processor(tokenizer_json, bos_token):
    """True when tokenizer.json's post-processor puts `bos_token` in front of a single sequence;
    None when that cannot be read from the file."""
    pp = tokenizer_json.get("post_processor")
    if not pp or not bos_token:
        return None if pp else False
    kinds = [pp] + list(pp.get("processors") or []) if pp.get("type") == "Sequence" else [pp]
    for p in kinds:
        if p.get("type") == "TemplateProcessing":
            single = p.get("single") or []
            if single and "SpecialToken" in single[0]:
                return single[0]["SpecialToken"].get("id") == bos_token
            return False
        if p.get("type") in ("BertProcessing", "RobertaProcessing"):
            cls = p.get("cls")
            return isinstance(cls, list) and cls[0] == bos_token
    return None


def build_manifest(config, *, name, tokenizer_json, special_tokens_map=None, takes_attention_mask,
                   logits_output, attention_outputs, hidden_output=None, decoder_start_token=None):
    """inspector.json for an exported model. `config` is the model config as a dict
    (transformers' config.to_dict()); only fields the extension's manifest defines are written,
    and only when the config states them."""
    special_tokens_map = special_tokens_map or {}
    encoder_decoder = bool(config.get("is_encoder_decoder"))
    m = {"name": name, "causal": is_causal(config)}
    model_type = config.get("model_type")
    m["architecture"] = "encoder-decoder" if encoder_decoder and not model_type else (model_type or None)

    if encoder_decoder:
        layers = first_key(config, DECODER_LAYER_KEYS) or first_key(config, LAYER_KEYS)
        heads = first_key(config, DECODER_HEAD_KEYS)
    else:
        layers = first_key(config, LAYER_KEYS)
        heads = first_key(config, HEAD_KEYS)
    m["layers"] = layers
    m["heads"] = heads
    kv = first_key(config, KV_HEAD_KEYS)
    if config.get("multi_query") is True:  # GPT-BigCode / Falcon style multi-query attention
        kv = 1
    if isinstance(kv, int) and isinstance(heads, int) and 0 < kv < heads and heads % kv == 0:
        m["kvHeads"] = kv
    m["dModel"] = first_key(config, WIDTH_KEYS)
    context = first_key(config, CONTEXT_KEYS)
    m["contextLength"] = context if isinstance(context, int) and context > 0 else None
    vocab = config.get("vocab_size")
    m["vocabSize"] = vocab
    if config.get("rope_theta") is not None or config.get("rotary_dim") is not None or config.get("position_embedding_type") == "rotary":
        m["positionEmbedding"] = "rope"
        theta = config.get("rope_theta")
        if isinstance(theta, (int, float)) and theta > 0:
            m["ropeTheta"] = theta
    elif config.get("position_embedding_type") == "absolute" or model_type in ("gpt2", "bert", "roberta", "opt", "gpt_neo", "distilbert"):
        m["positionEmbedding"] = "learned"
    act = ACTIVATIONS.get(config.get("hidden_act") or config.get("activation_function") or "")
    if act:
        m["activation"] = act
    eps = first_key(config, EPS_KEYS)
    if isinstance(eps, (int, float)) and eps > 0:
        m["layerNormEpsilon"] = eps
    if isinstance(config.get("tie_word_embeddings"), bool):
        m["tiedEmbeddings"] = config["tie_word_embeddings"]

    if encoder_decoder:
        m["encoderInputIds"] = "input_ids"
        m["decoderInputIds"] = "decoder_input_ids"
        if takes_attention_mask:
            m["attentionMask"] = "attention_mask"
        if decoder_start_token:
            m["decoderStartToken"] = decoder_start_token
        # attention outputs are left to the graph search, which tells encoder / self / cross apart
    else:
        m["inputIds"] = "input_ids"
        if takes_attention_mask:
            m["attentionMask"] = "attention_mask"
        m["attentionOutputs"] = list(attention_outputs)
        if isinstance(layers, int) and len(attention_outputs) != layers:
            raise ExportError(f"the model returned {len(attention_outputs)} attention tensors for "
                              f"{layers} layers in its config")
    if logits_output:
        m["logitsOutput"] = logits_output
    if hidden_output:
        m["hiddenOutput"] = hidden_output

    specials = special_tokens_for_manifest(special_tokens_map, tokenizer_json)
    if specials:
        m["specialTokens"] = specials
    bos_added = bos_added_by_post_processor(tokenizer_json, specials.get("bos") or specials.get("cls"))
    if bos_added is not None and specials.get("bos"):
        m["bosAddedByTokenizer"] = bos_added
    size = tokenizer_size(tokenizer_json)
    if isinstance(vocab, int) and 0 < size < vocab:
        # Many models round the embedding up (to a multiple of 64 or 128) past the tokenizer.
        m["embeddingRowsPadded"] = True

    # Fields whose value the config did not give are left out rather than written as null.
    return {k: v for k, v in m.items() if v is not None and not (isinstance(v, int) and not isinstance(v, bool) and v <= 0)}


# ------------------------------------------------------------------------------------------------
# The export itself (model-agnostic: any module whose forward returns .logits/.attentions)
# ------------------------------------------------------------------------------------------------

def forward_parameters(model):
    """Names of forward()'s parameters; "**" stands for a **kwargs catch-all (whatever its name)."""
    try:
        params = inspect.signature(model.forward).parameters.values()
    except (TypeError, ValueError):
        return set()
    return {"**" if p.kind is inspect.Parameter.VAR_KEYWORD else p.name for p in params}


def output_flags(model):
    """output_attentions / use_cache / return_dict, for the ones forward() takes."""
    params = forward_parameters(model)
    return {k: v for k, v in (("output_attentions", True), ("use_cache", False), ("return_dict", True))
            if k in params or "**" in params}


def output_attribute(output, name):
    """Reads `name` from a transformers ModelOutput, a dict or a plain object."""
    if isinstance(output, dict):
        return output.get(name)
    return getattr(output, name, None)


def as_float32(t):
    # only when needed: a Cast on a float32 output would hide its static head count
    return t if str(t.dtype) == "torch.float32" else t.float()


def make_wrapper(torch, model, *, takes_attention_mask, main_output, encoder_decoder):
    """A module whose forward returns plain tensors (what torch.onnx.export traces): the main
    output, then every attention tensor in float32, in layer order."""
    extra = output_flags(model)

    class AttentionExportWrapper(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            if encoder_decoder:
                input_ids, attention_mask, decoder_input_ids = inputs
                out = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                 decoder_input_ids=decoder_input_ids, **extra)
                groups = [output_attribute(out, "encoder_attentions"), output_attribute(out, "decoder_attentions"),
                          output_attribute(out, "cross_attentions")]
                attn = [a for g in groups for a in g]
            else:
                kwargs = {"input_ids": inputs[0]}
                if takes_attention_mask:
                    kwargs["attention_mask"] = inputs[1]
                out = self.model(**kwargs, **extra)
                attn = list(output_attribute(out, "attentions"))
            return (as_float32(output_attribute(out, main_output)), *[as_float32(a) for a in attn])

    return AttentionExportWrapper()


def dummy_inputs(torch, vocab_size, length, takes_attention_mask, encoder_decoder, seed=0, batch=2):
    """`batch` short sequences; with two, the mask hides the last position of the second, so
    data-dependent mask code takes its general (padded) path while it is traced."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, max(2, vocab_size), (batch, length), generator=g, dtype=torch.long)
    mask = torch.ones(batch, length, dtype=torch.long)
    if batch > 1:
        mask[1, -1] = 0
    if encoder_decoder:
        dec = torch.randint(0, max(2, vocab_size), (batch, max(2, length - 3)), generator=g, dtype=torch.long)
        return (ids, mask, dec), ["input_ids", "attention_mask", "decoder_input_ids"]
    if takes_attention_mask:
        return (ids, mask), ["input_ids", "attention_mask"]
    return (ids,), ["input_ids"]


def probe_outputs(torch, model, inputs, takes_attention_mask, encoder_decoder):
    """One eager forward pass: which main output the model has and how many attention tensors."""
    extra = output_flags(model)
    with torch.no_grad():
        if encoder_decoder:
            out = model(input_ids=inputs[0], attention_mask=inputs[1], decoder_input_ids=inputs[2], **extra)
        else:
            kwargs = {"input_ids": inputs[0]}
            if takes_attention_mask:
                kwargs["attention_mask"] = inputs[1]
            out = model(**kwargs, **extra)
    main = "logits" if output_attribute(out, "logits") is not None else "last_hidden_state"
    if output_attribute(out, main) is None:
        raise ExportError("the model's output has neither `logits` nor `last_hidden_state`")
    if encoder_decoder:
        counts = [len(output_attribute(out, k) or ()) for k in ("encoder_attentions", "decoder_attentions", "cross_attentions")]
        if 0 in counts:
            raise ExportError("the model returned no encoder, decoder or cross attentions with output_attentions=True")
        shapes = [tuple(a.shape) for k in ("encoder_attentions", "decoder_attentions", "cross_attentions") for a in output_attribute(out, k)]
        return main, counts, shapes
    attentions = output_attribute(out, "attentions")
    if not attentions or any(a is None for a in attentions):
        raise ExportError(
            "the model returned no attention probabilities with output_attentions=True. Its attention "
            "implementation does not materialise them (e.g. SDPA or flash attention): load it with "
            "attn_implementation=\"eager\" (this script asks for it; the model class may not support it).")
    return main, [len(attentions)], [tuple(a.shape) for a in attentions]


def weights_to_float16(onnx, numpy_helper, np, model_proto, min_elements=1024):
    """Stores large float32 initializers as float16, each followed by a Cast back to float32, so
    the file shrinks by half while every operator still computes in float32. Initializers with
    values beyond float16's range (e.g. mask fill values like -3.4e38) are kept as they are.
    Returns how many were converted."""
    graph = model_proto.graph
    graph_inputs = {i.name for i in graph.input}
    casts = []
    converted = 0
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or init.name in graph_inputs:
            continue
        arr = numpy_helper.to_array(init)
        if arr.size < min_elements or not np.all(np.isfinite(arr)) or (arr.size and np.abs(arr).max() > FLOAT16_MAX):
            continue
        name = init.name
        half = numpy_helper.from_array(arr.astype(np.float16), name + "__float16")
        init.CopyFrom(half)
        casts.append(onnx.helper.make_node("Cast", [half.name], [name], to=onnx.TensorProto.FLOAT,
                                           name=f"{name}__to_float32"))
        converted += 1
    for node in reversed(casts):  # initializers have no producer: the casts go first
        graph.node.insert(0, node)
    return converted


def export_onnx(model, out_dir, *, vocab_size, opset=DEFAULT_OPSET, fp16=False, encoder_decoder=False,
                example_length=8):
    """Exports `model` (eval mode; forward(input_ids, [attention_mask,] output_attentions=True,
    …) returning an object with `.logits` or `.last_hidden_state` and `.attentions`) to
    OUT_DIR/model.onnx with one attention output per layer. Returns a dict describing the
    export: input names, main output, attention output names (per kind for encoder–decoder)."""
    torch = require("torch", "the export")
    onnx = require("onnx", "the export")
    np = require("numpy", "the export")
    from onnx import numpy_helper

    if opset < MIN_OPSET:
        raise ExportError(f"--opset {opset} is too old: attention exports need opset {MIN_OPSET} or later")
    model.eval()
    params = forward_parameters(model)
    takes_mask = "attention_mask" in params
    inputs, input_names = dummy_inputs(torch, vocab_size, example_length, takes_mask, encoder_decoder)
    main, counts, shapes = probe_outputs(torch, model, inputs, takes_mask, encoder_decoder)

    if encoder_decoder:
        enc = attention_output_names(counts[0], "encoder_attn")
        dec = attention_output_names(counts[1], "attn")
        cross = attention_output_names(counts[2], "cross_attn")
        attn_names = enc + dec + cross
        axes = encoder_decoder_axes(enc, dec, cross)
        groups = {"encoder": enc, "decoder": dec, "cross": cross}
    else:
        attn_names = attention_output_names(counts[0])
        axes = decoder_only_axes(input_names, main, attn_names)
        groups = {"self": attn_names}
    for name, shape in zip(attn_names, shapes):
        if len(shape) != 4:
            raise ExportError(f"{name} has shape {list(shape)}; attention must be [batch, heads, query, key]")

    os.makedirs(out_dir, exist_ok=True)
    wrapper = make_wrapper(torch, model, takes_attention_mask=takes_mask, main_output=main, encoder_decoder=encoder_decoder)
    # torch writes models over 2 GB as one file per tensor: export into a scratch folder, then
    # save the final file (and at most one model.onnx.data) into OUT_DIR.
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as scratch:
        traced = os.path.join(scratch, "model.onnx")
        with torch.no_grad():
            torch.onnx.export(wrapper, inputs, traced, input_names=input_names, output_names=[main] + attn_names,
                              dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
        proto = onnx.load(traced)  # loads external data files alongside, if any
    # torch's shape inference leaves the head axis symbolic; the head count is fixed per module
    outputs = {o.name: o for o in proto.graph.output}
    for name, shape in zip(attn_names, shapes):
        dim = outputs[name].type.tensor_type.shape.dim
        if len(dim) == 4 and not dim[1].HasField("dim_value"):
            dim[1].dim_value = int(shape[1])
    if fp16:
        converted = weights_to_float16(onnx, numpy_helper, np, proto)
        print(f"float16 weights: {converted} initializers converted", file=sys.stderr)
    proto.doc_string = f"exported by tools/export-hf-model.py with attention outputs {attn_names[0]}…{attn_names[-1]}"
    save_onnx(onnx, proto, os.path.join(out_dir, "model.onnx"))
    return {"inputs": input_names, "main_output": main, "attention_outputs": attn_names, "groups": groups,
            "takes_attention_mask": takes_mask, "attention_shapes": [list(s) for s in shapes]}


def save_onnx(onnx, proto, path):
    """Writes the model, with its weights in model.onnx.data when protobuf cannot hold them."""
    data = path + ".data"
    if os.path.exists(data):  # from an earlier export into the same folder
        os.remove(data)
    if sum(len(t.raw_data) for t in proto.graph.initializer) > EXTERNAL_DATA_ABOVE:
        onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(data), size_threshold=1024)
    else:
        onnx.save_model(proto, path)
    onnx.checker.check_model(path)


def verify_with_onnxruntime(model, out_dir, export, vocab_size, encoder_decoder, atol=1e-3):
    """When onnxruntime (Python) is installed: runs the exported file and PyTorch on a new input
    of another length and compares every attention output. Returns a message, or None."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    import torch
    import numpy as np
    # another batch size and length than the trace's: the extension runs one sequence at a time
    inputs, names = dummy_inputs(torch, vocab_size, 11, export["takes_attention_mask"], encoder_decoder, seed=1, batch=1)
    wrapper = make_wrapper(torch, model, takes_attention_mask=export["takes_attention_mask"],
                           main_output=export["main_output"], encoder_decoder=encoder_decoder)
    with torch.no_grad():
        expected = [t.numpy() for t in wrapper(*inputs)]
    sess = ort.InferenceSession(os.path.join(out_dir, "model.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run([export["main_output"]] + export["attention_outputs"], {n: t.numpy() for n, t in zip(names, inputs)})
    worst = max(float(np.abs(a - b).max()) for a, b in zip(expected[1:], got[1:]))
    if worst > atol:
        raise ExportError(f"the exported attention differs from PyTorch's by {worst:.2e} (more than {atol:g}) on "
                          "one sequence of another length: the export baked in something shape-dependent")
    return f"checked with onnxruntime: attention matches PyTorch within {worst:.1e}"


def float16_rounded_copy(model, min_elements=1024):
    """The model with the parameters --fp16 stores as float16 rounded the same way: what the
    exported file computes, to compare it with."""
    import torch
    rounded = copy.deepcopy(model)
    with torch.no_grad():
        for p in rounded.parameters():
            if p.dtype == torch.float32 and p.numel() >= min_elements and torch.isfinite(p).all() and p.abs().max() <= FLOAT16_MAX:
                p.copy_(p.half().float())
    return rounded


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def export_model_folder(model, config, tokenizer_json_path, out_dir, *, name, special_tokens_map=None,
                        opset=DEFAULT_OPSET, fp16=False, decoder_start_token=None):
    """The whole folder from a loaded model: model.onnx, tokenizer.json, inspector.json.
    `config` is a dict (config.to_dict()). Returns the manifest written."""
    with open(tokenizer_json_path, encoding="utf-8") as f:
        tokenizer_json = json.load(f)
    encoder_decoder = bool(config.get("is_encoder_decoder"))
    vocab_size = config.get("vocab_size") or tokenizer_size(tokenizer_json)
    export = export_onnx(model, out_dir, vocab_size=min(vocab_size, tokenizer_size(tokenizer_json) or vocab_size),
                         opset=opset, fp16=fp16, encoder_decoder=encoder_decoder)
    if os.path.abspath(tokenizer_json_path) != os.path.abspath(os.path.join(out_dir, "tokenizer.json")):
        shutil.copyfile(tokenizer_json_path, os.path.join(out_dir, "tokenizer.json"))
    main = export["main_output"]
    manifest = build_manifest(
        config, name=name, tokenizer_json=tokenizer_json, special_tokens_map=special_tokens_map,
        takes_attention_mask=export["takes_attention_mask"],
        logits_output=main if main == "logits" else None,
        hidden_output=main if main != "logits" else None,
        attention_outputs=export["groups"].get("self", []),
        decoder_start_token=decoder_start_token)
    write_json(os.path.join(out_dir, "inspector.json"), manifest)
    reference = float16_rounded_copy(model) if fp16 else model
    message = verify_with_onnxruntime(reference, out_dir, export, min(vocab_size, tokenizer_size(tokenizer_json) or vocab_size), encoder_decoder)
    if message:
        print(message, file=sys.stderr)
    return manifest


# ------------------------------------------------------------------------------------------------
# Hugging Face loading (needs transformers; not run where this script was written, see header)
# ------------------------------------------------------------------------------------------------

def load_hf(model_ref, task, revision=None, trust_remote_code=False, local_files_only=False):
    torch = require("torch", "the export")
    transformers = require("transformers", "loading a Hugging Face model")
    common = {"revision": revision, "trust_remote_code": trust_remote_code, "local_files_only": local_files_only}
    config = transformers.AutoConfig.from_pretrained(model_ref, **common)
    if task == "auto":
        archs = config.architectures or []
        if config.is_encoder_decoder:
            task = "seq2seq-lm"
        elif is_causal(config.to_dict()) or any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs):
            task = "causal-lm"
        else:
            task = "base"
    auto = {"causal-lm": transformers.AutoModelForCausalLM, "seq2seq-lm": transformers.AutoModelForSeq2SeqLM,
            "base": transformers.AutoModel}[task]
    try:
        # Eager attention writes the softmax out; SDPA / flash attention never materialise it.
        model = auto.from_pretrained(model_ref, attn_implementation="eager", torch_dtype=torch.float32, **common)
    except (TypeError, ValueError) as e:
        if "attn_implementation" not in str(e):
            raise
        print(f"note: this transformers version or model class does not take attn_implementation ({e}); "
              "loading with its default attention", file=sys.stderr)
        model = auto.from_pretrained(model_ref, **common)
    model.eval()
    if hasattr(model.config, "use_cache"):
        model.config.use_cache = False

    tokenizer = transformers.AutoTokenizer.from_pretrained(model_ref, use_fast=True, **common)
    if not getattr(tokenizer, "is_fast", False):
        raise ExportError(
            f"{model_ref} has no fast tokenizer (tokenizer.json), only a slow Python one "
            f"({type(tokenizer).__name__}). The extension reads tokenizer.json; converting needs the "
            "`sentencepiece`/`protobuf` packages (pip install sentencepiece protobuf) and a tokenizer "
            "class that transformers can convert. Try again after installing them, or pick a model that ships tokenizer.json.")
    return config, model, tokenizer, task


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a Hugging Face model (+ tokenizer.json) with attention outputs "
                                             "to a folder Attention Inspector opens.")
    ap.add_argument("model", help="model id on the Hugging Face Hub, or a local folder saved with save_pretrained()")
    ap.add_argument("out_dir", help="folder to write model.onnx, tokenizer.json and inspector.json to")
    ap.add_argument("--name", help="model name shown by the extension (default: the model id's last part)")
    ap.add_argument("--fp16", action="store_true", help="store weights as float16 (computation stays float32)")
    ap.add_argument("--opset", type=int, default=DEFAULT_OPSET, help=f"ONNX opset (default {DEFAULT_OPSET}, at least {MIN_OPSET})")
    ap.add_argument("--task", choices=["auto", "causal-lm", "seq2seq-lm", "base"], default="auto",
                    help="which head to load: auto picks from the config")
    ap.add_argument("--revision", help="a branch, tag or commit of the Hub repository")
    ap.add_argument("--trust-remote-code", action="store_true", help="allow the model repository's own Python code")
    ap.add_argument("--local-files-only", action="store_true", help="do not download; use the local cache only")
    args = ap.parse_args(argv)
    try:
        if args.opset < MIN_OPSET:
            raise ExportError(f"--opset {args.opset} is too old: attention exports need opset {MIN_OPSET} or later")
        config, model, tokenizer, task = load_hf(args.model, args.task, args.revision, args.trust_remote_code, args.local_files_only)
        name = args.name or os.path.basename(os.path.normpath(args.model))
        with tempfile.TemporaryDirectory() as tmp:
            tokenizer.save_pretrained(tmp)
            tok_path = os.path.join(tmp, "tokenizer.json")
            if not os.path.exists(tok_path):
                raise ExportError(f"save_pretrained wrote no tokenizer.json for {args.model} (files: {', '.join(sorted(os.listdir(tmp)))})")
            start = None
            if config.is_encoder_decoder and config.decoder_start_token_id is not None:
                start = tokenizer.convert_ids_to_tokens(config.decoder_start_token_id)
            manifest = export_model_folder(model, copy.deepcopy(config.to_dict()), tok_path, args.out_dir, name=name,
                                           special_tokens_map=dict(tokenizer.special_tokens_map), opset=args.opset,
                                           fp16=args.fp16, decoder_start_token=start)
        print(f"wrote {args.out_dir}: model.onnx ({task}, {manifest.get('layers')} layers × {manifest.get('heads')} heads"
              f"{', float16 weights' if args.fp16 else ''}), tokenizer.json, inspector.json")
        print(f"try it: npx attention-inspector inspect \"some text\" --model {args.out_dir}")
    except ExportError as e:
        print(f"export-hf-model: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
