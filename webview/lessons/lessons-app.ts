// The lessons webview: an index page and one page per lesson. A lesson page shows the lesson's
// controls; every change is sent to the host (debounced), which recomputes the lesson with the
// reference engine and replies with data the lesson's view draws. Only the page and the
// parameters are kept with setState; data is always asked for again.
import type {
  ExerciseSummary,
  HostToLessons,
  LessonId,
  LessonParamsMap,
  LessonProgress,
  LessonSummary,
} from '../../src/protocol/lesson-messages';
import { isLessonId } from '../../src/protocol/lesson-messages';
import { renderControls } from './controls';
import { exerciseRow, renderIndex, type IndexActions } from './index-view';
import type { LessonChannel } from './lesson-channel';
import { callout, clear, el, para } from './lesson-dom';
import type { LessonView } from './lesson-view';
import { VIEWS } from './views/index';

interface SavedState {
  page: 'index' | LessonId;
  params: Partial<Record<LessonId, Record<string, unknown>>>;
}

const DEBOUNCE_MS = 150;

export class LessonsApp {
  private lessons: LessonSummary[] = [];
  private exercises: ExerciseSummary[] = [];
  private progress: LessonProgress = { visited: [], completed: [], exercises: {} };
  private defaults?: LessonParamsMap;
  private state: SavedState;
  private requestId = 0;
  private debounce?: ReturnType<typeof setTimeout>;
  private resultRoot?: HTMLElement;
  private statusLine?: HTMLElement;
  private exerciseMessages = new Map<string, string>();
  private readonly actions: IndexActions;

  constructor(
    private readonly root: HTMLElement,
    private readonly channel: LessonChannel,
  ) {
    const saved = channel.getState<SavedState>();
    this.state = {
      page: saved && (saved.page === 'index' || isLessonId(saved.page)) ? saved.page : 'index',
      params: saved && typeof saved.params === 'object' && saved.params ? saved.params : {},
    };
    this.actions = {
      openLesson: (id) => this.go(id),
      openExercise: (id) => channel.post({ type: 'exercise/open', id }),
      checkExercise: (id) => {
        this.exerciseMessages.set(id, 'Checking…');
        channel.post({ type: 'exercise/check', id });
      },
      openWalkthrough: () => channel.post({ type: 'walkthrough/open' }),
    };
    channel.on((m) => this.onMessage(m));
    root.appendChild(para('Loading lessons…'));
    channel.post({ type: 'ready', lesson: this.state.page === 'index' ? undefined : this.state.page });
  }

  private save(): void {
    this.channel.setState(this.state);
  }

  /** The lesson's parameters: saved values of the right type over the host's defaults. */
  private paramsOf<L extends LessonId>(id: L): LessonParamsMap[L] {
    const defaults = (this.defaults as LessonParamsMap)[id] as unknown as Record<string, unknown>;
    const saved: Record<string, unknown> = this.state.params[id] ?? {};
    const out: Record<string, unknown> = { ...defaults };
    for (const k of Object.keys(defaults)) if (typeof saved[k] === typeof defaults[k]) out[k] = saved[k];
    return out as unknown as LessonParamsMap[L];
  }

  private setParams(id: LessonId, patch: Record<string, unknown>): void {
    this.state.params[id] = { ...(this.paramsOf(id) as unknown as Record<string, unknown>), ...patch };
    this.save();
  }

  private onMessage(m: HostToLessons): void {
    switch (m.type) {
      case 'lessons/index':
        this.lessons = m.lessons;
        this.exercises = m.exercises;
        this.progress = m.progress;
        this.defaults = m.defaults;
        if (this.state.page === 'index' || !this.resultRoot) this.render();
        return;
      case 'lesson/open':
        if (m.text !== undefined && this.defaults && 'text' in (this.defaults[m.lesson] as object)) this.setParams(m.lesson, { text: m.text });
        this.go(m.lesson);
        return;
      case 'lesson/data':
        if (m.requestId !== this.requestId || m.lesson !== this.state.page || !this.resultRoot) return;
        this.showData(m.lesson, m.data);
        return;
      case 'lesson/error':
        if (m.requestId !== this.requestId || !this.resultRoot) return;
        this.setStatus(`Could not compute this lesson: ${m.message}`, true);
        return;
      case 'exercise/result':
        this.exerciseMessages.set(m.id, m.message);
        this.progress.exercises[m.id] = m.status;
        this.renderExerciseNotes();
        return;
    }
  }

  private go(page: 'index' | LessonId): void {
    this.state.page = page;
    this.save();
    if (page !== 'index') {
      if (!this.progress.visited.includes(page)) this.progress.visited.push(page);
      this.channel.post({ type: 'lesson/visited', lesson: page });
    }
    this.render();
    window.scrollTo(0, 0);
  }

  private render(): void {
    clear(this.root);
    this.resultRoot = undefined;
    this.statusLine = undefined;
    if (!this.defaults) {
      this.root.appendChild(para('Loading lessons…'));
      return;
    }
    if (this.state.page === 'index') renderIndex(this.root, this.lessons, this.exercises, this.progress, this.actions);
    else this.renderLesson(this.state.page);
  }

