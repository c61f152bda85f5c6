// Which query rows of one head are scored, and each row's normaliser.
//
// Every score is an average over query rows of the row's attention *shares*
// a_ij = A[i, j] / m_i, where m_i = Σ_j A[i, j] over the keys the row may see. Dividing by
// m_i keeps the scores meaningful when exported rows do not quite sum to 1 (float16
// dumps, a broken softmax: the masking checks report those separately).
//
// A row is left out when it carries no information: a causal row 0 (its one key gets
// everything by construction), a row whose mass is zero (a fully masked row) or not
// finite (NaN/Inf, reported by the masking checks).

/** Shape and masking rule of one head's [q, k] weights. */
export interface HeadShape {
  q: number;
  k: number;
  /** Query i may only see keys 0..i (requires q === k). */
  causal: boolean;
}

/** One head's weights plus its scored rows: the input every score takes. */
export interface HeadInput extends HeadShape {
  /** Row-major [q, k] weights of this head. */
  a: Float32Array;
  /** 1 / m_i for scored rows, 0 for rows left out (m_i over the keys not excluded). */
  invMass: Float64Array;
  /** Number of scored rows. */
  rows: number;
  /** Key columns left out of this view (sink columns, for the structural scores). */
  excludedColumns: readonly number[];
  /** excluded[j] = 1 for the columns in excludedColumns; undefined when there are none. */
  excluded?: Uint8Array;
}

/** Number of keys query row i may attend to (|S_i|); the allowed keys are 0 … keyEnd(i) − 1. */
export function keyEnd(shape: HeadShape, i: number): number {
  return shape.causal ? Math.min(i + 1, shape.k) : shape.k;
}

/**
 * Fills `invMass` (length ≥ q) with 1 / m_i for the rows to score, 0 for the others, and
 * returns the number of scored rows. No allocation: the caller owns the buffer.
 */
export function scoreRows(a: Float32Array, shape: HeadShape, invMass: Float64Array): number {
  const { q, k } = shape;
  let rows = 0;
  for (let i = 0; i < q; i++) {
    const end = keyEnd(shape, i);
    invMass[i] = 0;
    if (end < 2) continue;
    let m = 0;
    const base = i * k;
    for (let j = 0; j < end; j++) m += a[base + j];
    // m is NaN or ±Inf when any cell is; such rows go to the masking checks instead.
    if (!(m > 0) || !Number.isFinite(m)) continue;
    invMass[i] = 1 / m;
    rows++;
  }
  return rows;
}

/** Builds a HeadInput, allocating its row buffer (one allocation per head, never per cell). */
export function headInput(a: Float32Array, shape: HeadShape, invMass = new Float64Array(shape.q)): HeadInput {
  if (a.length !== shape.q * shape.k) {
    throw new Error(`head weights hold ${a.length} values, expected q·k = ${shape.q}·${shape.k}`);
  }
  if (shape.causal && shape.q !== shape.k) {
    throw new Error(`a causal head must be square; got q = ${shape.q}, k = ${shape.k}`);
  }
  const rows = scoreRows(a, shape, invMass);
  return { ...shape, a, invMass, rows, excludedColumns: [] };
}

/** Rows whose attention outside the excluded columns is below this share are left out. */
const MIN_KEPT_SHARE = 1e-3;

/**
 * The same head seen without some key columns: their cells are skipped and every row is
 * renormalised over the rest. The structural scores (block, local-band, broad) look at a
 * head this way with its sink columns removed, because parking attention on the first
 * token is a column effect that says nothing about segments, windows or spread.
 */
export function withoutColumns(h: HeadInput, columns: readonly number[]): HeadInput {
  if (columns.length === 0) return h;
  const excluded = new Uint8Array(h.k);
  for (const j of columns) excluded[j] = 1;
  const invMass = new Float64Array(h.q);
  let rows = 0;
  for (let i = 0; i < h.q; i++) {
    if (h.invMass[i] === 0) continue;
    const end = keyEnd(h, i);
    let kept = 1;
    let keys = end;
    for (const j of columns) {
      if (j >= end) continue;
      kept -= h.a[i * h.k + j] * h.invMass[i];
      keys--;
    }
    if (kept < MIN_KEPT_SHARE || keys < 2) continue;
    invMass[i] = h.invMass[i] / kept;
    rows++;
  }
  return { ...h, invMass, rows, excludedColumns: [...columns], excluded };
}

/** Number of keys row i may attend to in this view (|S_i| minus the excluded columns). */
export function keyCount(h: HeadInput, i: number): number {
  const end = keyEnd(h, i);
  let n = end;
  for (const j of h.excludedColumns) if (j < end) n--;
  return n;
}

/** Result of one score: its value, what uniform attention would give, and how many rows it used. */
export interface Score {
  /** Mean share in [0, 1]; NaN when not measurable on this input (positions = 0). */
  value: number;
  /** The same score for uniform attention over each row's allowed keys. */
  chance: number;
  /** Query rows the score was averaged over. */
  positions: number;
}

export const UNMEASURED: Score = Object.freeze({ value: NaN, chance: NaN, positions: 0 });

/** (value − chance) / (1 − chance): the share explained beyond chance, 0 when chance is 1. */
export function lift(s: Score): number {
  if (!(s.positions > 0) || !Number.isFinite(s.value)) return 0;
  if (s.chance >= 1) return 0;
  return (s.value - s.chance) / (1 - s.chance);
}
