// mulberry32: a tiny seeded pseudo-random generator (one 32-bit state word).
//
//   state ← state + 0x6D2B79F5 (mod 2³²)           a Weyl sequence: visits every state
//   t ← mix(state) by two multiply/xor-shift rounds  scrambles consecutive states
//   return t / 2³²                                  uniform in [0, 1)
//
// Used where a pattern needs "random" choices that must be identical on every machine
// and every run for the same seed (BigBird's random blocks). Not cryptographic.

/** A generator of uniform numbers in [0, 1), fully determined by `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct items drawn uniformly from `items` (partial Fisher–Yates), in draw order. */
export function sampleWithoutReplacement<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const take = Math.min(count, pool.length);
  for (let t = 0; t < take; t++) {
    const pick = t + Math.floor(random() * (pool.length - t));
    [pool[t], pool[pick]] = [pool[pick], pool[t]];
  }
  return pool.slice(0, take);
}
