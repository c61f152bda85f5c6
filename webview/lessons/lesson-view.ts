// What every lesson view provides: the controls for its parameters and a renderer for the data
// the host computed. Views draw; they never compute a number the lesson module could.
import type { LessonDataMap, LessonId, LessonParamsMap } from '../../src/protocol/lesson-messages';
import type { Control } from './controls';

export interface ViewContext<L extends LessonId> {
  params: LessonParamsMap[L];
  /** Change parameters from inside the view (e.g. clicking a step), which recomputes. */
  set(patch: Partial<LessonParamsMap[L]>): void;
  /** Prefers reduced motion (no auto-play). */
  reducedMotion: boolean;
}

export interface LessonView<L extends LessonId> {
  id: L;
  /** One or two sentences shown above the controls. */
  intro: string;
  controls(params: LessonParamsMap[L]): Control[];
  render(root: HTMLElement, data: LessonDataMap[L], ctx: ViewContext<L>): void;
}
