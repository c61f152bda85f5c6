// Lints a parsed document: splits it into top-level items, analyses the items that look
// like attention code, runs the rules, then applies suppressions and the configuration.
// Results per item are cached by the item's text (plus the file context it depends on),
// so re-linting after an edit only re-analyses the item that changed.
import type { LintDocument } from './document';
import { SyntaxNode } from './parser/syntax-node';
import { convertSubtree } from './parser/convert-tree';
import type { TsNode } from './parser/tree-sitter-runtime';
import { analyzePyItem, analyzePyStatements, assignedValue, definitionOf, newPyFileContext, pyItemKind, registerPyItem } from './analysis/python/analyze-python';
import { analyzeTsItem } from './analysis/ts/ts-analyzer';
import { collectRopeConventions } from './analysis/python/rope-conventions';
import { findFp16Evidence } from './analysis/python/fp16-evidence';
import type { FileRuleContext, FixSpec, ItemSummary, PyRuleContext, RawFinding, ReportOptions, Rule, TsRuleContext } from './rules/rule';
import { RULES, ruleByCode } from './rules/index';
import { parseSuppressions, isSuppressed } from './suppression';
import { resolveSeverity } from './config';
import type { Finding, LintConfig } from './types';

/** Words that make a top-level item worth analysing (a cheap pre-filter on its text). */
const PY_TRIGGER = /softmax|masked_fill|einsum|matmul|bmm|@|exp|dropout|rotar|rope|rotate|causal|padding|attn|attention|mask|repeat|tile|expand|window|triu|tril|\btri\(|band_part|finfo|inf\b|\de\d|float16|half|scaled_dot|proj|to_q|query|rearrange|autocast|flash/i;
const TS_TRIGGER = /Math\.exp|softmax|matMul|bandPart|Infinity|attention|scores|logits/;

export interface CachedItem {
  key: string;
  start: number;
  findings: RawFinding[];
  summary: ItemSummary;
}

/** Per-document cache of item results (LintSession keeps one across edits). */
export class ItemCache {
  private entries = new Map<string, CachedItem>();
  private touched = new Set<string>();

  get(key: string): CachedItem | undefined {
    const e = this.entries.get(key);
    if (e) this.touched.add(key);
    return e;
  }

  set(item: CachedItem): void {
    this.entries.set(item.key, item);
    this.touched.add(item.key);
  }

  private wordSets = new Map<string, Set<string>>();
  private touchedWords = new Set<string>();

  words(text: string): Set<string> | undefined {
    const w = this.wordSets.get(text);
    if (w) this.touchedWords.add(text);
    return w;
  }

  setWords(text: string, words: Set<string>): void {
    this.wordSets.set(text, words);
    this.touchedWords.add(text);
  }

  /** Drops entries not used by the last lint (keeps memory bounded). */
  sweep(): void {
    for (const k of [...this.entries.keys()]) if (!this.touched.has(k)) this.entries.delete(k);
    for (const k of [...this.wordSets.keys()]) if (!this.touchedWords.has(k)) this.wordSets.delete(k);
    this.touched.clear();
    this.touchedWords.clear();
  }
}

interface TopItem {
  node: TsNode;
  start: number;
  end: number;
  type: string;
  /** Whether the item's text has an attention trigger word (tested at most once). */
  triggered?: boolean;
}

function pyTriggered(it: TopItem, itemText: string): boolean {
  return (it.triggered ??= PY_TRIGGER.test(itemText));
}

function topItems(doc: LintDocument): TopItem[] {
  const root = doc.tree.rootNode;
  const out: TopItem[] = [];
  const n = root.childCount;
  for (let i = 0; i < n; i++) {
    const c = root.child(i);
    if (!c) continue;
    out.push({ node: c, start: c.startIndex, end: c.endIndex, type: c.type });
  }
  return out;
}

/** Lints a document; `cache` makes repeated lints of an edited document fast. */
export function lintDocument(doc: LintDocument, config: LintConfig = {}, cache?: ItemCache): Finding[] {
  const raw = doc.language === 'python' ? lintPython(doc, cache) : lintTs(doc, cache);
  cache?.sweep();
  return finalize(doc, raw, config);
}

// -------------------------------------------------------------------------------------------
// Python

function lintPython(doc: LintDocument, cache?: ItemCache): RawFinding[] {
  const text = doc.text;
  const items = topItems(doc);
  const ctx = newPyFileContext(text);
  const fp16 = findFp16Evidence(doc);
  ctx.fp16 = fp16 ? { text: fp16 } : undefined;

  // Pass 1: imports, module functions and constants (the file context), converted cheaply.
  const converted = new Map<TopItem, SyntaxNode>();
  const convert = (it: TopItem): SyntaxNode => {
    let s = converted.get(it);
    if (!s) {
      s = convertSubtree(doc.tree, it.node, text);
      converted.set(it, s);
    }
    return s;
  };
  const importTexts: string[] = [];
  const helperTexts = new Map<string, string>();
  for (const it of items) {
    const kind = pyItemKind(it.type);
    const itemText = text.slice(it.start, it.end);
    if (kind === 'import') {
      importTexts.push(itemText);
      registerPyItem(ctx, convert(it));
    } else if (kind === 'function' && pyTriggered(it, itemText)) {
      // Registered by name; copied out of the tree only if another item calls it.
      const def = it.node.type === 'decorated_definition' ? it.node.childForFieldName('definition') : it.node;
      const nm = def?.childForFieldName('name')?.text;
      if (nm) {
        helperTexts.set(nm, itemText);
        ctx.functions.set(nm, () => definitionOf(convert(it)));
      }
    } else if (kind === 'statement' && it.type === 'expression_statement' && itemText.length < 400 && /^[A-Za-z_]\w*\s*=[^=]/.test(itemText)) {
      const nm = itemText.split('=')[0].trim();
      helperTexts.set(nm, itemText);
      ctx.constants.set(nm, () => assignedValue(convert(it)));
    } else if (kind === 'statement' && (it.type === 'if_statement' || it.type === 'try_statement') && /import/.test(itemText)) {
      registerPyItem(ctx, convert(it));
    }
  }
  // Cache keys are only needed when results are kept between lints (LintSession).
  const contextBase = cache ? hashText(`${importTexts.join('\n')}\u0000${fp16 ?? ''}`) : '';
  const helperHashes = new Map<string, string>();
  if (cache) for (const [name, t] of helperTexts) helperHashes.set(name, hashText(t));

  const findings: RawFinding[] = [];
  const summaries: ItemSummary[] = [];
  const moduleStatements: TopItem[] = [];
  for (const it of items) {
    const kind = pyItemKind(it.type);
    if (kind === 'import') continue;
    const itemText = text.slice(it.start, it.end);
    if (kind === 'statement') {
      if (it.type !== 'comment') moduleStatements.push(it);
      continue;
    }
    if (!pyTriggered(it, itemText)) continue;
    let key = '';
    if (cache) {
      // The item's result depends on its text and on the helpers/constants it names.
      key = `py\u0000${contextBase}\u0000${itemText}\u0000`;
      for (const name of identifiersIn(itemText, cache)) {
        const h = helperHashes.get(name);
        if (h && helperTexts.get(name) !== itemText) key += `${name}#${h},`;
      }
      const hit = cache.get(key);
      if (hit) {
        const shift = it.start - hit.start;
        findings.push(...hit.findings.map((f) => shiftFinding(f, shift)));
        summaries.push(shiftSummary(hit.summary, shift));
        continue;
      }
    }
    const node = convert(it);
    const { found, summary } = guarded(() => runPythonRules(ctx, node, text, fp16), { found: [] as RawFinding[], summary: { ropeTables: [], ropeRotations: [] } as ItemSummary });
    cache?.set({ key, start: it.start, findings: found, summary });
    findings.push(...found);
    summaries.push(summary);
  }

  // Module-level code (scripts, notebooks) is analysed as one pseudo-function.
  const relevant = moduleStatements.filter((it) => PY_TRIGGER.test(text.slice(it.start, it.end)));
  if (relevant.length) {
    const nodes = moduleStatements.map(convert);
    const module = new SyntaxNode('module', 0, text.length, true, null, text);
    for (const s of nodes) module.children.push(s);
    const facts = guarded(() => analyzePyStatements(ctx, module, nodes), []);
    const range = { start: nodes[0].start, end: nodes[nodes.length - 1].end };
    const found = applyRules((rule, report) => rule.python?.({ source: text, item: module, facts, file: ctx, fp16, report }), range, text);
    findings.push(...found);
    summaries.push(collectRopeConventions(module));
  }

  findings.push(...runFileRules(text, summaries));
  return findings;
}

function runPythonRules(ctx: ReturnType<typeof newPyFileContext>, node: SyntaxNode, text: string, fp16?: string): { found: RawFinding[]; summary: ItemSummary } {
  const facts = analyzePyItem(ctx, node);
  const found = applyRules(
    (rule, report) => {
      const rc: PyRuleContext = { source: text, item: node, facts, file: ctx, fp16, report };
      rule.python?.(rc);
    },
    { start: node.start, end: node.end },
    text,
  );
  return { found, summary: collectRopeConventions(node) };
}

// -------------------------------------------------------------------------------------------
// TypeScript / JavaScript

function lintTs(doc: LintDocument, cache?: ItemCache): RawFinding[] {
  const text = doc.text;
  const findings: RawFinding[] = [];
  let leading = '';
  for (const it of topItems(doc)) {
    const itemText = text.slice(it.start, it.end);
    if (it.type === 'comment') {
      leading += `${itemText}\n`;
      continue;
    }
    const comments = leading;
    leading = '';
    if (!TS_TRIGGER.test(itemText)) continue;
    const key = cache ? `ts\u0000${comments}\u0000${itemText}` : '';
    const hit = cache?.get(key);
    if (hit) {
      findings.push(...hit.findings.map((f) => shiftFinding(f, it.start - hit.start)));
      continue;
    }
    const node = convertSubtree(doc.tree, it.node, text);
    const facts = guarded(() => analyzeTsItem(node, comments), []);
    const found = applyRules(
      (rule, report) => {
        const rc: TsRuleContext = { source: text, item: node, facts, report };
        rule.typescript?.(rc);
      },
      { start: node.start, end: node.end },
      text,
    );
    cache?.set({ key, start: it.start, findings: found, summary: { ropeTables: [], ropeRotations: [] } });
    findings.push(...found);
  }
  return findings;
}

// -------------------------------------------------------------------------------------------
// Rules, suppressions, configuration

type Reporter = (node: SyntaxNode, message: string, options?: ReportOptions) => void;

function applyRules(run: (rule: Rule, report: Reporter) => void, range: { start: number; end: number }, text: string): RawFinding[] {
  const out: RawFinding[] = [];
  const seen = new Set<string>();
  for (const rule of RULES) {
    const report: Reporter = (node, message, options = {}) => {
      let target = node;
      if (node.start < range.start || node.end > range.end) {
        if (!options.anchor) return;
        target = options.anchor;
      }
      const fix = options.fix && fixInside(options.fix, range) ? options.fix : undefined;
      const key = `${rule.meta.code}:${target.start}:${target.end}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ code: rule.meta.code, start: target.start, end: target.end, message, severity: options.severity, fix });
    };
    try {
      run(rule, report);
    } catch (e) {
      // A rule must never take the linter down; report the crash in development builds only.
      if (process.env.ATTN_LINT_DEBUG) throw e;
    }
  }
  void text;
  return out;
}

function fixInside(fix: FixSpec, range: { start: number; end: number }): boolean {
  return fix.edits.every((e) => e.start >= range.start && e.end <= range.end);
}

function runFileRules(text: string, summaries: ItemSummary[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const rule of RULES) {
    if (!rule.file) continue;
    const ctx: FileRuleContext = {
      source: text,
      summaries,
      report: (start, end, message) => out.push({ code: rule.meta.code, start, end, message }),
    };
    rule.file(ctx);
  }
  return out;
}

function shiftFinding(f: RawFinding, d: number): RawFinding {
  if (d === 0) return f;
  return {
    ...f,
    start: f.start + d,
    end: f.end + d,
    fix: f.fix ? { ...f.fix, edits: f.fix.edits.map((e) => ({ ...e, start: e.start + d, end: e.end + d })) } : undefined,
  };
}

function shiftSummary(s: ItemSummary, d: number): ItemSummary {
  if (d === 0) return s;
  const sh = <T extends { start: number; end: number }>(x: T): T => ({ ...x, start: x.start + d, end: x.end + d });
  return { ropeTables: s.ropeTables.map(sh), ropeRotations: s.ropeRotations.map(sh) };
}

/**
 * Analysis must never take the editor down: an unexpected failure on one item (half-typed
 * code can be strange) drops that item's findings. ATTN_LINT_DEBUG=1 rethrows for development.
 */
function guarded<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch (e) {
    if (process.env.ATTN_LINT_DEBUG) throw e;
    return fallback;
  }
}

/** FNV-1a over UTF-16 code units: a compact cache-key part for long texts. */
function hashText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${(h >>> 0).toString(36)}.${s.length}`;
}

/** Identifier-like words of an item (memoised per item text in a session's cache). */
function identifiersIn(text: string, cache: ItemCache): Set<string> {
  const hit = cache.words(text);
  if (hit) return hit;
  const words = new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  cache.setWords(text, words);
  return words;
}

function finalize(doc: LintDocument, raw: RawFinding[], config: LintConfig): Finding[] {
  const suppressions = parseSuppressions(doc);
  const lines = doc.lineIndex;
  const out: Finding[] = [];
  for (const f of raw) {
    const rule = ruleByCode(f.code);
    if (!rule) continue;
    const severity = resolveSeverity(config, rule.meta, f.severity);
    if (severity === 'off') continue;
    const range = lines.range(f.start, f.end);
    if (isSuppressed(suppressions, f.code, range.line)) continue;
    out.push({
      code: f.code,
      name: rule.meta.name,
      severity,
      message: f.message,
      ...range,
      docPath: `docs/rules/${f.code}.md`,
      lesson: rule.meta.lesson,
      fix: f.fix
        ? { title: f.fix.title, edits: f.fix.edits.map((e) => ({ range: lines.range(e.start, e.end), newText: e.newText })) }
        : undefined,
    });
  }
  out.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
  return out;
}
