// Offsets come in three units: UTF-8 bytes (what byte-level BPE works on), Unicode code points
// (what the Rust `tokenizers` core reports) and UTF-16 code units (what JavaScript strings and
// VS Code positions use). These tables convert between them in O(1) per lookup after one
// linear pass over the text, so converting 100k token offsets stays linear.

/** codePoints(text)[i] is the i-th code point of text as a string (one or two UTF-16 units). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * table[i] = UTF-16 offset where code point i starts; table[n] = text.length, so a code-point
 * range [s, e) is the UTF-16 range [table[s], table[e]).
 */
export function codePointToUtf16Table(text: string): Uint32Array {
  const table = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let u = 0; u < text.length; u++) {
    table[cp++] = u;
    const c = text.charCodeAt(u);
    // A high surrogate followed by a low one is a single code point: skip the low half.
    if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) {
      const d = text.charCodeAt(u + 1);
      if (d >= 0xdc00 && d <= 0xdfff) u++;
    }
  }
  table[cp] = text.length;
  return table.subarray(0, cp + 1);
}

/** Number of UTF-8 bytes that encode the code point starting at `ch`. */
export function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}
