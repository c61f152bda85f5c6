"""The bundled model's architecture: a small GPT-2-style decoder, written plainly because the
extension's TypeScript reference re-implements this exact forward pass from the ONNX initializers.

  x = wte[ids] (+ wpe[positions] when rope=False; the bundled model uses rope=True: no absolute
      position embedding, q and k rotated half-split with base 10000 inside each head)
  per block:  x = x + Attn(LN1(x));  x = x + MLP(LN2(x))   (pre-LayerNorm, eps 1e-5)
    Attn: qkv = x W_qkv + b (one fused Linear d -> 3d, split as [q | k | v]), heads split
          along d as [head, head_dim]; (RoPE on q, k); A = softmax(q k^T / sqrt(head_dim) + causal mask);
          out = (A v merged over heads) W_o + b_o
    MLP:  gelu_tanh(x W_1 + b_1) W_2 + b_2          (GPT-2's tanh approximation of GELU)
  logits = LN_f(x) wte^T                             (LM head tied to the token embedding)
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads, context, rope=False):
        super().__init__()
        self.rope = rope
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        mask = torch.tril(torch.ones(context, context, dtype=torch.bool))
        self.register_buffer("causal", mask.view(1, 1, context, context), persistent=False)
        if rope:
            hd = self.head_dim
            inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
            ang = torch.outer(torch.arange(context).float(), inv)  # [context, hd/2]
            self.register_buffer("cos", torch.cat([ang.cos(), ang.cos()], -1), persistent=False)
            self.register_buffer("sin", torch.cat([ang.sin(), ang.sin()], -1), persistent=False)

    def rotate(self, x, t):
        # half-split RoPE: pairs (i, i + hd/2) rotate by position * 10000^(-2i/hd)
        h = self.head_dim // 2
        rot = torch.cat([-x[..., h:], x[..., :h]], dim=-1)
        return x * self.cos[:t] + rot * self.sin[:t]

    def forward(self, x, want_probs=False):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        q = q.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        if self.rope:
            q, k = self.rotate(q, t), self.rotate(k, t)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
        scores = scores.masked_fill(~self.causal[:, :, :t, :t], float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        y = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, d)
        return self.proj(y), (probs if want_probs else None)


class Block(nn.Module):
    def __init__(self, d_model, n_heads, context, rope=False):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model, eps=1e-5)
        self.attn = CausalSelfAttention(d_model, n_heads, context, rope)
        self.ln2 = nn.LayerNorm(d_model, eps=1e-5)
        self.fc = nn.Linear(d_model, 4 * d_model)
        self.fc_out = nn.Linear(4 * d_model, d_model)

    def forward(self, x, want_probs=False):
        a, probs = self.attn(self.ln1(x), want_probs)
        x = x + a
        x = x + self.fc_out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x, probs


class GPT(nn.Module):
    def __init__(self, vocab, d_model, n_heads, n_layers, context, rope=False, init_std=0.02):
        super().__init__()
        self.config = dict(vocab=vocab, d_model=d_model, n_heads=n_heads, n_layers=n_layers, context=context, rope=rope)
        self.init_std = init_std
        self.rope = rope
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = None if rope else nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_heads, context, rope) for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model, eps=1e-5)
        self.apply(self._init)
        # GPT-2: scale the residual-stream writers by 1/sqrt(2 * layers).
        for blk in self.blocks:
            nn.init.normal_(blk.attn.proj.weight, std=init_std / math.sqrt(2 * n_layers))
            nn.init.normal_(blk.fc_out.weight, std=init_std / math.sqrt(2 * n_layers))

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=self.init_std)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=self.init_std)

    def forward(self, ids, want_probs=False):
        t = ids.shape[1]
        pos = torch.arange(t, device=ids.device)
        x = self.wte(ids) if self.rope else self.wte(ids) + self.wpe(pos)
        all_probs = []
        for blk in self.blocks:
            x, probs = blk(x, want_probs)
            all_probs.append(probs)
        logits = torch.matmul(self.ln_f(x), self.wte.weight.t())
        return logits, all_probs


class ExportWrapper(nn.Module):
    """ONNX graph: input_ids -> (logits, attn_0, ..., attn_{L-1})."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        logits, probs = self.model(input_ids, want_probs=True)
        return (logits, *probs)
