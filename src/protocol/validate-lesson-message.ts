// Every message from the lessons webview is untrusted input: check its shape and every
// parameter's type and range before the host computes anything with it. Returns the typed
// message, or a reason string for the log. The same limits drive the webview's sliders.
import {
  CAUSAL_VARIANTS,
  DTYPES,
  SPARSE_KINDS,
  isLessonId,
  type DType,
  type LessonId,
  type LessonParamsMap,
  type LessonsToHost,
} from './lesson-messages';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e9;

/** Longest text a lesson accepts (lessons show a few dozen tokens of it anyway). */
export const MAX_LESSON_TEXT = 4000;
/** Exercise ids: lower-case words joined by dashes. */
export const EXERCISE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Inclusive integer ranges of every numeric parameter, per lesson. */
export const PARAM_LIMITS = {
  'sdpa-steps': { headDim: [2, 64], head: [0, 63] },
  'why-sqrt-dk': { dk: [1, 1024], keys: [2, 64], seed: [0, 1_000_000] },
  'causal-masking': { changedPosition: [1, 63] },
  'self-vs-cross': { head: [0, 7] },
  'multi-head': { layer: [0, 255] },
  'mha-mqa-gqa': { layers: [1, 256], queryHeads: [1, 256], kvHeads: [1, 256], headDim: [1, 1024], length: [1, 10_000_000], batch: [1, 1024] },
  'sparse-attention': {
    n: [8, 64],
    window: [1, 64],
    globalTokens: [0, 8],
    blockSize: [1, 16],
    randomBlocks: [0, 8],
    seed: [0, 1_000_000],
    layers: [1, 12],
    query: [0, 63],
    dependencyKey: [0, 63],
  },
  'flash-attention': {
    n: [4, 128],
    headDim: [2, 64],
    blockQ: [1, 64],
    blockK: [1, 64],
    row: [0, 127],
    seed: [0, 1_000_000],
    memoryTokens: [1, 10_000_000],
    memoryHeads: [1, 256],
  },
  positions: { dim: [2, 128], length: [2, 64], offset: [-32, 32], shift: [0, 32], alibiHeads: [1, 64], seed: [0, 1_000_000] },
  'before-transformers': { step: [1, 8], hidden: [2, 64], seed: [0, 1_000_000] },
  complexity: { maxN: [256, 4_194_304], headDim: [1, 512], heads: [1, 256], window: [1, 1_000_000], blockSize: [1, 4096] },
} as const satisfies { [L in LessonId]: Record<string, readonly [number, number]> };

class Invalid extends Error {}

/** Reads p[key] as an integer within the lesson's limits for it. */
function int<L extends LessonId>(lesson: L, p: Obj, key: keyof (typeof PARAM_LIMITS)[L] & string): number {
  const [lo, hi] = (PARAM_LIMITS[lesson] as Record<string, readonly [number, number]>)[key];
  const v = p[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new Invalid(`${key} must be a whole number in ${lo}…${hi}`);
  return v;
}

function text(p: Obj, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length > MAX_LESSON_TEXT) throw new Invalid(`${key} must be text of at most ${MAX_LESSON_TEXT} characters`);
  return v;
}

function bool(p: Obj, key: string): boolean {
  if (typeof p[key] !== 'boolean') throw new Invalid(`${key} must be true or false`);
  return p[key] as boolean;
}

