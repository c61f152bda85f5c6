// The lesson index: every lesson in order with its status, and the exercises with theirs.
import type { ExerciseStatus, ExerciseSummary, LessonId, LessonProgress, LessonSummary } from '../../src/protocol/lesson-messages';
import { el } from './lesson-dom';

export interface IndexActions {
  openLesson(id: LessonId): void;
  openExercise(id: string): void;
  checkExercise(id: string): void;
  openWalkthrough(): void;
}

const STATUS_TEXT: Record<ExerciseStatus, string> = { 'not-started': 'not started', opened: 'in progress', failed: 'last check failed', passed: 'passed ✓' };

export function lessonStatus(id: LessonId, p: LessonProgress): 'done' | 'visited' | 'new' {
  return p.completed.includes(id) ? 'done' : p.visited.includes(id) ? 'visited' : 'new';
}

export function exerciseRow(e: ExerciseSummary, status: ExerciseStatus, actions: IndexActions): HTMLElement {
  const open = el('button', { className: 'text-button', text: 'Open', attrs: { type: 'button', 'aria-label': `Open exercise ${e.title}` } });
  open.addEventListener('click', () => actions.openExercise(e.id));
  const check = el('button', { className: 'text-button', text: 'Check my solution', attrs: { type: 'button', 'aria-label': `Check exercise ${e.title}` } });
  check.addEventListener('click', () => actions.checkExercise(e.id));
  return el('li', { className: `exercise status-${status}` }, [
    el('div', { className: 'exercise-title' }, [el('span', { text: e.title }), el('span', { className: 'badge', text: e.language === 'python' ? 'Python' : 'TypeScript' }), el('span', { className: 'status', text: STATUS_TEXT[status] })]),
    el('div', { className: 'control-hint', text: e.checks }),
    el('div', { className: 'button-row' }, [open, check]),
  ]);
}

export function renderIndex(root: HTMLElement, lessons: readonly LessonSummary[], exercises: readonly ExerciseSummary[], progress: LessonProgress, actions: IndexActions): void {
  const done = lessons.filter((l) => progress.completed.includes(l.id)).length;
  const passed = exercises.filter((e) => progress.exercises[e.id] === 'passed').length;
  const walkthrough = el('button', { className: 'text-button', text: 'Getting-started walkthrough', attrs: { type: 'button' } });
  walkthrough.addEventListener('click', () => actions.openWalkthrough());
  root.append(
    el('header', { className: 'index-header' }, [
      el('h1', { text: 'Attention Lessons' }),
      el('p', { className: 'prose', text: 'Interactive lessons on attention, every number computed live by the reference engine, and exercises checked by the linter and the probe.' }),
      el('div', { className: 'progress-line' }, [
        el('progress', { attrs: { max: String(lessons.length), value: String(done), 'aria-label': 'lessons done' } }),
        el('span', { text: `${done} of ${lessons.length} lessons done · ${passed} of ${exercises.length} exercises passed` }),
        walkthrough,
      ]),
    ]),
  );
  const list = el('ol', { className: 'lesson-list' });
  for (const l of [...lessons].sort((a, b) => a.order - b.order)) {
    const status = lessonStatus(l.id, progress);
    const link = el('button', { className: 'lesson-link', attrs: { type: 'button', 'aria-label': `Lesson ${l.order}: ${l.title} (${status})` } }, [
      el('span', { className: 'lesson-order', text: String(l.order) }),
      el('span', { className: 'lesson-title', text: l.title }),
      el('span', { className: `lesson-status status-${status}`, text: status === 'done' ? '✓ done' : status === 'visited' ? 'opened' : '' }),
    ]);
    link.addEventListener('click', () => actions.openLesson(l.id));
    list.appendChild(el('li', {}, [link, el('p', { className: 'lesson-summary', text: l.summary })]));
  }
  root.append(el('h2', { text: 'Lessons' }), list, el('h2', { text: 'Exercises' }));
  root.append(el('ul', { className: 'exercise-list' }, exercises.map((e) => exerciseRow(e, progress.exercises[e.id] ?? 'not-started', actions))));
}
