// IEEE 754 half precision (binary16) ⇄ single precision, bit by bit, for .npy files
// stored as float16 (common for attention dumps: half the size).
//
// binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
// binary32: 1 sign bit, 8 exponent bits (bias 127), 23 mantissa bits.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float value of a binary16 bit pattern (exact: every half is a float). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The binary16 bit pattern nearest to x (round to nearest, ties to even; overflow → ±Inf). */
export function floatToHalf(x: number): number {
  f32[0] = x; // round to single first, as NumPy's float32 → float16 cast does
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf or NaN (quiet)
  // Unbiased exponent; half normals cover −14 … 15.
  const e = exponent - 127;
  if (e > 15) return sign | 0x7c00;
  if (e >= -14) {
    // Normal half: keep 10 of the 23 mantissa bits, rounding on the 13 dropped ones.
    let half = ((e + 15) << 10) | (mantissa >>> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++; // may carry into the exponent: still right
    return sign | half;
  }
  if (e < -25) return sign; // below half the smallest subnormal: ±0
  // Subnormal half: value = m · 2⁻²⁴ with the implicit leading 1 made explicit.
  mantissa |= 0x800000;
  const shift = -e - 14 + 13; // bits dropped: 13 for normals, more the smaller e is
  let half = mantissa >>> shift;
  const rest = mantissa & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (half & 1))) half++;
  return sign | half;
}
