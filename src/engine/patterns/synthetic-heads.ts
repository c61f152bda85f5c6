// Synthetic attention heads with known ground truth, for validating the labeller.
//
// A head is built row by row as a mixture of *components*, each a distribution over the
// keys the row may see:
//
//   A_i = Σ_c w_c · C_c(i) + ε · N_i,   then every cell × exp(0.05·z), renormalised
//
// where N_i is a random softmax (temperature 0.5–2.5) over the allowed keys, ε the noise
// level, and z standard normal jitter. The ground-truth label is the primary component's
// (weight ≥ 0.6); "mixed" heads are two components of 0.3–0.42 each plus noise, from
// pairs that form no other pattern. Everything is drawn from a seeded PRNG, so the suite
// is the same on every machine.
//
// The suite covers every label at several lengths (16 / 48 / 128 / 256), noise levels
// (0 / 0.1 / 0.2 / 0.3), causal and bidirectional heads, cross-attention (q ≠ k), sinks on
// the first token, on punctuation / newline columns and on two columns, blocks of varied
// sizes given by lines / sentences / brackets in the token texts or only by the weights,
// induction on repeated random sequences and on text with a few copied spans, and for
// half the heads token texts with lines and sentences that the head ignores (a confound
// for the block score).
import type { PatternLabel, TokenInfo } from './pattern-types';
import { SeededRandom } from './seeded-random';

export interface SyntheticHead {
  /** Readable description, e.g. "sink c=5 causal n=48 noise=0.2 mix". */
  name: string;
  truth: PatternLabel;
  q: number;
  k: number;
  causal: boolean;
  /** Row-major [q, k]. */
  weights: Float32Array;
  tokens: TokenInfo;
  noise: number;
}

/** Writes a distribution over keys 0 … end − 1 of row i into `out` (which arrives zeroed). */
type Component = (i: number, end: number, out: Float64Array) => void;

const WORDS = ['the', 'model', 'attends', 'to', 'each', 'token', 'value', 'key', 'query', 'layer', 'head', 'softmax', 'return', 'self', 'mask', 'weight', 'sum', 'of', 'and', 'x', 'y', 'i', 'n'];

// ---------------------------------------------------------------- components

const selfToken: Component = (i, end, out) => {
  out[Math.min(i, end - 1)] = 1;
};
const previousToken: Component = (i, end, out) => {
  out[i >= 1 ? i - 1 : Math.min(i, end - 1)] = 1;
};
const nextToken: Component = (i, end, out) => {
  out[i + 1 < end ? i + 1 : Math.min(i, end - 1)] = 1;
};
function column(c: number, fallback: Component): Component {
  return (i, end, out) => (c < end ? (out[c] = 1) : fallback(i, end, out));
}
function softmaxOver(out: Float64Array, lo: number, hi: number, rng: SeededRandom, temperature: number): void {
  let sum = 0;
  for (let j = lo; j < hi; j++) sum += out[j] = Math.exp(temperature * rng.normal());
  for (let j = lo; j < hi; j++) out[j] /= sum;
}
function broad(rng: SeededRandom, temperature: number): Component {
  return (_i, end, out) => softmaxOver(out, 0, end, rng, temperature);
}
/** Spread over the query's segment (only the part it may see). */
function segment(seg: Int32Array, profile: 'uniform' | 'random', rng: SeededRandom): Component {
  return (i, end, out) => {
    let lo = i;
    while (lo > 0 && seg[lo - 1] === seg[i]) lo--;
    let hi = i + 1;
    while (hi < end && seg[hi] === seg[i]) hi++;
    if (profile === 'random') return softmaxOver(out, lo, hi, rng, 0.7);
    for (let j = lo; j < hi; j++) out[j] = 1 / (hi - lo);
  };
}
/** Window [i − w, i] (causal) or [i − w, i + w], uniform or decaying with distance. */
function band(w: number, profile: 'uniform' | 'decay', causal: boolean): Component {
  return (i, end, out) => {
    const lo = Math.max(0, i - w);
    const hi = Math.min(end, causal ? i + 1 : i + w + 1);
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += out[j] = profile === 'uniform' ? 1 : Math.exp(-Math.abs(i - j) / Math.max(1, w / 2));
    for (let j = lo; j < hi; j++) out[j] /= sum;
  };
}
/** Latest earlier occurrence p of the query's token → attend to p + 1 (or fallback). */
function induction(ids: number[], fallback: Component): Component {
  return (i, end, out) => {
    for (let p = i - 1; p >= 0; p--) {
      if (ids[p] === ids[i]) return void (out[p + 1] = 1);
    }
    fallback(i, end, out);
  };
}
/** Every earlier occurrence of the query's token, evenly (or fallback). */
function duplicate(ids: number[], fallback: Component): Component {
  return (i, end, out) => {
    let n = 0;
    for (let p = 0; p < i; p++) if (ids[p] === ids[i]) n++;
    if (n === 0) return fallback(i, end, out);
    for (let p = 0; p < i; p++) if (ids[p] === ids[i]) out[p] = 1 / n;
  };
}
/** Cross-attention monotonic alignment: query i → key round(i · (k − 1) / (q − 1)). */
function alignment(q: number, k: number): Component {
  return (i, _end, out) => {
    out[Math.round((i * (k - 1)) / Math.max(1, q - 1))] = 1;
  };
}

