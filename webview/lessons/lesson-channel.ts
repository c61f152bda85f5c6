// The webview side of the lessons protocol: posts LessonsToHost, dispatches HostToLessons, and
// keeps the UI state (current page, parameters) with getState/setState — never data.
import type { HostToLessons, LessonsToHost } from '../../src/protocol/lesson-messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class LessonChannel {
  private listeners: ((m: HostToLessons) => void)[] = [];

  private constructor(private readonly api: VsCodeApi) {
    window.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as HostToLessons;
      if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string') return;
      for (const l of this.listeners) l(m);
    });
  }

  /** The channel inside VS Code, or undefined elsewhere. acquireVsCodeApi may be called once per page. */
  static connect(): LessonChannel | undefined {
    return typeof acquireVsCodeApi === 'function' ? new LessonChannel(acquireVsCodeApi()) : undefined;
  }

  on(listener: (m: HostToLessons) => void): void {
    this.listeners.push(listener);
  }

  post(m: LessonsToHost): void {
    this.api.postMessage(m);
  }

  getState<T>(): T | undefined {
    return this.api.getState() as T | undefined;
  }

  setState<T>(state: T): void {
    this.api.setState(state);
  }
}