  private renderLesson(id: LessonId): void {
    const summary = this.lessons.find((l) => l.id === id);
    const view = VIEWS[id] as unknown as LessonView<LessonId>;
    const order = summary?.order ?? 0;
    const sorted = [...this.lessons].sort((a, b) => a.order - b.order);
    const back = el('button', { className: 'link-button', text: '← All lessons', attrs: { type: 'button' } });
    back.addEventListener('click', () => this.go('index'));
    const nav = (target: LessonSummary | undefined, label: string) => {
      if (!target) return null;
      const b = el('button', { className: 'link-button', text: label, attrs: { type: 'button', 'aria-label': `${label}: ${target.title}` } });
      b.addEventListener('click', () => this.go(target.id));
      return b;
    };
    const done = el('input', { attrs: { type: 'checkbox', id: 'lesson-done' } });
    done.checked = this.progress.completed.includes(id);
    done.addEventListener('change', () => {
      this.progress.completed = done.checked ? [...this.progress.completed, id] : this.progress.completed.filter((x) => x !== id);
      this.channel.post({ type: 'lesson/completed', lesson: id, completed: done.checked });
    });
    const i = sorted.findIndex((l) => l.id === id);
    this.root.append(
      el('nav', { className: 'lesson-nav', attrs: { 'aria-label': 'lesson navigation' } }, [back, nav(sorted[i - 1], '‹ Previous'), nav(sorted[i + 1], 'Next ›')]),
      el('header', { className: 'lesson-header' }, [
        el('h1', { text: `${order}. ${summary?.title ?? id}` }),
        el('label', { className: 'done-toggle', attrs: { for: 'lesson-done' } }, [done, el('span', { text: ' I’ve got this: mark as done' })]),
      ]),
      para(view.intro),
    );
    if (summary) this.root.append(el('details', { className: 'teaches' }, [el('summary', { text: 'What this lesson teaches' }), el('ul', {}, summary.teaches.map((t) => el('li', { text: t })))]));
    const controlsRoot = el('section', { className: 'lesson-controls', attrs: { 'aria-label': 'parameters' } });
    this.statusLine = el('div', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.resultRoot = el('section', { className: 'lesson-result', attrs: { 'aria-label': 'results' } });
    this.root.append(controlsRoot, this.statusLine, this.resultRoot);

    const drawControls = () => {
      clear(controlsRoot);
      renderControls(controlsRoot, view.controls(this.paramsOf(id)), this.paramsOf(id) as unknown as Record<string, unknown>, (key, value) => {
        this.setParams(id, { [key]: value });
        const structural = view.controls(this.paramsOf(id)).find((c) => c.key === key)?.kind;
        if (structural === 'select' || structural === 'checkbox') drawControls(); // may change which controls apply
        this.scheduleCompute(id);
      });
    };
    drawControls();

    const practice = this.exercises.filter((e) => e.lesson === id);
    if (practice.length > 0) {
      this.root.append(
        el('section', { className: 'practice', attrs: { 'aria-label': 'practice' } }, [
          el('h2', { text: 'Practice' }),
          el('ul', { className: 'exercise-list' }, practice.map((e) => exerciseRow(e, this.progress.exercises[e.id] ?? 'not-started', this.actions))),
          el('div', { className: 'exercise-notes', attrs: { 'aria-live': 'polite' } }),
        ]),
      );
      this.renderExerciseNotes();
    }
    this.compute(id);
  }

  private renderExerciseNotes(): void {
    const holder = this.root.querySelector('.exercise-notes');
    if (!holder) {
      if (this.state.page === 'index') this.render();
      return;
    }
    clear(holder);
    for (const [id, message] of this.exerciseMessages) {
      const e = this.exercises.find((x) => x.id === id);
      if (!e || (this.state.page !== 'index' && e.lesson !== this.state.page)) continue;
      const status = this.progress.exercises[id];
      holder.appendChild(callout(`${e.title}: ${message}`, status === 'passed' ? 'ok' : status === 'failed' ? 'bad' : 'info'));
    }
  }

  private scheduleCompute(id: LessonId): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.compute(id), DEBOUNCE_MS);
  }

  private compute(id: LessonId): void {
    this.requestId++;
    this.setStatus('Computing…', false);
    this.channel.post({ type: 'lesson/compute', requestId: this.requestId, lesson: id, params: this.paramsOf(id) } as never);
  }

  private setStatus(text: string, error: boolean): void {
    if (!this.statusLine) return;
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle('error', error);
  }

  private showData(id: LessonId, data: unknown): void {
    const root = this.resultRoot as HTMLElement;
    const view = VIEWS[id] as unknown as LessonView<LessonId>;
    clear(root);
    this.setStatus('', false);
    try {
      view.render(root, data as never, {
        params: this.paramsOf(id),
        set: (patch) => {
          this.setParams(id, patch as Record<string, unknown>);
          this.render();
        },
        reducedMotion: document.body.classList.contains('vscode-reduce-motion') || window.matchMedia('(prefers-reduced-motion: reduce)').matches,
      });
    } catch (e) {
      root.appendChild(callout(`This lesson could not be drawn: ${e instanceof Error ? e.message : String(e)}`, 'bad'));
    }
  }
}
