"""Exercise: this decoder attention lets every token read the FUTURE. Find and fix the mask.

Shapes: q, k, v [batch, heads, T, d]. The checker changes a later token and expects no earlier
output to move. See lesson "Causal masking".
"""
import math

import torch


def masked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    t = q.size(-2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    mask = torch.tril(torch.ones(t, t, device=q.device))
    scores = scores.masked_fill(mask == 0, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v