// ---------------------------------------------------------------- assembly

function assemble(q: number, k: number, causal: boolean, parts: [number, Component][], noise: number, rng: SeededRandom): Float32Array {
  const w = new Float32Array(q * k);
  const row = new Float64Array(k);
  const part = new Float64Array(k);
  const temperature = rng.uniform(0.5, 2.5);
  for (let i = 0; i < q; i++) {
    const end = causal ? i + 1 : k;
    row.fill(0);
    for (const [weight, comp] of parts) {
      if (weight <= 0) continue;
      part.fill(0);
      comp(i, end, part);
      for (let j = 0; j < end; j++) row[j] += weight * part[j];
    }
    if (noise > 0) {
      part.fill(0);
      softmaxOver(part, 0, end, rng, temperature);
      for (let j = 0; j < end; j++) row[j] += noise * part[j];
    }
    let sum = 0;
    for (let j = 0; j < end; j++) sum += row[j] *= Math.exp(0.05 * rng.normal());
    for (let j = 0; j < end; j++) w[i * k + j] = row[j] / sum;
  }
  return w;
}

/** Random ids (no accidental repeats to speak of: vocabulary of 50 000). */
function randomIds(n: number, rng: SeededRandom): number[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 0 : rng.int(1, 50_000)));
}

/** Text tokens with lines and sentences (a confound the head ignores) or segment-shaped text. */
function proseTexts(n: number, rng: SeededRandom): string[] {
  const texts: string[] = [];
  let sinceBreak = 0;
  for (let i = 0; i < n; i++) {
    sinceBreak++;
    if (sinceBreak > 4 && rng.next() < 0.12) {
      texts.push(rng.next() < 0.5 ? '.\n' : '.');
      sinceBreak = 0;
    } else texts.push(' ' + rng.pick(WORDS));
  }
  return texts;
}

type SegmentKind = 'lines' | 'sentences' | 'brackets' | 'weights';

/** Segment sizes from [lo, hi], covering n positions. */
function segmentIds(n: number, lo: number, hi: number, rng: SeededRandom): Int32Array {
  const seg = new Int32Array(n);
  let id = 0;
  let left = rng.int(lo, hi);
  for (let i = 0; i < n; i++) {
    if (left === 0) {
      id++;
      left = rng.int(lo, hi);
    }
    seg[i] = id;
    left--;
  }
  // A last segment of one token joins the previous one.
  const last = seg[n - 1];
  if (last > 0 && seg[n - 2] !== last) seg[n - 1] = last - 1;
  return seg;
}

