// Reading the fixture models' golden.json (PyTorch's probabilities, Q and K per attention
// module; see test/fixtures/models/README.md) and turning its inputs into ORT feeds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

export const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'models');
export const DECOMPOSED = ['gpt2-fused', 'bert-padding', 'llama-rope-gqa', 'enc-dec-cross'] as const;

export interface GoldenAttention {
  index: number;
  kind: 'self' | 'encoder-self' | 'decoder-self' | 'cross';
  mask: 'causal' | 'padding' | 'none';
  scale: number;
  heads: number;
  kvHeads: number;
  qLen: number;
  kLen: number;
  probs: number[][][][];
  q: number[][][][];
  k: number[][][][];
  queryHeadToKvHead?: number[];
}

export interface Golden {
  text: unknown;
  inputs: Record<string, number[][]>;
  softmaxOutputs?: string[];
  fusedAttentionNodes?: string[];
  attentions: GoldenAttention[];
  logitsLastPosition?: number[][];
  lastHiddenStateFirstToken?: number[][];
}

export function golden(name: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
}

export function goldenFeeds(g: Golden): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [input, rows] of Object.entries(g.inputs)) {
    feeds[input] = new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, rows[0].length]);
  }
  return feeds;
}

/** The nested golden array flattened in row-major order. */
export function flat(x: unknown): Float32Array {
  const out: number[] = [];
  const walk = (v: unknown) => (Array.isArray(v) ? v.forEach(walk) : out.push(v as number));
  walk(x);
  return Float32Array.from(out);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Our kind names for golden's. */
export function expectedKind(kind: GoldenAttention['kind']): string {
  return kind === 'encoder-self' ? 'encoder' : kind === 'decoder-self' ? 'self' : kind;
}
