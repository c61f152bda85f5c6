// Rule configuration: { rules: { ATTN003: 'off' | 'error' | 'warning' | 'info' } }. Keys may
// be codes or rule names ("softmax-wrong-axis"). Used by the VS Code setting
// attentionInspector.lint.rules, the CLI's --config file and .attention-lint.json.
import type { RuleMeta } from './rules/rule';
import type { LintConfig, RuleSetting, Severity } from './types';

const SETTINGS: RuleSetting[] = ['off', 'error', 'warning', 'info'];

export function resolveSeverity(config: LintConfig, meta: RuleMeta, reported?: Severity): RuleSetting {
  const rules = config.rules ?? {};
  const setting = rules[meta.code] ?? rules[meta.code.toLowerCase()] ?? rules[meta.name];
  if (setting && SETTINGS.includes(setting)) return setting;
  return reported ?? meta.severity;
}

/** Validates a parsed JSON config; returns problems as messages (empty when valid). */
export function validateConfig(value: unknown, knownCodes: Set<string>, knownNames: Set<string>): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the configuration must be a JSON object'];
  const rules = (value as { rules?: unknown }).rules;
  if (rules === undefined) return problems;
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) return ['"rules" must be an object of rule → "off" | "error" | "warning" | "info"'];
  for (const [k, v] of Object.entries(rules as Record<string, unknown>)) {
    if (!knownCodes.has(k.toUpperCase()) && !knownNames.has(k)) problems.push(`unknown rule "${k}"`);
    if (typeof v !== 'string' || !SETTINGS.includes(v as RuleSetting)) problems.push(`rule "${k}": expected "off", "error", "warning" or "info", got ${JSON.stringify(v)}`);
  }
  return problems;
}
