// Exercise: the online softmax, the heart of FlashAttention.
//
// A row of scores arrives in chunks (tiles). Keep only a running max `m` and a running sum `l`
// of exp(score − m); when a chunk raises the max, rescale the old sum by exp(m_old − m_new).
// After the last chunk, weight_j = exp(score_j − m) / l.
// See lesson "FlashAttention: tiles and the online softmax".

export interface OnlineSoftmaxState {
  max: number;
  sum: number;
}

/** The state before any chunk. */
export function initialState(): OnlineSoftmaxState {
  return { max: -Infinity, sum: 0 };
}

/** Fold one chunk of scores into the state. */
export function update(state: OnlineSoftmaxState, chunk: readonly number[]): OnlineSoftmaxState {
  // TODO: new max, correction exp(old max − new max), new sum
  throw new Error('write the online softmax update');
}

/** Softmax of the whole row, reading it chunk by chunk (two passes over the chunks). */
export function onlineSoftmax(chunks: readonly (readonly number[])[]): number[] {
  let state = initialState();
  for (const chunk of chunks) state = update(state, chunk);
  // TODO: turn every score into exp(score − state.max) / state.sum
  throw new Error('write the final normalisation');
}
