"""Exercise: implement causal scaled dot-product attention in NumPy.

Shapes (one head, no batch):
    q: [Lq, d_k]   k: [Lk, d_k]   v: [Lk, d_v]   ->   output [Lq, d_v]

Query i may attend to key j only when j <= i (keep the LOWER triangle, diagonal included).
The checker calls causal_attention on square inputs (Lq == Lk) and compares it with the
Attention Inspector reference engine. See lesson "Causal masking".
"""
import numpy as np


def causal_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    # TODO 1: scores = q @ k.T, scaled by 1 / sqrt(d_k)
    # TODO 2: block every key after the query: set those scores to -inf
    # TODO 3: softmax over the KEY axis (subtract the row max first)
    # TODO 4: return the weighted sum of the values
    raise NotImplementedError("write causal attention here")
