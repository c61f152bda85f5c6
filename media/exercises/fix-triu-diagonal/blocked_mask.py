"""Exercise: the first token of every sequence comes out as NaN. Why?

The mask marks the positions to BLOCK (True = blocked), as nn.MultiheadAttention expects.
See lesson "Causal masking".
"""
import math

import torch


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    t = q.size(-2)
    blocked = torch.triu(torch.ones(t, t, dtype=torch.bool, device=q.device))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(blocked, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
