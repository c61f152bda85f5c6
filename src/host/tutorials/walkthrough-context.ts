// Context keys that complete the getting-started walkthrough's steps on real events
// (`completionEvents: ["onContext:…"]` in media/walkthrough/walkthrough.contrib.json), and the
// walkthrough's identity for workbench.action.openWalkthrough.
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from './tutorial-ids';

export { WALKTHROUGH_ID, WALKTHROUGH_REF, CONTEXT_KEYS, LINT_FIX_APPLIED_COMMAND } from './tutorial-ids';

function set(key: string): void {
  void vscode.commands.executeCommand('setContext', key, true);
}

/**
 * Called with the pattern labels of a finished run (the panel's Heads grid badges): completes
 * "read the heads grid" and, when they are there, "find a previous-token and an induction head".
 */
export function markPatternsSeen(labels: readonly string[]): void {
  if (labels.length === 0) return;
  set(CONTEXT_KEYS.sawHeadPatterns);
  if (labels.includes('previous-token')) set(CONTEXT_KEYS.sawPreviousTokenHead);
  if (labels.includes('induction')) set(CONTEXT_KEYS.sawInductionHead);
}

export function markLintFixApplied(): void {
  set(CONTEXT_KEYS.appliedLintFix);
}

export function markExercisePassed(): void {
  set(CONTEXT_KEYS.passedExercise);
}