/** Token texts whose lines / sentences / bracket spans are exactly the given segments. */
function textsForSegments(seg: Int32Array, kind: SegmentKind, rng: SeededRandom): string[] | undefined {
  const n = seg.length;
  if (kind === 'weights') return undefined;
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const first = i === 0 || seg[i - 1] !== seg[i];
    const lastOfSeg = i === n - 1 || seg[i + 1] !== seg[i];
    const word = ' ' + rng.pick(WORDS);
    if (kind === 'lines') texts.push(lastOfSeg ? '\n' : first && i > 0 ? rng.pick(WORDS) : word);
    else if (kind === 'sentences') texts.push(lastOfSeg ? '.' : word);
    else {
      // Odd segments are bracket spans "( … )", even ones top-level runs.
      const inside = seg[i] % 2 === 1;
      texts.push(inside && first ? '(' : inside && lastOfSeg ? ')' : word);
    }
  }
  return texts;
}

interface CaseSpec {
  truth: PatternLabel;
  n: number;
  causal: boolean;
  noise: number;
  mixture: boolean;
}

const SECONDARY: [string, (rng: SeededRandom) => Component][] = [
  ['self', () => selfToken],
  ['prev', () => previousToken],
  ['bos', () => column(0, selfToken)],
  ['broad', (rng) => broad(rng, 0.5)],
];
const SECONDARY_EXCLUDED: Partial<Record<PatternLabel, string>> = { diagonal: 'self', 'previous-token': 'prev', sink: 'bos', broad: 'broad' };

