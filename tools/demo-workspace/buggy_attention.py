"""A small causal self-attention block with two classic mistakes in it.

With Attention Inspector installed, opening this file is enough for the linter to flag both.
The fixed lines are in the comments, so you can compare.
"""
import math

import torch
import torch.nn as nn


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        assert d_model % n_heads == 0
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq_len, d_model = x.shape
        q, k, v = self.qkv(x).split(d_model, dim=-1)
        # (batch, heads, seq, d_head)
        q = q.view(batch, seq_len, self.n_heads, self.d_head).transpose(1, 2)
        k = k.view(batch, seq_len, self.n_heads, self.d_head).transpose(1, 2)
        v = v.view(batch, seq_len, self.n_heads, self.d_head).transpose(1, 2)

        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)

        # BUG: this blocks the past and lets every token see the future.
        # Fix: blocked = torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=1)
        blocked = torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=-1)
        scores = scores.masked_fill(blocked, float("-inf"))

        # BUG: normalises each key's column over the queries instead of each query's row.
        # Fix: weights = scores.softmax(dim=-1)
        weights = scores.softmax(dim=-2)

        context = (weights @ v).transpose(1, 2).reshape(batch, seq_len, d_model)
        return self.out(context)


if __name__ == "__main__":
    torch.manual_seed(0)
    block = CausalSelfAttention(d_model=32, n_heads=4)
    y = block(torch.randn(2, 7, 32))
    print(y.shape)
