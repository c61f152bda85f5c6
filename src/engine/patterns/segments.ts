// Segmentations of a token sequence for the block score: each token gets a segment id,
// and a block head keeps its attention among tokens with the same id.
//
// From token texts:
//   lines      a token containing '\n' ends its line (it belongs to the line it ends);
//   sentences  a token ending in . ! or ? (optionally followed by closing quotes/brackets)
//              ends its sentence when the next token starts with white space or there is
//              none; a blank line ends one too;
//   brackets   the innermost ( ) [ ] { } span a token touches; tokens outside any span
//              form runs between spans. Inner spans split their outer span's id only
//              by being a different id: the outer span's tokens before and after an inner
//              span share one id.
// From the weights (when texts are absent or explain nothing): see inferSegmentsFromWeights.
import { HeadInput } from './head-rows';
import type { SegmentSource } from './pattern-types';

export interface Segmentation {
  source: SegmentSource;
  /** Segment id per position. */
  seg: Int32Array;
  count: number;
  /** Each position's segment as [start, end) when every segment is one contiguous run. */
  ranges?: SegmentRanges;
}

export interface SegmentRanges {
  start: Int32Array;
  end: Int32Array;
}

/** Start and end (exclusive) of each position's segment, or undefined when a segment is split. */
export function contiguousRanges(seg: Int32Array): SegmentRanges | undefined {
  const n = seg.length;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const seen = new Set<number>();
  let s = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || seg[i] !== seg[i - 1]) {
      if (seen.has(seg[s])) return undefined;
      seen.add(seg[s]);
      for (let t = s; t < i; t++) {
        start[t] = s;
        end[t] = i;
      }
      s = i;
    }
  }
  return { start, end };
}

/** A segmentation with its ranges computed once (they are shared by every head). */
function segmentation(source: SegmentSource, seg: Int32Array, count: number): Segmentation {
  return { source, seg, count, ranges: contiguousRanges(seg) };
}

/** Runs of positions, a new id after every position where `endsHere` is true. */
function runs(n: number, endsHere: (i: number) => boolean): [Int32Array, number] {
  const seg = new Int32Array(n);
  let id = 0;
  for (let i = 0; i < n; i++) {
    seg[i] = id;
    if (endsHere(i) && i < n - 1) id++;
  }
  return [seg, n === 0 ? 0 : id + 1];
}

export function lineSegments(texts: readonly string[]): Segmentation {
  return segmentation('lines', ...runs(texts.length, (i) => texts[i].includes('\n')));
}

