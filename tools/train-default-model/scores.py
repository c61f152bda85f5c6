"""Head scores logged during training and written into the model card. Definitions:

  induction  On BOS + R + R, R = 50 token ids drawn uniformly from the non-special vocabulary
             (fixed seed, 8 sequences): mean attention from each query in the second copy to the
             key just after that token's earlier occurrence (TransformerLens-style).
  prev       On validation text (BOS + 255 tokens, 8 windows): mean attention from query q to key
             q-1, over q >= 2.
  sink       Same windows: mean attention to key 0 (the BOS), over q >= 8 (for early rows the first
             column is large by construction).
  repeat_loss  Cross-entropy on the second copy of R (excluding its first token), in nats; ln(V)
             without in-context copying, near 0 with working induction heads.
"""
import torch
import torch.nn.functional as F

EOT = 0
REPEAT_LEN = 50


def repeated_batch(vocab, n=8, L=REPEAT_LEN, seed=7):
    g = torch.Generator().manual_seed(seed)
    r = torch.randint(1, vocab, (n, L), generator=g)
    return torch.cat([torch.zeros(n, 1, dtype=torch.long), r, r], dim=1)


def text_windows(val, n=8, T=256):
    starts = torch.linspace(0, len(val) - T, n).long()
    return torch.stack([torch.cat([torch.tensor([EOT]), val[s:s + T - 1]]) for s in starts])


@torch.no_grad()
def per_head_scores(model, val, vocab):
    rep = repeated_batch(vocab)
    L = REPEAT_LEN
    _, probs = model(rep, want_probs=True)
    q = torch.arange(L + 1, 2 * L + 1)
    induction = torch.stack([p[:, :, q, q - L + 1].mean(dim=(0, 2)) for p in probs])  # [layers, heads]
    txt = text_windows(val, T=min(256, model.config["context"]))
    _, probs = model(txt, want_probs=True)
    T = txt.shape[1]
    qp = torch.arange(2, T)
    prev = torch.stack([p[:, :, qp, qp - 1].mean(dim=(0, 2)) for p in probs])
    sink = torch.stack([p[:, :, 8:, 0].mean(dim=(0, 2)) for p in probs])
    return {"induction": induction, "prev": prev, "sink": sink}


def head_scores(model, val, vocab):
    s = per_head_scores(model, val, vocab)
    best = {}
    for name, m in s.items():
        idx = int(torch.argmax(m))
        layer, head = divmod(idx, m.shape[1])
        best[name] = round(float(m.view(-1)[idx]), 4)
        best[name + "_head"] = f"L{layer}H{head}"
    return {"per_head": {k: v.tolist() for k, v in s.items()}, "best": best}


@torch.no_grad()
def repeated_half_loss(model, vocab):
    rep = repeated_batch(vocab, seed=11)
    L = REPEAT_LEN
    logits, _ = model(rep)
    # position p predicts p+1; second copy occupies L+1..2L; predict L+2..2L from L+1..2L-1
    pred = logits[:, L + 1:2 * L]
    tgt = rep[:, L + 2:2 * L + 1]
    return F.cross_entropy(pred.reshape(-1, pred.shape[-1]), tgt.reshape(-1)).item()
