// Exercise: causal attention for one head, with plain arrays. One line is wrong.
//
//   q: Lq × d, k: Lk × d, v: Lk × dv (arrays of rows)  →  Lq × dv
//   query i may attend to key j only when j ≤ i.
// See lesson "Causal masking".

export function causalAttention(q: number[][], k: number[][], v: number[][]): number[][] {
  const d = q[0].length;
  const out: number[][] = [];
  for (let i = 0; i < q.length; i++) {
    const scores: number[] = [];
    for (let j = 0; j < k.length; j++) {
      if (j < i) {
        scores.push(-Infinity);
        continue;
      }
      let dot = 0;
      for (let t = 0; t < d; t++) dot += q[i][t] * k[j][t];
      scores.push(dot / Math.sqrt(d));
    }
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    out.push(v[0].map((_, c) => exps.reduce((acc, e, j) => acc + (e / sum) * v[j][c], 0)));
  }
  return out;
}
