"""Buggy solution (tests only): RoPE on q and k, and on the values as well.

The scores are right (relative positions only), but the output is mixed with position angles.
Shapes: q, k, v [batch, heads, T, d]; cos, sin [T, d].
"""
import math

import torch


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return x * cos + rotate_half(x) * sin


def rotary_attention(q, k, v, cos, sin):
    q, k, v = (apply_rope(t, cos, sin) for t in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.softmax(scores, dim=-1) @ v
