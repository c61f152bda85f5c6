// The contract every rule implements. A rule reads the facts the analysis computed for one
// top-level item (Python) or one function (TypeScript/JavaScript) and reports findings by
// source offsets; the linter turns offsets into ranges, applies config and suppressions.
import type { SyntaxNode } from '../parser/syntax-node';
import type { FunctionFacts } from '../analysis/facts';
import type { PyFileContext } from '../analysis/python/py-context';
import type { TsFunctionFacts } from '../analysis/ts/ts-facts';
import type { LessonId, Severity } from '../types';

export interface RuleMeta {
  code: string;
  name: string;
  severity: Severity;
  /** One line: what the rule finds. */
  summary: string;
  lesson?: LessonId;
  /** Languages with checks: Python always; some rules also check TS/JS. */
  languages: ('python' | 'typescript')[];
}

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface FixSpec {
  title: string;
  edits: OffsetEdit[];
}

export interface RawFinding {
  code: string;
  start: number;
  end: number;
  message: string;
  severity?: Severity;
  fix?: FixSpec;
}

export interface ReportOptions {
  fix?: FixSpec;
  /** Where to report if `node` lies outside the item being linted (e.g. in a helper). */
  anchor?: SyntaxNode;
  severity?: Severity;
}

export interface PyRuleContext {
  source: string;
  item: SyntaxNode;
  facts: FunctionFacts[];
  file: PyFileContext;
  /** Float16 evidence in the file, if any (text of the hint). */
  fp16?: string;
  report(node: SyntaxNode, message: string, options?: ReportOptions): void;
}

export interface TsRuleContext {
  source: string;
  item: SyntaxNode;
  facts: TsFunctionFacts[];
  report(node: SyntaxNode, message: string, options?: ReportOptions): void;
}

/** Facts gathered per item that file-wide checks combine (RoPE table/rotation conventions). */
export interface ItemSummary {
  ropeTables: { convention: 'half' | 'interleaved'; start: number; end: number }[];
  ropeRotations: { convention: 'half' | 'interleaved'; start: number; end: number }[];
}

export interface FileRuleContext {
  source: string;
  summaries: ItemSummary[];
  report(start: number, end: number, message: string): void;
}

export interface Rule {
  meta: RuleMeta;
  python?(ctx: PyRuleContext): void;
  typescript?(ctx: TsRuleContext): void;
  /** Checks that need several items at once (run on every lint, over cached summaries). */
  file?(ctx: FileRuleContext): void;
}

export function edit(node: SyntaxNode, newText: string): OffsetEdit {
  return { start: node.start, end: node.end, newText };
}

export function insertAt(offset: number, newText: string): OffsetEdit {
  return { start: offset, end: offset, newText };
}
