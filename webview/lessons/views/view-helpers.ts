// Shared bits of the lesson views: controls whose ranges come from the protocol's limits.
import type { LessonId } from '../../../src/protocol/lesson-messages';
import { PARAM_LIMITS } from '../../../src/protocol/validate-lesson-message';
import type { Control } from '../controls';

type LimitKey<L extends LessonId> = keyof (typeof PARAM_LIMITS)[L] & string;

export function limits<L extends LessonId>(lesson: L, key: LimitKey<L>): readonly [number, number] {
  return (PARAM_LIMITS[lesson] as Record<string, readonly [number, number]>)[key];
}

export function range<L extends LessonId>(lesson: L, key: LimitKey<L>, label: string, hint?: string, max?: number): Control {
  const [lo, hi] = limits(lesson, key);
  return { kind: 'range', key, label, min: lo, max: Math.min(hi, max ?? hi), hint };
}

export function number<L extends LessonId>(lesson: L, key: LimitKey<L>, label: string, hint?: string): Control {
  const [lo, hi] = limits(lesson, key);
  return { kind: 'number', key, label, min: lo, max: hi, hint };
}

export const DTYPE_OPTIONS = [
  { value: 'float32', label: 'float32 (4 bytes)' },
  { value: 'float16', label: 'float16 (2 bytes)' },
  { value: 'bfloat16', label: 'bfloat16 (2 bytes)' },
  { value: 'int8', label: 'int8 (1 byte)' },
];

/** Indices 0 … n − 1 as labels. */
export function indexLabels(n: number, prefix = ''): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
