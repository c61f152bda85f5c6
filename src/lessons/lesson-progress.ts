// Learner progress, kept in the extension's globalState (a Memento): lessons opened, lessons
// marked done, and the last result of each exercise. Everything read back is checked, so a
// corrupt or older value degrades to "nothing done" rather than breaking the panel.
import { isLessonId, type ExerciseStatus, type LessonId, type LessonProgress } from '../protocol/lesson-messages';

/** The part of vscode.Memento this needs (so tests can use a Map). */
export interface ProgressMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export const PROGRESS_KEY = 'attentionInspector.lessonProgress';
const STATUSES: readonly ExerciseStatus[] = ['not-started', 'opened', 'failed', 'passed'];

export function emptyProgress(): LessonProgress {
  return { visited: [], completed: [], exercises: {} };
}

/** A stored value turned back into progress, dropping anything unrecognised. */
export function parseProgress(raw: unknown): LessonProgress {
  const out = emptyProgress();
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as Record<string, unknown>;
  const ids = (v: unknown): LessonId[] => (Array.isArray(v) ? [...new Set(v.filter(isLessonId))] : []);
  out.visited = ids(r.visited);
  out.completed = ids(r.completed);
  if (typeof r.exercises === 'object' && r.exercises !== null) {
    for (const [id, status] of Object.entries(r.exercises as Record<string, unknown>)) {
      if (/^[a-z0-9-]{1,64}$/.test(id) && STATUSES.includes(status as ExerciseStatus)) out.exercises[id] = status as ExerciseStatus;
    }
  }
  return out;
}

export class LessonProgressStore {
  constructor(private readonly memento: ProgressMemento) {}

  get(): LessonProgress {
    return parseProgress(this.memento.get(PROGRESS_KEY));
  }

  private async save(p: LessonProgress): Promise<LessonProgress> {
    await this.memento.update(PROGRESS_KEY, p);
    return p;
  }

  async visit(lesson: LessonId): Promise<LessonProgress> {
    const p = this.get();
    if (!p.visited.includes(lesson)) p.visited.push(lesson);
    return this.save(p);
  }

  async complete(lesson: LessonId, completed: boolean): Promise<LessonProgress> {
    const p = this.get();
    p.completed = p.completed.filter((id) => id !== lesson);
    if (completed) {
      p.completed.push(lesson);
      if (!p.visited.includes(lesson)) p.visited.push(lesson);
    }
    return this.save(p);
  }

  /** Records an exercise result; a pass is never downgraded by merely opening the file again. */
  async exercise(id: string, status: ExerciseStatus): Promise<LessonProgress> {
    const p = this.get();
    if (!(status === 'opened' && (p.exercises[id] === 'passed' || p.exercises[id] === 'failed'))) p.exercises[id] = status;
    return this.save(p);
  }
}
