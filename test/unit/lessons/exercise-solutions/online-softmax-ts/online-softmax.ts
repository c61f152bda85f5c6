// Reference solution (tests only): the online softmax.

export interface OnlineSoftmaxState {
  max: number;
  sum: number;
}

export function initialState(): OnlineSoftmaxState {
  return { max: -Infinity, sum: 0 };
}

export function update(state: OnlineSoftmaxState, chunk: readonly number[]): OnlineSoftmaxState {
  const chunkMax = Math.max(...chunk);
  const max = Math.max(state.max, chunkMax);
  if (max === -Infinity) return state;
  const correction = Math.exp(state.max - max);
  let sum = state.sum * correction;
  for (const s of chunk) sum += Math.exp(s - max);
  return { max, sum };
}

export function onlineSoftmax(chunks: readonly (readonly number[])[]): number[] {
  let state = initialState();
  for (const chunk of chunks) state = update(state, chunk);
  return chunks.flatMap((chunk) => chunk.map((s) => Math.exp(s - state.max) / state.sum));
}