const SENTENCE_END = /[.!?]["')\]’”]*\s*$/;

export function sentenceSegments(texts: readonly string[]): Segmentation {
  const ends = (i: number): boolean => {
    const t = texts[i];
    if (/\n\s*\n/.test(t) || (t.includes('\n') && i > 0 && texts[i - 1].endsWith('\n'))) return true;
    if (!SENTENCE_END.test(t)) return false;
    if (/\s$/.test(t)) return true;
    const next = texts[i + 1];
    return next === undefined || /^\s/.test(next);
  };
  return segmentation('sentences', ...runs(texts.length, ends));
}

const OPEN = '([{';
const CLOSE = ')]}';

export function bracketSegments(texts: readonly string[]): Segmentation {
  const n = texts.length;
  const seg = new Int32Array(n);
  const stack: number[] = [];
  let nextId = 0;
  let topRun = -1; // id of the current run of tokens outside any span
  for (let i = 0; i < n; i++) {
    // The innermost span the token touches: the deepest stack top seen while reading it.
    let innermost = stack.length > 0 ? stack[stack.length - 1] : -1;
    let deepest = stack.length;
    for (const ch of texts[i]) {
      if (OPEN.includes(ch)) {
        stack.push(nextId++);
        if (stack.length > deepest) {
          deepest = stack.length;
          innermost = stack[stack.length - 1];
        }
      } else if (CLOSE.includes(ch) && stack.length > 0) {
        stack.pop();
      }
    }
    if (innermost >= 0) {
      seg[i] = innermost;
      topRun = -1;
    } else {
      if (topRun < 0) topRun = nextId++;
      seg[i] = topRun;
    }
  }
  return segmentation('brackets', seg, nextId);
}

/**
 * The text each token stands for when segmenting: with a source text and offsets, the
 * token's span plus the gap up to the next token (where WordPiece leaves its newlines);
 * otherwise the token texts; undefined when neither is known.
 */
export function segmentationTexts(tokens: { texts?: readonly string[]; offsets?: readonly [number, number][]; source?: string }): string[] | undefined {
  const { offsets, source } = tokens;
  if (!offsets || source === undefined) return tokens.texts ? [...tokens.texts] : undefined;
  const texts = new Array<string>(offsets.length).fill('');
  // Walk backwards so each token knows where the next non-empty token starts.
  let nextStart = source.length;
  for (let i = offsets.length - 1; i >= 0; i--) {
    const [start, end] = offsets[i];
    if (end <= start) continue; // special tokens often carry an empty span: they stand for nothing
    texts[i] = source.slice(start, Math.max(end, nextStart));
    nextStart = start;
  }
  return texts;
}

/** True when a segmentation can say anything: at least two segments, averaging ≥ 2 tokens. */
export function isInformative(s: Segmentation): boolean {
  return s.count >= 2 && s.seg.length >= 2 * s.count;
}

/** The informative segmentations the token texts give, without duplicates. */
export function textSegmentations(texts: readonly string[] | undefined): Segmentation[] {
  if (!texts || texts.length === 0) return [];
  const found: Segmentation[] = [];
  for (const s of [lineSegments(texts), sentenceSegments(texts), bracketSegments(texts)]) {
    if (!isInformative(s)) continue;
    if (found.some((f) => sameSegments(f.seg, s.seg))) continue;
    found.push(s);
  }
  return found;
}

/** Same partition (ids may differ): checked in one pass, since segments appear in order of first use. */
function sameSegments(x: Int32Array, y: Int32Array): boolean {
  if (x.length !== y.length) return false;
  const map = new Map<number, number>();
  for (let i = 0; i < x.length; i++) {
    const m = map.get(x[i]);
    if (m === undefined) map.set(x[i], y[i]);
    else if (m !== y[i]) return false;
  }
  return new Set(map.values()).size === map.size;
}

/** A cut is a boundary when the rows next to it send at most this fraction of the crossing their profile predicts. */
export const BOUNDARY_CROSSING_RATIO = 0.5;
/** …and when the profile predicts a real crossing at all (otherwise nothing could be confined). */
export const BOUNDARY_MIN_PREDICTED = 0.15;

/** What inferSegmentsFromWeights needs to know about the head beyond its weights. */
export interface CrossingModel {
  /** Share of row i's attention (sink columns left out) on keys < b, for b near i. */
  observedBefore(i: number, b: number): number;
  /** Share of row i's attention the head's distance profile predicts on keys < b. */
  predictedBefore(i: number, b: number): number;
}

/**
 * Segments read off the weights. The cut before position b is a boundary when the rows
 * next to it (rows b and b + 1 for a causal head; rows b − 2 … b + 1 for a bidirectional
 * one) send across it at most BOUNDARY_CROSSING_RATIO of what the head's own distance
 * profile predicts for those rows, and that prediction is at least BOUNDARY_MIN_PREDICTED.
 * Comparing with the profile (not with a fixed share) keeps bands, diagonals and
 * previous-token heads from producing cuts, and keeps cuts stable under noise. A boundary
 * is skipped when it would leave a segment of one token.
 */
export function inferSegmentsFromWeights(h: HeadInput, model: CrossingModel): Segmentation {
  const { q, k } = h;
  const inv = h.invMass;
  const seg = new Int32Array(q);
  if (q !== k || q < 4) return { source: 'weights', seg, count: 1, ranges: undefined };
  const rowsNear = h.causal ? [0, 1] : [-2, -1, 0, 1];
  let id = 0;
  let last = 0;
  for (let b = 1; b < q; b++) {
    let observed = 0;
    let predicted = 0;
    let used = 0;
    for (const off of rowsNear) {
      const i = b + off;
      if (i < 0 || i >= q || inv[i] === 0) continue;
      used++;
      // Share on the far side of the cut: keys < b for rows at or after b, keys ≥ b before it.
      const before = model.observedBefore(i, b);
      const pBefore = model.predictedBefore(i, b);
      if (i >= b) {
        observed += before;
        predicted += pBefore;
      } else {
        observed += 1 - before;
        predicted += 1 - pBefore;
      }
    }
    const isCut = used > 0 && predicted >= BOUNDARY_MIN_PREDICTED * used && observed <= BOUNDARY_CROSSING_RATIO * predicted;
    if (isCut && b - last >= 2 && q - b >= 2) {
      id++;
      last = b;
    }
    seg[b] = id;
  }
  return segmentation('weights', seg, id + 1);
}
