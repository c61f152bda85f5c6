// A parsed source document: the text, its tree-sitter tree and a line index. Edits are
// applied incrementally: the old tree is told about the edit (tree.edit) and the parser
// reuses its unchanged parts (parse(newText, oldTree)).
import { LineIndex } from './analysis/line-index';
import { TsTree, parseText } from './parser/tree-sitter-runtime';
import type { LintLanguage } from './types';

/** A replacement of [start, end) (UTF-16 offsets into the current text) by `text`. */
export interface OffsetChange {
  start: number;
  end: number;
  text: string;
}

export class LintDocument {
  private treeValue: TsTree;
  private lines: LineIndex;

  private constructor(
    readonly language: LintLanguage,
    private textValue: string,
    tree: TsTree,
  ) {
    this.treeValue = tree;
    this.lines = new LineIndex(textValue);
  }

  static parse(text: string, language: LintLanguage): LintDocument {
    return new LintDocument(language, text, parseText(language, text));
  }

  get text(): string {
    return this.textValue;
  }
  get tree(): TsTree {
    return this.treeValue;
  }
  get lineIndex(): LineIndex {
    return this.lines;
  }

  /**
   * Applies changes given against the current text, in order (each against the text left by
   * the previous one, as VS Code reports them), then re-parses incrementally once.
   */
  applyChanges(changes: OffsetChange[]): void {
    if (changes.length === 0) return;
    let text = this.textValue;
    let lines = this.lines;
    for (const c of changes) {
      const startPosition = toPoint(lines.position(c.start));
      const oldEndPosition = toPoint(lines.position(c.end));
      const newText = text.slice(0, c.start) + c.text + text.slice(c.end);
      const newEnd = c.start + c.text.length;
      lines = new LineIndex(newText);
      const newEndPosition = toPoint(lines.position(newEnd));
      this.treeValue.edit({ startIndex: c.start, oldEndIndex: c.end, newEndIndex: newEnd, startPosition, oldEndPosition, newEndPosition });
      text = newText;
    }
    const old = this.treeValue;
    this.treeValue = parseText(this.language, text, old);
    old.delete();
    this.textValue = text;
    this.lines = lines;
  }

  /** Replaces the whole text (a fresh parse). */
  reset(text: string): void {
    const old = this.treeValue;
    this.treeValue = parseText(this.language, text);
    old.delete();
    this.textValue = text;
    this.lines = new LineIndex(text);
  }

  dispose(): void {
    this.treeValue.delete();
  }
}

function toPoint(p: { line: number; column: number }): { row: number; column: number } {
  return { row: p.line, column: p.column };
}
