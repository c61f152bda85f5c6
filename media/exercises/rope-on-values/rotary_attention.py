"""Exercise: rotary position embeddings applied to the wrong tensor.

RoPE rotates queries and keys so that q(p)·k(p') depends only on p - p'. Values carry content
and must NOT be rotated. Shapes: q, k, v [batch, heads, T, d]; cos, sin [T, d].
See lesson "Positions".
"""
import math

import torch


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return x * cos + rotate_half(x) * sin


def rotary_attention(q, k, v, cos, sin):
    q = apply_rope(q, cos, sin)
    v = apply_rope(v, cos, sin)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.softmax(scores, dim=-1) @ v
