"""Exercise: grouped-query attention. Query heads are grouped; each group shares one K/V head.

Shapes: q [batch, n_heads, T, d], k and v [batch, n_kv_heads, T, d], n_heads % n_kv_heads == 0.
Query head h must read kv head h // (n_heads // n_kv_heads).
See lesson "MHA vs MQA vs GQA".
"""
import math

import torch


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    n_rep = q.size(1) // k.size(1)
    k = k.repeat_interleave(n_rep, dim=1)
    v = v.repeat_interleave(n_rep, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    return torch.softmax(scores, dim=-1) @ v
