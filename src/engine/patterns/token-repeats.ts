// Earlier occurrences of each token id, as compressed rows: the positions p < i with
// ids[p] === ids[i] are prev[start[i]] … prev[start[i + 1] − 1], most recent first. Built
// once per input and shared by every head (the induction and duplicate-token scores).

export interface TokenRepeats {
  start: Int32Array;
  prev: Int32Array;
}

export function tokenRepeats(ids: readonly number[]): TokenRepeats {
  const n = ids.length;
  const positions = new Map<number, number[]>();
  const start = new Int32Array(n + 1);
  const lists: number[][] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const earlier = positions.get(ids[i]);
    lists[i] = earlier ? earlier.slice().reverse() : [];
    total += lists[i].length;
    if (earlier) earlier.push(i);
    else positions.set(ids[i], [i]);
  }
  const prev = new Int32Array(total);
  let at = 0;
  for (let i = 0; i < n; i++) {
    start[i] = at;
    prev.set(lists[i], at);
    at += lists[i].length;
  }
  start[n] = at;
  return { start, prev };
}

/** Rows that have at least one earlier occurrence of their token. */
export function repeatedRows(r: TokenRepeats): number {
  let n = 0;
  for (let i = 0; i + 1 < r.start.length; i++) if (r.start[i + 1] > r.start[i]) n++;
  return n;
}
