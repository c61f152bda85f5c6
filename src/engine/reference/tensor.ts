// The one tensor type of the reference engine: a flat Float32Array in row-major
// (C) order plus an explicit shape. Kernels take and return these; nothing here
// hides strides or broadcasting, so the arithmetic in each kernel stays visible.

export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Number of elements a shape holds. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A tensor over existing data; throws when the element count does not match the shape. */
export function tensor(data: Float32Array | number[], shape: readonly number[]): Tensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  if (arr.length !== sizeOf(shape)) {
    throw new Error(`tensor: ${arr.length} values do not fill shape [${shape.join(', ')}]`);
  }
  return { data: arr, shape: [...shape] };
}

/** A zero-filled tensor of the given shape. */
export function zeros(shape: readonly number[]): Tensor {
  return { data: new Float32Array(sizeOf(shape)), shape: [...shape] };
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Same data, new shape (no copy). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  return tensor(t.data, shape);
}

/** A short "[2, 3, 4]" string for error messages. */
export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
