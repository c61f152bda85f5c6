// The linter's settings: attentionInspector.lint.enabled and attentionInspector.lint.rules.
import * as vscode from 'vscode';
import type { LintConfig, RuleSetting } from '../../lint/index';

const SETTINGS = new Set<string>(['off', 'error', 'warning', 'info']);

export interface LintSettings {
  enabled: boolean;
  config: LintConfig;
  /** Delay between the last keystroke and the re-lint. */
  debounceMs: number;
}

export function readLintSettings(scope?: vscode.ConfigurationScope): LintSettings {
  const c = vscode.workspace.getConfiguration('attentionInspector', scope);
  const raw = c.get<Record<string, unknown>>('lint.rules', {}) ?? {};
  const rules: Record<string, RuleSetting> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' && SETTINGS.has(v)) rules[k] = v as RuleSetting;
  return { enabled: c.get<boolean>('lint.enabled', true), config: { rules }, debounceMs: 250 };
}

export function affectsLint(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('attentionInspector.lint');
}
