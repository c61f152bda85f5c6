// Incremental linting of one open document: keeps the parse tree and the per-item cache
// between edits, so a one-character edit re-parses incrementally and re-analyses only the
// top-level definition that changed.
import { LintDocument, OffsetChange } from './document';
import { ItemCache, lintDocument } from './linter';
import type { Finding, LintConfig, LintLanguage } from './types';

export class LintSession {
  private doc: LintDocument;
  private readonly cache = new ItemCache();

  constructor(text: string, readonly language: LintLanguage) {
    this.doc = LintDocument.parse(text, language);
  }

  get text(): string {
    return this.doc.text;
  }

  /** Applies edits (offsets against the current text, in order) and re-parses incrementally. */
  applyChanges(changes: OffsetChange[]): void {
    this.doc.applyChanges(changes);
  }

  /** Replaces the whole text. */
  setText(text: string): void {
    this.doc.reset(text);
  }

  lint(config: LintConfig = {}): Finding[] {
    return lintDocument(this.doc, config, this.cache);
  }

  /** The current tree as an S-expression (tests compare incremental and fresh parses). */
  treeString(): string {
    return this.doc.tree.rootNode.toString();
  }

  dispose(): void {
    this.doc.dispose();
  }
}
