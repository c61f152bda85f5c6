"""Exercise: a decoder's cross-attention block with its sources swapped.

The decoder states x [batch, T_target, d] ask; the encoder output memory [batch, T_source, d]
answers. The output must have one row per TARGET token. See lesson "Self- vs cross-attention".
"""
import math

import torch
from torch import nn


class CrossAttention(nn.Module):
    def __init__(self, d_model: int):
        super().__init__()
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        q = self.q_proj(memory)
        k = self.k_proj(x)
        v = self.v_proj(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        return torch.softmax(scores, dim=-1) @ v
