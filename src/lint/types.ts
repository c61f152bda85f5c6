// The linter's public data types. Positions are 0-based lines and 0-based columns counted in
// UTF-16 code units (the same units as VS Code's Position and JavaScript string indices).
// The CLI converts to 1-based lines/columns when it prints.

export type Severity = 'error' | 'warning' | 'info';
export type RuleSetting = Severity | 'off';

/** A 0-based, end-exclusive range in UTF-16 code units. */
export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface TextEdit {
  range: TextRange;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface Finding extends TextRange {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  /** Repository-relative path of the rule's documentation page, e.g. docs/rules/ATTN003.md. */
  docPath: string;
  /** Id of the tutorial lesson that explains the concept behind the rule. */
  lesson?: LessonId;
  fix?: QuickFix;
}

export type LessonId =
  | 'sdpa-steps'
  | 'why-sqrt-dk'
  | 'causal-masking'
  | 'self-vs-cross'
  | 'multi-head'
  | 'mha-mqa-gqa'
  | 'sparse-attention'
  | 'flash-attention'
  | 'positions'
  | 'before-transformers'
  | 'complexity';

/** `attentionInspector.lint.rules` and `.attention-lint.json` share this shape. */
export interface LintConfig {
  rules?: Record<string, RuleSetting>;
}

/** Languages the linter understands (VS Code language ids). */
export type LintLanguage = 'python' | 'typescript' | 'typescriptreact' | 'javascript' | 'javascriptreact';

export function isLintLanguage(id: string): id is LintLanguage {
  return id === 'python' || id === 'typescript' || id === 'typescriptreact' || id === 'javascript' || id === 'javascriptreact';
}