function oneOf<T extends string>(p: Obj, key: string, allowed: readonly T[]): T {
  const v = p[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new Invalid(`${key} must be one of ${allowed.join(', ')}`);
  return v as T;
}

const dtype = (p: Obj, key: string): DType => oneOf(p, key, DTYPES);

/** Checks one lesson's parameters; throws Invalid with the reason. */
function parseParams(lesson: LessonId, p: Obj): LessonParamsMap[LessonId] {
  switch (lesson) {
    case 'sdpa-steps':
      return { text: text(p, 'text'), source: oneOf(p, 'source', ['model', 'toy'] as const), causal: bool(p, 'causal'), headDim: int(lesson, p, 'headDim'), head: int(lesson, p, 'head') };
    case 'why-sqrt-dk':
      return { dk: int(lesson, p, 'dk'), keys: int(lesson, p, 'keys'), seed: int(lesson, p, 'seed') };
    case 'causal-masking':
      return { text: text(p, 'text'), variant: oneOf(p, 'variant', CAUSAL_VARIANTS), changedPosition: int(lesson, p, 'changedPosition') };
    case 'self-vs-cross':
      return { target: text(p, 'target'), source: text(p, 'source'), head: int(lesson, p, 'head') };
    case 'multi-head':
      return { text: text(p, 'text'), layer: int(lesson, p, 'layer') };
    case 'mha-mqa-gqa': {
      const queryHeads = int(lesson, p, 'queryHeads');
      const kvHeads = int(lesson, p, 'kvHeads');
      if (queryHeads % kvHeads !== 0) throw new Invalid(`query heads (${queryHeads}) must be a multiple of kv heads (${kvHeads})`);
      return {
        layers: int(lesson, p, 'layers'),
        queryHeads,
        kvHeads,
        headDim: int(lesson, p, 'headDim'),
        length: int(lesson, p, 'length'),
        batch: int(lesson, p, 'batch'),
        dtype: dtype(p, 'dtype'),
      };
    }
    case 'sparse-attention':
      return {
        kind: oneOf(p, 'kind', SPARSE_KINDS),
        n: int(lesson, p, 'n'),
        window: int(lesson, p, 'window'),
        globalTokens: int(lesson, p, 'globalTokens'),
        blockSize: int(lesson, p, 'blockSize'),
        randomBlocks: int(lesson, p, 'randomBlocks'),
        seed: int(lesson, p, 'seed'),
        layers: int(lesson, p, 'layers'),
        query: int(lesson, p, 'query'),
        dependencyKey: int(lesson, p, 'dependencyKey'),
      };
    case 'flash-attention':
      return {
        n: int(lesson, p, 'n'),
        headDim: int(lesson, p, 'headDim'),
        blockQ: int(lesson, p, 'blockQ'),
        blockK: int(lesson, p, 'blockK'),
        causal: bool(p, 'causal'),
        row: int(lesson, p, 'row'),
        seed: int(lesson, p, 'seed'),
        memoryTokens: int(lesson, p, 'memoryTokens'),
        memoryHeads: int(lesson, p, 'memoryHeads'),
        memoryDtype: dtype(p, 'memoryDtype'),
      };
    case 'positions': {
      const dim = int(lesson, p, 'dim');
      if (dim % 2 !== 0) throw new Invalid('dim must be even (RoPE rotates pairs)');
      return {
        dim,
        length: int(lesson, p, 'length'),
        offset: int(lesson, p, 'offset'),
        shift: int(lesson, p, 'shift'),
        alibiHeads: int(lesson, p, 'alibiHeads'),
        seed: int(lesson, p, 'seed'),
      };
    }
    case 'before-transformers':
      return { source: text(p, 'source'), step: int(lesson, p, 'step'), hidden: int(lesson, p, 'hidden'), seed: int(lesson, p, 'seed') };
    case 'complexity':
      return {
        maxN: int(lesson, p, 'maxN'),
        headDim: int(lesson, p, 'headDim'),
        heads: int(lesson, p, 'heads'),
        window: int(lesson, p, 'window'),
        blockSize: int(lesson, p, 'blockSize'),
        dtype: dtype(p, 'dtype'),
      };
  }
}

/** The lesson's parameters, or the reason they are not acceptable. */
export function validateLessonParams(lesson: LessonId, params: unknown): LessonParamsMap[LessonId] | string {
  if (!isObj(params)) return `${lesson}: params must be an object`;
  try {
    return parseParams(lesson, params);
  } catch (e) {
    if (e instanceof Invalid) return `${lesson}: ${e.message}`;
    throw e;
  }
}

export function validateLessonMessage(m: unknown): LessonsToHost | string {
  if (!isObj(m) || typeof m.type !== 'string') return 'not a message object';
  switch (m.type) {
    case 'ready':
      if (m.lesson !== undefined && !isLessonId(m.lesson)) return 'ready: unknown lesson';
      return { type: 'ready', lesson: m.lesson as LessonId | undefined };
    case 'lesson/compute': {
      if (!isIndex(m.requestId)) return 'lesson/compute: bad requestId';
      if (!isLessonId(m.lesson)) return 'lesson/compute: unknown lesson';
      const params = validateLessonParams(m.lesson, m.params);
      if (typeof params === 'string') return params;
      return { type: 'lesson/compute', requestId: m.requestId, lesson: m.lesson, params } as LessonsToHost;
    }
    case 'lesson/visited':
      if (!isLessonId(m.lesson)) return 'lesson/visited: unknown lesson';
      return { type: 'lesson/visited', lesson: m.lesson };
    case 'lesson/completed':
      if (!isLessonId(m.lesson) || typeof m.completed !== 'boolean') return 'lesson/completed: bad fields';
      return { type: 'lesson/completed', lesson: m.lesson, completed: m.completed };
    case 'exercise/open':
    case 'exercise/check':
      if (typeof m.id !== 'string' || m.id.length > 64 || !EXERCISE_ID.test(m.id)) return `${m.type}: bad exercise id`;
      return { type: m.type, id: m.id };
    case 'walkthrough/open':
      return { type: 'walkthrough/open' };
    default:
      return `unknown message type ${JSON.stringify(m.type).slice(0, 40)}`;
  }
}
