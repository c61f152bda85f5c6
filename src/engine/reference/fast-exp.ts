// exp(x) for the softmax inner loop, computed inline instead of calling Math.exp.
//
// In V8, Math.exp is a call into the C library (≈ 20 ns here); the tiled kernel needs one
// exponential per score (33 million for 8 heads of 2,048 tokens), so that call would cost
// more than all the multiply-adds. The classic range reduction does it in a dozen flops:
//
//   x = k·ln2 + r,  k = round(x / ln2),  |r| ≤ ln2/2        (ln2 split in two parts so r is exact)
//   exp(x) = 2^k · exp(r)
//   exp(r) ≈ 1 + r + r²/2! + … + r⁷/7!                      (Taylor; error < 6e-9 relative for |r| ≤ 0.347)
//   2^k from a table
//
// Relative error below 1e-8 everywhere it is used (scores minus the running max, x ≤ 0),
// far below float32's 6e-8 resolution, so the kernel's float32 results do not change.

const LOG2E = Math.LOG2E;
// ln 2 = LN2_HI + LN2_LO, with LN2_HI holding few enough bits that k·LN2_HI is exact
const LN2_HI = 0.693145751953125;
const LN2_LO = 1.4286068203094173e-6;
/** Below this, exp(x) is under float32's smallest value (≈ 1.4e-45): return 0. */
const UNDERFLOW = -104;

/** 2^k for k = −151 … 0 at index k + 151. */
const POW2 = Float64Array.from({ length: 152 }, (_, i) => Math.pow(2, i - 151));

/** exp(x) for x ≤ 0 (softmax arguments after subtracting the max); −∞ gives 0. */
export function expNonPositive(x: number): number {
  if (x < UNDERFLOW) return 0; // also catches −∞
  const k = Math.round(x * LOG2E);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2[k + 151];
}