function buildCase(spec: CaseSpec, rng: SeededRandom): SyntheticHead {
  const { truth, causal, noise, n } = spec;
  let ids = randomIds(n, rng);
  let texts: string[] | undefined = rng.next() < 0.5 ? proseTexts(n, rng) : undefined;
  let primary: Component;
  let detail = '';
  const fallbackFor = (): [string, Component] =>
    rng.pick<[string, Component]>([['bos', column(0, selfToken)], ['self', selfToken], ['broad', broad(rng, 0.5)]]);

  switch (truth) {
    case 'diagonal':
      primary = selfToken;
      break;
    case 'previous-token':
      primary = previousToken;
      break;
    case 'next-token':
      primary = nextToken;
      break;
    case 'sink': {
      const variant = rng.pick(['first', 'punctuation', 'two-columns']);
      let c = 0;
      if (variant !== 'first') {
        c = rng.int(2, Math.max(2, Math.floor(n / 4)));
        texts = texts ?? proseTexts(n, rng);
        texts[c] = rng.pick(['.', '\n', ',', ';']);
      }
      primary = variant === 'two-columns' || causal ? column(c, column(0, selfToken)) : column(c, selfToken);
      detail = `${variant} c=${c}`;
      break;
    }
    case 'block': {
      const kind = rng.pick<SegmentKind>(['lines', 'sentences', 'brackets', 'weights']);
      // Sizes from one of three ranges, never so large that the sequence is one segment.
      const cap = Math.max(4, n >> 1);
      const [lo, hi] = rng.pick([[4, 8], [6, 16], [Math.max(8, n >> 3), Math.max(10, n >> 2)]]).map((x) => Math.min(x, cap));
      const seg = segmentIds(n, lo, hi, rng);
      texts = textsForSegments(seg, kind, rng);
      const profile = rng.pick<'uniform' | 'random'>(['uniform', 'random']);
      primary = segment(seg, profile, rng);
      detail = `${kind} sizes ${lo}-${hi} ${profile}`;
      break;
    }
    case 'local-band': {
      const w = causal ? rng.int(3, Math.max(3, Math.floor(n / 8))) : rng.int(2, Math.max(2, Math.floor(n / 10)));
      const profile = rng.pick<'uniform' | 'decay'>(['uniform', 'decay']);
      primary = band(w, profile, causal);
      detail = `w=${w} ${profile}`;
      break;
    }
    case 'broad': {
      const t = rng.uniform(0, 0.8);
      primary = broad(rng, t);
      detail = `T=${t.toFixed(2)}`;
      break;
    }
    case 'induction': {
      const [fname, fallback] = fallbackFor();
      if (rng.next() < 0.6) {
        // [BOS] R R: the standard repeated random-token probe (one more new token when n is even).
        const half = (n - 1) >> 1;
        const r = randomIds(half + 1, rng).slice(1);
        ids = [0, ...r, ...r];
        if (ids.length < n) ids.push(rng.int(1, 50_000));
        detail = `repeat L=${half} rest→${fname}`;
      } else {
        // Ordinary (random) text with one copied span.
        const s = Math.max(6, Math.round(n * rng.uniform(0.15, 0.3)));
        const a = rng.int(1, Math.max(1, (n >> 1) - s));
        const b = rng.int(a + s + 1, n - s);
        for (let t = 0; t < s; t++) ids[b + t] = ids[a + t];
        detail = `span s=${s} ${a}→${b} rest→${fname}`;
      }
      texts = undefined;
      primary = induction(ids, fallback);
      break;
    }
    case 'duplicate-token': {
      const [fname, fallback] = fallbackFor();
      const vocab = Math.max(4, Math.floor(n / 6));
      ids = ids.map((_, i) => (i === 0 ? 0 : rng.int(1, vocab)));
      texts = undefined;
      primary = duplicate(ids, fallback);
      detail = `vocab=${vocab} rest→${fname}`;
      break;
    }
    default:
      throw new Error(`no generator for ${truth}`);
  }

  const parts: [number, Component][] = [];
  let tag = 'pure';
  if (spec.mixture) {
    const p = rng.uniform(0.6, 0.7);
    const options = SECONDARY.filter(([name]) => name !== SECONDARY_EXCLUDED[truth]);
    const [sname, make] = rng.pick(options);
    parts.push([p, primary], [Math.max(0, 1 - p - noise), make(rng)]);
    tag = `mix ${p.toFixed(2)} + ${sname}`;
  } else parts.push([1 - noise, primary]);

  const weights = assemble(n, n, causal, parts, noise, rng);
  const name = `${truth} ${detail} ${causal ? 'causal' : 'bidir'} n=${n} noise=${noise} ${tag}`.replace(/\s+/g, ' ');
  return { name, truth, q: n, k: n, causal, weights, tokens: { ids, texts }, noise };
}

/** Two weak components (0.3–0.42 each) plus noise: no pattern should be claimed. */
function buildMixed(n: number, causal: boolean, rng: SeededRandom): SyntheticHead {
  const pairs: [string, Component, string, Component][] = [
    ['self', selfToken, 'prev', previousToken],
    ['self', selfToken, 'bos', column(0, selfToken)],
    ['prev', previousToken, 'bos', column(0, selfToken)],
  ];
  if (!causal) pairs.push(['prev', previousToken, 'next', nextToken], ['self', selfToken, 'next', nextToken]);
  const [n1, c1, n2, c2] = rng.pick(pairs);
  const w1 = rng.uniform(0.3, 0.42);
  const w2 = rng.uniform(0.3, 0.42);
  const noise = 1 - w1 - w2;
  const weights = assemble(n, n, causal, [[w1, c1], [w2, c2]], noise, rng);
  const texts = rng.next() < 0.5 ? proseTexts(n, rng) : undefined;
  return {
    name: `mixed ${n1} ${w1.toFixed(2)} + ${n2} ${w2.toFixed(2)} ${causal ? 'causal' : 'bidir'} n=${n} noise=${noise.toFixed(2)}`,
    truth: 'mixed',
    q: n,
    k: n,
    causal,
    weights,
    tokens: { ids: randomIds(n, rng), texts },
    noise,
  };
}

