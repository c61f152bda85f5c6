// Public API of the attention linter (no VS Code dependency):
//   await initLinter();                       // loads the tree-sitter runtime and grammars once
//   lintText(text, 'python', config)          // → Finding[] (0-based lines/columns, UTF-16)
//   new LintSession(text, 'python')           // incremental re-lint of an edited document
import { initTreeSitter } from './parser/tree-sitter-runtime';
import { LintDocument } from './document';
import { lintDocument } from './linter';
import { isLintLanguage } from './types';
import type { Finding, LintConfig } from './types';

export type { Finding, LintConfig, LintLanguage, QuickFix, RuleSetting, Severity, TextEdit, TextRange, LessonId } from './types';
export { isLintLanguage } from './types';
export { LintSession } from './session';
export type { OffsetChange } from './document';
export { RULES, ruleByCode, ruleByName } from './rules/index';
export type { Rule, RuleMeta } from './rules/rule';
export { validateConfig } from './config';

export async function initLinter(): Promise<void> {
  await initTreeSitter();
}

/** Lints a whole text. `languageId` is a VS Code language id (python, typescript, javascript…). */
export function lintText(text: string, languageId: string, config: LintConfig = {}): Finding[] {
  if (!isLintLanguage(languageId)) return [];
  const doc = LintDocument.parse(text, languageId);
  try {
    return lintDocument(doc, config);
  } finally {
    doc.dispose();
  }
}
