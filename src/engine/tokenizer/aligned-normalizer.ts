// Normalization that remembers where every output character came from, for the pure-JS
// backend. `@huggingface/tokenizers` normalizes text before tokenizing (lowercasing, accent
// stripping, Unicode forms, …) but keeps no alignment, so to find a token's span we redo the
// same normalization here one code point at a time, tagging each output code point with the
// source code-point range it came from. We follow the JS library's semantics (not the Rust
// core's, where they differ) because we align the JS library's tokens, and we check our
// result against the library's own normalizer: any disagreement is reported, never guessed.
import type { ComponentJson } from './tokenizer-json';

/** Normalized text as parallel arrays: output code point i came from source code points [start[i], end[i]). */
export interface AlignedText {
  chars: string[];
  start: number[];
  end: number[];
}

export class UnsupportedNormalizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedNormalizationError';
  }
}

export function alignedFromSource(text: string): AlignedText {
  const chars = Array.from(text);
  const start = chars.map((_, i) => i);
  const end = chars.map((_, i) => i + 1);
  return { chars, start, end };
}

export function joined(a: AlignedText): string {
  return a.chars.join('');
}

/** Unicode White_Space (what Rust's char::is_whitespace tests). */
export function isWhiteSpace(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (
    (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

const MARK = /^\p{M}$/u;

/**
 * Applies a string transform `f` with alignment. `f` must act locally: on every code point
 * independently (lowercasing, NFD, accent stripping) or on every base character together with
 * the combining marks after it (NFC, NFKC). We try code points first, then such clusters; the
 * concatenation of the pieces must equal f(whole text), or the transform is not local and we
 * refuse. Lowercasing Σ is the one context-dependent case (final sigma): pieces of the same
 * length as the whole result let us cut that result at the piece boundaries. Cluster-wise
 * transforms (composition) need `decompose`, the matching decomposition, to align their output.
 */
export function transformLocally(
  a: AlignedText,
  f: (s: string) => string,
  label: string,
  decompose?: (s: string) => string,
): AlignedText {
  const whole = f(joined(a));
  const perChar = a.chars.map(f);
  const fromPieces = (pieces: string[], units: number[][]): AlignedText | undefined => {
    let total = 0;
    for (const p of pieces) total += p.length;
    if (total !== whole.length) return undefined;
    const out: AlignedText = { chars: [], start: [], end: [] };
    let at = 0;
    for (let k = 0; k < pieces.length; k++) {
      // Cut the whole result where this piece ends, so context-dependent output is kept.
      const piece = whole.slice(at, at + pieces[k].length);
      at += pieces[k].length;
      if (Array.from(piece).length !== Array.from(pieces[k]).length) return undefined;
      const first = units[k][0];
      const last = units[k][units[k].length - 1];
      for (const ch of piece) {
        out.chars.push(ch);
        out.start.push(a.start[first]);
        out.end.push(a.end[last]);
      }
    }
    return out;
  };
  const perCharResult = fromPieces(perChar, a.chars.map((_, i) => [i]));
  if (perCharResult && (perChar.join('') === whole || perCharResult.chars.join('') === whole)) return perCharResult;

  // Clusters: a base character followed by its combining marks.
  const clusters: number[][] = [];
  for (let i = 0; i < a.chars.length; i++) {
    if (clusters.length === 0 || !MARK.test(a.chars[i])) clusters.push([i]);
    else clusters[clusters.length - 1].push(i);
  }
  const clusterPieces = clusters.map((c) => f(c.map((i) => a.chars[i]).join('')));
  if (clusterPieces.join('') === whole && decompose) {
    // Inside a cluster, each output character takes the place of the input characters its
    // decomposition consumes and is aligned with the first of them only; the others are
    // dropped. This is how the Rust core aligns a composed 'é' (with the 'e', not the accent).
    const out: AlignedText = { chars: [], start: [], end: [] };
    clusters.forEach((cluster, k) => {
      let p = 0;
      for (const ch of clusterPieces[k]) {
        const need = decompose(ch).length;
        const first = Math.min(p, cluster.length - 1);
        for (let got = 0; p < cluster.length && got < need; p++) got += decompose(a.chars[cluster[p]]).length;
        out.chars.push(ch);
        out.start.push(a.start[cluster[first]]);
        out.end.push(a.end[cluster[first]]);
      }
    });
    return out;
  }
  throw new UnsupportedNormalizationError(`the ${label} normalization does not act locally on this text, so offsets cannot be recovered`);
}

/** Keeps the code points `keep` accepts (with their alignment), maps the others away. */
function filterChars(a: AlignedText, keep: (ch: string) => boolean): AlignedText {
  const out: AlignedText = { chars: [], start: [], end: [] };
  for (let i = 0; i < a.chars.length; i++) {
    if (!keep(a.chars[i])) continue;
    out.chars.push(a.chars[i]);
    out.start.push(a.start[i]);
    out.end.push(a.end[i]);
  }
  return out;
}

/** Replaces each code point by zero or more code points, all aligned to it. */
function mapChars(a: AlignedText, f: (ch: string) => string): AlignedText {
  const out: AlignedText = { chars: [], start: [], end: [] };
  for (let i = 0; i < a.chars.length; i++) {
    for (const ch of f(a.chars[i])) {
      out.chars.push(ch);
      out.start.push(a.start[i]);
      out.end.push(a.end[i]);
    }
  }
  return out;
}

/** Inserts `text` before everything; the inserted characters come from nowhere (empty range at 0). */
function prepend(a: AlignedText, text: string): AlignedText {
  const chars = Array.from(text);
  return {
    chars: [...chars, ...a.chars],
    start: [...chars.map(() => 0), ...a.start],
    end: [...chars.map(() => 0), ...a.end],
  };
}

function stripEnds(a: AlignedText, left: boolean, right: boolean): AlignedText {
  // JavaScript's trim(), which the JS library uses, trims \s (White_Space plus U+FEFF).
  const isTrimmed = (ch: string) => /^\s$/u.test(ch);
  let lo = 0;
  let hi = a.chars.length;
  if (left) while (lo < hi && isTrimmed(a.chars[lo])) lo++;
  if (right) while (hi > lo && isTrimmed(a.chars[hi - 1])) hi--;
  return { chars: a.chars.slice(lo, hi), start: a.start.slice(lo, hi), end: a.end.slice(lo, hi) };
}

/** Replaces every match of `pattern`; the replacement is aligned to the whole match. */
function replaceMatches(a: AlignedText, pattern: RegExp, content: string): AlignedText {
  const text = joined(a);
  // UTF-16 index → code-point index, to map match positions back onto the arrays.
  const cpAt = new Int32Array(text.length + 1);
  let cp = 0;
  for (let u = 0; u < text.length; u++) {
    cpAt[u] = cp;
    const c = text.charCodeAt(u);
    if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) cpAt[++u] = cp;
    cp++;
  }
  cpAt[text.length] = cp;
  const out: AlignedText = { chars: [], start: [], end: [] };
  let next = 0; // next code point to copy
  const contentChars = Array.from(content);
  for (const m of text.matchAll(pattern)) {
    const from = cpAt[m.index ?? 0];
    const to = cpAt[(m.index ?? 0) + m[0].length];
    if (to === from) continue;
    for (; next < from; next++) {
      out.chars.push(a.chars[next]);
      out.start.push(a.start[next]);
      out.end.push(a.end[next]);
    }
    for (const ch of contentChars) {
      out.chars.push(ch);
      out.start.push(a.start[from]);
      out.end.push(a.end[to - 1]);
    }
    next = to;
  }
  for (; next < a.chars.length; next++) {
    out.chars.push(a.chars[next]);
    out.start.push(a.start[next]);
    out.end.push(a.end[next]);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function patternOf(step: ComponentJson): RegExp {
  const p = step.pattern as { String?: string; Regex?: string } | undefined;
  if (p?.String !== undefined) return new RegExp(escapeRegExp(p.String), 'gu');
  if (p?.Regex !== undefined) {
    try {
      return new RegExp(p.Regex, 'gu');
    } catch {
      throw new UnsupportedNormalizationError(`the Replace normalizer's pattern /${p.Regex}/ is not a JavaScript regular expression`);
    }
  }
  throw new UnsupportedNormalizationError('a Replace normalizer without a pattern');
}

// The BERT normalizer, step by step as the JS library does it.
const CHINESE_RANGES: [number, number][] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f], [0x2b920, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];

function bert(a: AlignedText, step: ComponentJson): AlignedText {
  let t = a;
  if (step.clean_text) {
    const isControl = (ch: string) => ch !== '\t' && ch !== '\n' && ch !== '\r' && /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u.test(ch);
    t = filterChars(t, (ch) => ch !== '\u0000' && ch !== '\ufffd' && !isControl(ch));
    t = mapChars(t, (ch) => (/^\s$/.test(ch) ? ' ' : ch));
  }
  if (step.handle_chinese_chars) {
    // The JS library tests one UTF-16 unit at a time, so only BMP ideographs are padded.
    t = mapChars(t, (ch) => {
      const c = ch.length === 1 ? ch.charCodeAt(0) : -1;
      return CHINESE_RANGES.some(([lo, hi]) => c >= lo && c <= hi) ? ` ${ch} ` : ch;
    });
  }
  const stripAccents = (x: AlignedText) =>
    filterChars(transformLocally(x, (s) => s.normalize('NFD'), 'NFD'), (ch) => !/^\p{Mn}$/u.test(ch));
  if (step.lowercase) {
    t = transformLocally(t, (s) => s.toLowerCase(), 'lowercase');
    if (step.strip_accents !== false) t = stripAccents(t);
  } else if (step.strip_accents) {
    t = stripAccents(t);
  }
  return t;
}

/** Applies one normalizer node of tokenizer.json with alignment. */
export function normalizeAligned(a: AlignedText, step: ComponentJson | null | undefined): AlignedText {
  if (!step) return a;
  switch (step.type) {
    case 'Sequence': {
      const children = Array.isArray(step.normalizers) ? (step.normalizers as ComponentJson[]) : [];
      return children.reduce((acc, child) => normalizeAligned(acc, child), a);
    }
    case 'BertNormalizer':
      return bert(a, step);
    case 'Lowercase':
      return transformLocally(a, (s) => s.toLowerCase(), 'lowercase');
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = step.type;
      const decomposed = form === 'NFKC' || form === 'NFKD' ? 'NFKD' : 'NFD';
      return transformLocally(a, (s) => s.normalize(form), form, (s) => s.normalize(decomposed));
    }
    case 'StripAccents':
      return filterChars(a, (ch) => !MARK.test(ch));
    case 'Strip':
      return stripEnds(a, step.strip_left === true, step.strip_right === true);
    case 'Prepend':
      return prepend(a, String(step.prepend ?? ''));
    case 'Replace':
      return replaceMatches(a, patternOf(step), String(step.content ?? ''));
    case 'Precompiled': {
      // The JS library approximates SentencePiece's compiled map the same way.
      let t = filterChars(a, (ch) => !/^[\u0001-\u0008\u000B\u000E-\u001F\u007F\u008F\u009F]$/.test(ch));
      t = mapChars(t, (ch) => (/^[\u0009\u000A\u000C\u000D\u00A0\u1680\u2000-\u200F\u2028\u2029\u202F\u205F\u2581\u3000\uFEFF\uFFFD]$/.test(ch) ? ' ' : ch));
      return transformLocally(t, (s) => s.normalize('NFKC'), 'NFKC', (s) => s.normalize('NFKD'));
    }
    default:
      throw new UnsupportedNormalizationError(`the ${step.type} normalizer is not supported by the offset recovery of the JS backend`);
  }
}
