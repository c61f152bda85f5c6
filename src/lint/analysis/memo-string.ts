// Memoisation for the pure name classifiers (role from a variable name, axis label from a
// dimension name, …). The same few hundred names recur across every function of a file, and
// each classification runs a chain of regular expressions; answers are primitives, so one
// shared table is safe. The table is dropped when it grows large (bounded memory).

const LIMIT = 20000;
/** Stored for an `undefined` answer, so a hit needs one lookup. */
const NONE = null;

export function memoByString<T extends string | boolean | undefined>(f: (s: string) => T): (s: string) => T {
  let table = new Map<string, T | null>();
  return (s: string): T => {
    const hit = table.get(s);
    if (hit !== undefined) return (hit === NONE ? undefined : hit) as T;
    const v = f(s);
    if (table.size >= LIMIT) table = new Map();
    table.set(s, v === undefined ? NONE : v);
    return v;
  };
}
