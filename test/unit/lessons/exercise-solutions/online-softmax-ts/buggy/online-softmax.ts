// Buggy solution (tests only): subtracts the running max, but never rescales the running sum
// when a later chunk raises the max — right for one chunk, wrong once the max moves.

export interface OnlineSoftmaxState {
  max: number;
  sum: number;
}

export function initialState(): OnlineSoftmaxState {
  return { max: -Infinity, sum: 0 };
}

export function update(state: OnlineSoftmaxState, chunk: readonly number[]): OnlineSoftmaxState {
  const max = Math.max(state.max, ...chunk);
  let sum = state.sum;
  for (const s of chunk) sum += Math.exp(s - max);
  return { max, sum };
}

export function onlineSoftmax(chunks: readonly (readonly number[])[]): number[] {
  let state = initialState();
  for (const chunk of chunks) state = update(state, chunk);
  return chunks.flatMap((chunk) => chunk.map((s) => Math.exp(s - state.max) / state.sum));
}
