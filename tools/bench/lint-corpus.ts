// A generated corpus for the linter benchmark: Python and TypeScript files that mix attention
// code (the project's lint fixtures and correct-implementations corpus, with renamed
// identifiers so no two copies are identical) with ordinary ML-project code (data loading,
// configuration, training loops, utilities) generated from templates. `attentionShare`
// controls the fraction of lines that are attention code.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'lint');

export interface CorpusFile {
  name: string;
  text: string;
  language: 'python' | 'typescript';
}

function listFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Attention snippets without their inline expectation comments. */
function attentionSnippets(ext: string): string[] {
  return listFiles(FIXTURES, ext).map((f) => readFileSync(f, 'utf8').replace(/\s*(#|\/\/)\s*expect:.*$/gm, ''));
}

function plainPython(r: () => number, i: number): string {
  const n = 3 + Math.floor(r() * 5);
  const fields = Array.from({ length: n }, (_, k) => `    field_${k}: int = ${Math.floor(r() * 100)}`).join('\n');
  return `
@dataclass
class TrainConfig${i}:
    """Hyper-parameters for run ${i}."""
${fields}
    learning_rate: float = 3e-4
    name: str = "run-${i}"


def load_split_${i}(path, split="train", limit=None):
    rows = []
    with open(os.path.join(path, f"{split}.jsonl"), encoding="utf-8") as fh:
        for line_no, line in enumerate(fh):
            if limit is not None and line_no >= limit:
                break
            record = json.loads(line)
            if not record.get("text"):
                continue
            rows.append({"text": record["text"].strip(), "label": int(record.get("label", 0))})
    logger.info("loaded %d rows from %s", len(rows), split)
    return rows


def collate_${i}(batch, tokenizer, max_length=${64 + Math.floor(r() * 448)}):
    texts = [b["text"] for b in batch]
    enc = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    enc["labels"] = torch.tensor([b["label"] for b in batch])
    return enc


def train_epoch_${i}(model, loader, optimizer, scheduler, device, clip=1.0):
    model.train()
    total, steps = 0.0, 0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        loss = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        scheduler.step()
        total += loss.item()
        steps += 1
        if steps % 100 == 0:
            logger.info("step %d loss %.4f", steps, total / steps)
    return total / max(steps, 1)


def parse_args_${i}(argv=None):
    parser = argparse.ArgumentParser(description="training script ${i}")
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=${1 + Math.floor(r() * 9)})
    parser.add_argument("--batch-size", type=int, default=${16 * (1 + Math.floor(r() * 8))})
    parser.add_argument("--seed", type=int, default=${Math.floor(r() * 10000)})
    return parser.parse_args(argv)
`;
}

const PY_HEADER = `import argparse
import json
import logging
import math
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

logger = logging.getLogger(__name__)
`;

function plainTs(r: () => number, i: number): string {
  return `
export interface Options${i} {
  width: number;
  height: number;
  label?: string;
}

export function clamp${i}(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

export function formatRow${i}(values: number[], digits = ${1 + Math.floor(r() * 4)}): string {
  return values.map((v) => v.toFixed(digits)).join(', ');
}

export class Histogram${i} {
  private readonly bins: number[];
  constructor(private readonly size: number) {
    this.bins = new Array(size).fill(0);
  }
  add(x: number): void {
    const k = clamp${i}(Math.floor(x * this.size), 0, this.size - 1);
    this.bins[k]++;
  }
  toString(): string {
    return formatRow${i}(this.bins.map((b) => b / Math.max(1, this.total())));
  }
  private total(): number {
    return this.bins.reduce((a, b) => a + b, 0);
  }
}
`;
}

/** Renames identifiers of a snippet so every copy differs (q → q_3 …) without changing meaning. */
function vary(text: string, k: number): string {
  return text.replace(/\bscores\b/g, `scores_${k}`).replace(/\battn\b/g, `attn_${k}`).replace(/\bdef (\w+)\(/g, `def $1_${k}(`);
}

export function generateCorpus(targetLines: number, attentionShare: number, seed = 7): { files: CorpusFile[]; lines: number; attentionLines: number } {
  const r = rng(seed);
  const py = attentionSnippets('.py');
  const ts = attentionSnippets('.ts');
  const files: CorpusFile[] = [];
  let lines = 0;
  let attentionLines = 0;
  let i = 0;
  while (lines < targetLines) {
    const isTs = r() < 0.15;
    const parts: string[] = [isTs ? `import * as tf from '@tensorflow/tfjs';\n` : PY_HEADER];
    let fileLines = 0;
    let fileAttention = 0;
    while (fileLines < 300 + r() * 500) {
      if (fileAttention < attentionShare * (fileLines + 1)) {
        const pool = isTs ? ts : py;
        const s = vary(pool[Math.floor(r() * pool.length)], i).replace(/^(import|from) .*$/gm, '');
        parts.push(s);
        const n = s.split('\n').length;
        fileAttention += n;
        fileLines += n;
      } else {
        const s = isTs ? plainTs(r, i) : plainPython(r, i);
        parts.push(s);
        fileLines += s.split('\n').length;
      }
      i++;
    }
    const text = parts.join('\n');
    const n = text.split('\n').length;
    files.push({ name: `file_${files.length}.${isTs ? 'ts' : 'py'}`, text, language: isTs ? 'typescript' : 'python' });
    lines += n;
    attentionLines += fileAttention;
  }
  return { files, lines, attentionLines };
}

/** One Python file of at least `minLines` lines made of attention classes and functions. */
export function attentionFile(minLines: number): string {
  const py = attentionSnippets('.py');
  const parts = [PY_HEADER];
  let n = 0;
  for (let k = 0; n < minLines; k++) {
    const s = vary(py[k % py.length], k).replace(/^(import|from) .*$/gm, '');
    parts.push(s);
    n += s.split('\n').length;
  }
  return parts.join('\n');
}
