"""Exercise: a causal sliding window.

Each query sees `window` keys including itself: i - window < j <= i.
See lesson "Sparse attention patterns".
"""
import math

import torch


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int) -> torch.Tensor:
    """Each query sees `window` keys including itself."""
    t = q.size(-2)
    i = torch.arange(t).unsqueeze(1)
    j = torch.arange(t).unsqueeze(0)
    keep = (j <= i) & (i - j < window)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
