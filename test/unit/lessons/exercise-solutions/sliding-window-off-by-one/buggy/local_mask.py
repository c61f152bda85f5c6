"""Buggy solution (tests only): the bound tightened one step too far.

i - j < window - 1 keeps window - 1 keys per query (the query and window - 2 before it), one
fewer than the docstring says. The linter has no rule for a window that is too small; the probe does.
"""
import math

import torch


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int) -> torch.Tensor:
    """Each query sees `window` keys including itself."""
    t = q.size(-2)
    i = torch.arange(t).unsqueeze(1)
    j = torch.arange(t).unsqueeze(0)
    keep = (j <= i) & (i - j < window - 1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
