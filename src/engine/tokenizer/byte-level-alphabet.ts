// The byte-level alphabet of GPT-2-style BPE: every byte 0..255 is written as one printable
// Unicode character, so a vocabulary of strings can hold arbitrary bytes. Printable Latin-1
// bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 bytes are mapped, in
// byte order, to U+0100, U+0101, … (so the space 0x20 becomes 'Ġ' U+0120 and '\n' becomes 'Ċ').
// Tokenizers need the inverse map to turn a token string back into the UTF-8 bytes it covers.

function isSelfPrintable(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

/** BYTE_TO_CHAR[b] is the alphabet character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(isSelfPrintable(b) ? b : 0x100 + next++);
  }
  return table;
})();

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b] as const));

/** The byte a byte-level alphabet character stands for, or undefined when it is not in the alphabet. */
export function byteOfAlphabetChar(ch: string): number | undefined {
  return CHAR_TO_BYTE.get(ch);
}

/**
 * The UTF-8 bytes a byte-level token string stands for, or undefined when some character is
 * outside the alphabet (then the string is not a byte-level token, e.g. an added token).
 */
export function bytesOfByteLevelToken(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  let n = 0;
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return undefined;
    out[n++] = b;
  }
  return out.subarray(0, n);
}