/** Cross-attention heads (q ≠ k): sinks, broad heads, and alignment + column mixtures. */
function buildCross(q: number, k: number, truth: 'sink' | 'broad' | 'mixed', noise: number, rng: SeededRandom): SyntheticHead {
  let parts: [number, Component][];
  let detail: string;
  if (truth === 'sink') {
    const c = rng.pick([0, k - 1, rng.int(1, k - 2)]);
    parts = [[1 - noise, column(c, selfToken)]];
    detail = `c=${c}`;
  } else if (truth === 'broad') {
    const t = rng.uniform(0, 0.8);
    parts = [[1 - noise, broad(rng, t)]];
    detail = `T=${t.toFixed(2)}`;
  } else {
    const w = rng.uniform(0.3, 0.42);
    parts = [[w, alignment(q, k)], [0.8 - w, column(rng.int(0, k - 1), selfToken)]];
    noise = 0.2;
    detail = `align ${w.toFixed(2)} + column`;
  }
  const weights = assemble(q, k, false, parts, noise, rng);
  return { name: `${truth} cross ${detail} q=${q} k=${k} noise=${noise}`, truth, q, k, causal: false, weights, tokens: {}, noise };
}

export const SUITE_LENGTHS = [16, 48, 128, 256];
export const SUITE_NOISE = [0, 0.1, 0.2, 0.3];
const CROSS_SHAPES: [number, number][] = [[16, 40], [48, 20], [128, 96], [256, 64]];

const CAUSAL_ONLY = new Set<PatternLabel>(['induction', 'duplicate-token']);
const BIDIRECTIONAL_ONLY = new Set<PatternLabel>(['next-token']);

/** Labels the generator can produce for a single self-attention head. */
export type GeneratedLabel = Exclude<PatternLabel, 'mixed'>;

/**
 * One synthetic self-attention head of the given kind (used by the benchmark to build
 * realistic layers at any length). Same seed, same head.
 */
export function syntheticHead(truth: GeneratedLabel, n: number, opts: { causal: boolean; noise: number; seed: number; mixture?: boolean }): SyntheticHead {
  return buildCase({ truth, n, causal: opts.causal, noise: opts.noise, mixture: opts.mixture ?? false }, new SeededRandom(opts.seed));
}

/** The whole validation suite (deterministic for a given seed). */
export function generateSuite(seed = 20240607): SyntheticHead[] {
  const rng = new SeededRandom(seed);
  const heads: SyntheticHead[] = [];
  const labels: PatternLabel[] = ['diagonal', 'previous-token', 'next-token', 'sink', 'block', 'local-band', 'broad', 'induction', 'duplicate-token'];
  for (const truth of labels) {
    for (const n of SUITE_LENGTHS) {
      for (const noise of SUITE_NOISE) {
        for (const causal of [true, false]) {
          if (causal && BIDIRECTIONAL_ONLY.has(truth)) continue;
          if (!causal && CAUSAL_ONLY.has(truth)) continue;
          heads.push(buildCase({ truth, n, causal, noise, mixture: false }, rng));
          heads.push(buildCase({ truth, n, causal, noise, mixture: true }, rng));
        }
      }
    }
  }
  for (const n of SUITE_LENGTHS) {
    for (let r = 0; r < 4; r++) {
      heads.push(buildMixed(n, true, rng));
      heads.push(buildMixed(n, false, rng));
    }
  }
  for (const [q, k] of CROSS_SHAPES) {
    for (const noise of SUITE_NOISE) {
      heads.push(buildCross(q, k, 'sink', noise, rng));
      heads.push(buildCross(q, k, 'broad', noise, rng));
    }
    heads.push(buildCross(q, k, 'mixed', 0.2, rng), buildCross(q, k, 'mixed', 0.2, rng));
  }
  return heads;
}
