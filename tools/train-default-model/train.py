#!/usr/bin/python3
"""Step 3 of the recipe: train the bundled GPT on the tokenized corpus (from train_tokenizer.mjs),
mixing in synthetic repeated random-token segments so induction heads form, and log the head
scores that prove they did. Deterministic: fixed seeds, fixed step count, one BLAS/torch thread per
process and --procs data-parallel processes (the bundled model: 2). run.sh holds the exact commands.

usage: /usr/bin/python3 tools/train-default-model/train.py --work .cache/train-default-model
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import GPT  # noqa: E402
from scores import head_scores, repeated_half_loss  # noqa: E402

EOT = 0


def load_bin(path):
    return torch.from_numpy(np.fromfile(path, dtype=np.uint16).astype(np.int64))


class Batches:
    """Training windows: <|endoftext|> (BOS) + T-1 corpus tokens from a random offset. With
    probability `syn` the window is synthetic: with probability `pure` it is one random segment
    (length 10..min(T/2, 100)) repeated back to back after the BOS; otherwise a random-token segment (uniform over the non-special vocabulary, length
    10..100) is written into the window 2..4 times, sometimes back to back, sometimes with real
    text between copies. The first copy carries no loss (it is unpredictable noise); the later
    copies are predictable only by in-context copying, which is what rewards induction heads."""

    def __init__(self, data, vocab, ctx, batch, syn, seed, pure=0.5, pool=None):
        self.data, self.vocab, self.ctx, self.batch, self.syn, self.pure = data, vocab, ctx, batch, syn, pure
        self.g = torch.Generator().manual_seed(seed)
        self.pool = pool  # token ids random segments are drawn from (None: all non-special ids)

    def random_tokens(self, n):
        if self.pool is None:
            return torch.randint(1, self.vocab, (n,), generator=self.g)
        return self.pool[torch.randint(0, len(self.pool), (n,), generator=self.g)]

    def randint(self, lo, hi):
        return int(torch.randint(lo, hi, (1,), generator=self.g))

    def next(self):
        T = self.ctx
        x = torch.empty(self.batch, T + 1, dtype=torch.long)
        w = torch.ones(self.batch, T)  # loss weight per predicted position
        for i in range(self.batch):
            off = self.randint(0, len(self.data) - T)
            x[i, 0] = EOT
            x[i, 1:] = self.data[off:off + T]
            if float(torch.rand(1, generator=self.g)) < self.syn:
                if float(torch.rand(1, generator=self.g)) < self.pure:
                    # the whole window is one random segment repeated back to back
                    L = self.randint(10, min(T // 2, 100) + 1)
                    seg = self.random_tokens(L)
                    reps = seg.repeat(T // L + 1)[:T]
                    x[i, 1:] = reps
                    w[i, :L] = 0.0  # targets 1..L are the unpredictable first copy
                    continue
                L = self.randint(10, 101)
                copies = self.randint(2, 5)
                seg = self.random_tokens(L)
                pos = 1 + self.randint(0, max(1, T // 4))
                for c in range(copies):
                    if pos + L > T + 1:
                        break
                    x[i, pos:pos + L] = seg
                    if c == 0:
                        w[i, pos - 1:pos - 1 + L] = 0.0  # targets x[pos..pos+L) are noise
                    gap = 0 if float(torch.rand(1, generator=self.g)) < 0.5 else self.randint(1, L + 1)
                    pos += L + gap
        return x[:, :-1], x[:, 1:], w


def lr_at(step, total, peak, warmup, cooldown):
    """Warmup, constant, then a linear cooldown to 10% over the last `cooldown` steps. Until the
    cooldown starts the schedule does not depend on `total`, so a shorter run is exactly the
    prefix of a longer one up to that point."""
    if step < warmup:
        return peak * (step + 1) / warmup
    start = total - cooldown
    if step < start:
        return peak
    return peak * (1.0 - 0.9 * (step - start) / max(1, cooldown))


@torch.no_grad()
def val_loss(model, val, ctx, n_windows=16):
    model.eval()
    starts = torch.linspace(0, len(val) - ctx, n_windows).long()
    xs = torch.stack([torch.cat([torch.tensor([EOT]), val[s:s + ctx - 1]]) for s in starts])
    ys = torch.stack([val[s:s + ctx] for s in starts])
    losses = []
    for j in range(0, n_windows, 4):
        logits, _ = model(xs[j:j + 4])
        losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ys[j:j + 4].reshape(-1)).item())
    model.train()
    return sum(losses) / len(losses)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--train-ctx", type=int, default=256, help="window length for the first phase")
    ap.add_argument("--long-steps", type=int, default=750, help="the last N steps use --context-long windows")
    ap.add_argument("--cooldown", type=int, default=750, help="the last N steps decay the learning rate linearly to 10%%")
    ap.add_argument("--tokens-per-step", type=int, default=4096, help="per process")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--syn", type=float, default=0.5, help="share of windows with repeated random segments (start)")
    ap.add_argument("--syn-end", type=float, default=None, help="share at the end of --syn-decay (default: --syn)")
    ap.add_argument("--syn-decay", type=int, default=1000, help="steps over which --syn moves linearly to --syn-end")
    ap.add_argument("--pure", type=float, default=0.5, help="share of those windows that are only repeats")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--run", default="run", help="name of the run folder under --work")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    ap.add_argument("--procs", type=int, default=1, help="data-parallel processes (gloo), one per core")
    ap.add_argument("--rope", action="store_true", help="rotary positions instead of learned ones")
    ap.add_argument("--syn-pool", type=int, default=0, help="draw random segments from the N most frequent training tokens (0: whole vocabulary)")
    ap.add_argument("--pool-double-every", type=int, default=0,
                    help="with --syn-pool: double the pool every N steps until it is the whole vocabulary")
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this step (the schedule still assumes --steps)")
    ap.add_argument("--init-from", default=None, help="start from this checkpoint's weights and optimizer state (stage 2)")
    ap.add_argument("--init-std", type=float, default=0.02, help="std of the normal init of every weight matrix and embedding")
    args = ap.parse_args()
    if args.syn_end is None:
        args.syn_end = args.syn
    os.makedirs(os.path.join(args.work, args.run), exist_ok=True)
    if args.procs > 1:
        import torch.multiprocessing as mp
        # a run that was killed leaves its rendezvous file behind; a stale one would hang the resume
        stale = os.path.join(args.work, args.run, "ddp-rendezvous")
        if os.path.exists(stale):
            os.remove(stale)
        mp.spawn(run, args=(args,), nprocs=args.procs, join=True)
    else:
        run(0, args)


def run(rank, args):
    """One data-parallel worker. Rank 0 evaluates, logs and checkpoints; with --procs 1 this is
    plain single-process training. Gradients are averaged over ranks (DDP, gloo, CPU)."""
    world = args.procs
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", init_method="file://" + os.path.abspath(os.path.join(args.work, args.run, "ddp-rendezvous")),
                                rank=rank, world_size=world)
    run_dir = os.path.join(args.work, args.run)
    tok_stats = json.load(open(os.path.join(args.work, "tokens.json")))
    vocab = tok_stats["vocabSize"]
    train = load_bin(os.path.join(args.work, "train.bin"))
    val = load_bin(os.path.join(args.work, "validation.bin"))

    model = GPT(vocab, args.d_model, args.heads, args.layers, args.context, args.rope, args.init_std)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    ckpt_path = os.path.join(run_dir, "checkpoint.pt")
    rng_path = os.path.join(run_dir, f"rng-rank{rank}.pt")
    log_path = os.path.join(run_dir, "log.jsonl")
    step, tokens_seen, elapsed = 0, 0, 0.0
    seed = args.seed + 1000 * rank
    by_frequency = None
    if args.syn_pool:
        counts = torch.bincount(train, minlength=vocab)
        counts[0] = -1  # never the special token
        by_frequency = torch.argsort(counts, descending=True, stable=True)[:vocab - 1]

    def pool_at(step):
        # curriculum: copying is learnt far sooner over a few hundred distinct tokens than over
        # thousands; growing the pool to the whole vocabulary makes the circuit general
        if by_frequency is None:
            return None
        size = args.syn_pool * (2 ** (step // args.pool_double_every) if args.pool_double_every else 1)
        return None if size >= vocab - 1 else by_frequency[:size]

    pool = pool_at(0)
    short = Batches(train, vocab, args.train_ctx, max(1, args.tokens_per_step // args.train_ctx), args.syn, seed, args.pure, pool)
    long = Batches(train, vocab, args.context, max(1, args.tokens_per_step // args.context), args.syn, seed + 1, args.pure, pool)
    before = {"steps": 0, "tokens": 0, "seconds": 0.0}
    if args.init_from and not os.path.exists(ckpt_path):
        ck = torch.load(args.init_from)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        before = {"steps": ck["step"], "tokens": ck["tokens_seen"], "seconds": ck["elapsed"]}
        if rank == 0:
            print(f"stage 2: starting from {args.init_from} (step {ck['step']})", flush=True)
    if os.path.exists(ckpt_path):  # resume an interrupted run exactly where it stopped
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, tokens_seen, elapsed = ck["step"], ck["tokens_seen"], ck["elapsed"]
        before = ck.get("before", before)
        rng = torch.load(rng_path)
        assert rng["step"] == step, "rng state and checkpoint are from different steps"
        short.g.set_state(rng["g_short"])
        long.g.set_state(rng["g_long"])
        if rank == 0:
            print(f"resumed at step {step}", flush=True)
    elif rank == 0:
        open(log_path, "w").close()
    if rank == 0:
        print(json.dumps({"params": n_params, "args": vars(args)}), flush=True)
    params = [p for p in model.parameters()]

    def average_gradients():
        # every rank starts from the same seeded weights, so averaging gradients (one flat
        # all-reduce) keeps the replicas identical
        if world == 1:
            return
        import torch.distributed as dist
        from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors
        flat = _flatten_dense_tensors([p.grad for p in params])
        dist.all_reduce(flat)
        flat /= world
        for p, g in zip(params, _unflatten_dense_tensors(flat, [p.grad for p in params])):
            p.grad.copy_(g)

    def log(rec):
        with open(log_path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(json.dumps(rec), flush=True)

    long_from = args.steps - args.long_steps
    decay_steps = max(1, args.syn_decay)
    t0 = time.time() - elapsed
    model.train()
    last = min(args.steps, args.stop_at) if args.stop_at else args.steps
    while step < last:
        src = long if step >= long_from else short
        src.pool = pool_at(step)
        src.syn = args.syn + (args.syn_end - args.syn) * min(1.0, step / decay_steps)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr, args.warmup, args.cooldown)
        x, y, w = src.next()
        logits, _ = model(x)
        loss_tok = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1), reduction="none")
        loss = (loss_tok * w.reshape(-1)).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        average_gradients()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += x.numel() * world
        if step % 50 == 0 and rank == 0:
            el = time.time() - t0
            log({"step": step, "loss": round(loss.item(), 4), "lr": opt.param_groups[0]["lr"], "syn": round(src.syn, 3),
                 "pool": len(src.pool) if src.pool is not None else vocab - 1,
                 "tokens": tokens_seen, "elapsed_s": round(el, 1), "tok_per_s": round(tokens_seen / el)})
        if step % args.eval_every == 0 or step == last:
            torch.save({"step": step, "g_short": short.g.get_state(), "g_long": long.g.get_state()}, rng_path)
            if rank == 0:
                model.eval()
                sc = head_scores(model, val, vocab)
                rep = repeated_half_loss(model, vocab)
                rec = {"step": step, "tokens": tokens_seen, "val_loss": round(val_loss(model, val, args.context), 4),
                       "repeat_loss": round(rep, 4), "elapsed_s": round(time.time() - t0, 1)}
                model.train()
                rec.update(sc["best"])
                log(rec)
                torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                            "tokens_seen": tokens_seen, "elapsed": time.time() - t0, "before": before,
                            "config": model.config}, ckpt_path + ".tmp")
                os.replace(ckpt_path + ".tmp", ckpt_path)
    if rank == 0:
        final = {"params": n_params, "steps": step, "tokens_seen": tokens_seen,
                 "train_seconds": round(time.time() - t0, 1), "config": model.config, "args": vars(args),
                 "before": before}
        with open(os.path.join(run_dir, "final.json"), "w") as f:
            json.dump(final, f, indent=2)
        torch.save({"model": model.state_dict(), "config": model.config}, os.path.join(run_dir, "model.pt"))
        print("done", json.dumps(final), flush=True)
    if world > 1:
        import torch.distributed as dist
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
