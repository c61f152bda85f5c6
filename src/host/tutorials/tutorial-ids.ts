// Identifiers shared by the tutorials' host code, the walkthrough JSON and the tests. No
// vscode import here, so unit tests can check the walkthrough against them.

/** The walkthrough, as '<publisher>.<name>#<walkthrough id>' for workbench.action.openWalkthrough. */
export const WALKTHROUGH_ID = 'attentionInspector.gettingStarted';
export const WALKTHROUGH_REF = `attention-inspector.attention-inspector#${WALKTHROUGH_ID}`;

/** Context keys that complete walkthrough steps (`onContext:` events). */
export const CONTEXT_KEYS = {
  /** A run's heads were labelled (the Heads grid showed pattern badges). */
  sawHeadPatterns: 'attentionInspector.sawHeadPatterns',
  sawPreviousTokenHead: 'attentionInspector.sawPreviousTokenHead',
  sawInductionHead: 'attentionInspector.sawInductionHead',
  /** A linter quick fix was applied. */
  appliedLintFix: 'attentionInspector.appliedLintFix',
  /** An exercise check passed. */
  passedExercise: 'attentionInspector.passedExercise',
} as const;

/** Command the linter's quick fixes run after their edit, so the walkthrough sees the fix. */
export const LINT_FIX_APPLIED_COMMAND = 'attentionInspector.walkthrough.lintFixApplied';

/** Commands registerTutorials registers (besides LINT_FIX_APPLIED_COMMAND). */
export const COMMANDS = {
  openLessons: 'attentionInspector.openLessons',
  openLesson: 'attentionInspector.openLesson',
  openWalkthrough: 'attentionInspector.openWalkthrough',
  openExercise: 'attentionInspector.openExercise',
  checkExercise: 'attentionInspector.checkExercise',
  openSample: 'attentionInspector.openWalkthroughSample',
} as const;

/** Files the walkthrough opens, by the argument its links pass (media/walkthrough/samples/). */
export const SAMPLES: Readonly<Record<string, string>> = { text: 'sample-code.py', buggy: 'buggy_attention.py' };
