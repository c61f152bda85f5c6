// The "Attention Lessons" webview panel: one panel, reused. It sends the lesson index and
// progress when the webview says it is ready, recomputes a lesson whenever the webview sends
// new parameters (validated first; every number comes from src/lessons/*), and forwards
// exercise actions. The webview keeps only UI state; after a reload it asks again.
import * as vscode from 'vscode';
import { computeLesson } from '../../lessons/compute-lesson';
import { exerciseSummaries } from '../../lessons/exercises';
import { LESSON_DEFAULTS } from '../../lessons/lesson-defaults';
import { LESSONS } from '../../lessons/lesson-index';
import type { LessonProgressStore } from '../../lessons/lesson-progress';
import type { LessonEnvironment } from '../../lessons/shared/lesson-model';
import { LESSONS_TITLE, LESSONS_VIEW_TYPE, type HostToLessons, type LessonId, type LessonsToHost } from '../../protocol/lesson-messages';
import { validateLessonMessage } from '../../protocol/validate-lesson-message';
import { log } from '../log';
import { webviewHtml, webviewOptions, type WebviewShell } from '../webview/webview-shell';

const LESSONS_SHELL: WebviewShell = { title: LESSONS_TITLE, bundle: 'lessons', rootId: 'lessons', rootLabel: LESSONS_TITLE, inlineImages: true };

export interface LessonsPanelDeps {
  extensionUri: vscode.Uri;
  progress: LessonProgressStore;
  environment: () => LessonEnvironment;
  openExercise: (id: string) => Promise<void>;
  checkExercise: (id: string) => Promise<void>;
  openWalkthrough: () => Promise<void>;
}

export class LessonsPanel {
  static current: LessonsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** What to open once the webview is ready (a command may arrive before it loads). */
  private pending?: { lesson: LessonId; text?: string };

  static show(deps: LessonsPanelDeps, open?: { lesson: LessonId; text?: string }): LessonsPanel {
    let p = LessonsPanel.current;
    if (p) p.panel.reveal(undefined, false);
    else {
      const panel = vscode.window.createWebviewPanel(LESSONS_VIEW_TYPE, LESSONS_TITLE, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
      p = LessonsPanel.current = new LessonsPanel(panel, deps);
    }
    if (open) p.open(open.lesson, open.text);
    return p;
  }

  /** Rebuilds a panel VS Code restored after a reload (WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, deps: LessonsPanelDeps): LessonsPanel {
    LessonsPanel.current?.dispose();
    LessonsPanel.current = new LessonsPanel(panel, deps);
    return LessonsPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: LessonsPanelDeps,
  ) {
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, LESSONS_SHELL);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // a hidden webview loses its page and says "ready" again
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
    );
  }

  /** Shows a lesson (now, or as soon as the webview is ready). */
  open(lesson: LessonId, text?: string): void {
    this.pending = { lesson, text };
    if (this.ready) this.flushPending();
  }

  post(message: HostToLessons): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  sendIndex(): void {
    this.post({ type: 'lessons/index', lessons: [...LESSONS], exercises: exerciseSummaries(), progress: this.deps.progress.get(), defaults: LESSON_DEFAULTS });
  }

  private flushPending(): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) this.post({ type: 'lesson/open', lesson: p.lesson, text: p.text });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = validateLessonMessage(raw);
    if (typeof message === 'string') {
      log().warn(`ignored a malformed message from the lessons panel: ${message}`);
      // Answer a compute request we could parse the id of, so the view does not wait forever.
      const r = raw as { type?: unknown; requestId?: unknown; lesson?: unknown };
      if (r && r.type === 'lesson/compute' && typeof r.requestId === 'number' && typeof r.lesson === 'string' && LESSONS.some((l) => l.id === r.lesson)) {
        this.post({ type: 'lesson/error', requestId: r.requestId, lesson: r.lesson as LessonId, message });
      }
      return;
    }
    await this.handle(message);
  }

  private async handle(m: LessonsToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendIndex();
        this.flushPending();
        return;
      case 'lesson/compute': {
        const started = Date.now();
        try {
          const data = await computeLesson(m.lesson, m.params, this.deps.environment());
          this.post({ type: 'lesson/data', requestId: m.requestId, lesson: m.lesson, data } as HostToLessons);
          log().debug(`lesson ${m.lesson} computed in ${Date.now() - started} ms`);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          log().error(`lesson ${m.lesson} failed: ${message}`);
          this.post({ type: 'lesson/error', requestId: m.requestId, lesson: m.lesson, message });
        }
        return;
      }
      case 'lesson/visited':
        await this.deps.progress.visit(m.lesson);
        return;
      case 'lesson/completed':
        await this.deps.progress.complete(m.lesson, m.completed);
        this.sendIndex();
        return;
      case 'exercise/open':
        await this.deps.openExercise(m.id);
        this.sendIndex();
        return;
      case 'exercise/check':
        await this.deps.checkExercise(m.id);
        this.sendIndex();
        return;
      case 'walkthrough/open':
        await this.deps.openWalkthrough();
        return;
    }
  }

  dispose(): void {
    if (LessonsPanel.current === this) LessonsPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
