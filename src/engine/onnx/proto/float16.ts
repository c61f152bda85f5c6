// IEEE 754 half precision (float16) and bfloat16 conversions.
//
// float16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
// bfloat16: the top 16 bits of a float32 (1 sign, 8 exponent, 7 mantissa).
// Conversions *to* the 16-bit formats round to nearest, ties to even, as hardware
// and numpy do, so "the reference rounded through float16" matches what a float16
// backend stores.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float16 bit pattern → number (exact). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** number → float16 bit pattern, round to nearest even; overflow gives ±Infinity. */
export function numberToFloat16Bits(value: number): number {
  f32[0] = value; // first round to float32 as every float16 producer does
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large: Infinity
  if (e <= 0) {
    // Subnormal in float16 (or zero): shift the implicit 1 into the mantissa.
    if (e < -10) return sign; // rounds to ±0
    mantissa |= 0x800000;
    const shift = 14 - e; // 13 to drop 23→10 bits, plus 1 - e for the denormal shift
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let m = mantissa >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m += 1;
    return sign | m; // a carry into bit 10 correctly yields the smallest normal
  }
  const rest = mantissa & 0x1fff;
  let bits = sign | (e << 10) | (mantissa >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits += 1; // carry may reach Infinity: correct
  return bits;
}

/** Round a number to the nearest float16 value and return it as a number. */
export function roundToFloat16(value: number): number {
  return float16BitsToNumber(numberToFloat16Bits(value));
}

/** Round every element of a Float32Array through float16 (new array). */
export function roundArrayToFloat16(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = roundToFloat16(values[i]);
  return out;
}

/** bfloat16 bit pattern → number (exact). */
export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** number → bfloat16 bit pattern, round to nearest even. */
export function numberToBfloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff; // NaN stays NaN
  const roundingBias = 0x7fff + ((x >>> 16) & 1);
  return ((x + roundingBias) >>> 16) & 0xffff;
}
