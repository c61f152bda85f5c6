// Two-way link between the panel and the editor the text came from: a token hovered or
// clicked in the panel is highlighted (or selected) in the editor, and moving the editor
// selection inside the inspected range highlights the matching tokens in the panel.
import * as vscode from 'vscode';

export interface InspectedSource {
  uri: vscode.Uri;
  /** Document offset of the inspected text's first character. */
  baseOffset: number;
  /** Length of the inspected text in UTF-16 units. */
  length: number;
  /** Document version the offsets refer to; edits after it make spans stale. */
  version: number;
}

const hoverDecoration = vscode.window.createTextEditorDecorationType({
  backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
  border: '1px solid',
  borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
  borderRadius: '2px',
});

function editorFor(source: InspectedSource): vscode.TextEditor | undefined {
  return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === source.uri.toString());
}

function rangeOf(doc: vscode.TextDocument, source: InspectedSource, start: number, end: number): vscode.Range {
  return new vscode.Range(doc.positionAt(source.baseOffset + start), doc.positionAt(source.baseOffset + end));
}

export function highlightSpan(source: InspectedSource, span: { start: number; end: number } | null): void {
  const editor = editorFor(source);
  if (!editor) return;
  if (!span || editor.document.version !== source.version) {
    editor.setDecorations(hoverDecoration, []);
    return;
  }
  editor.setDecorations(hoverDecoration, [rangeOf(editor.document, source, span.start, span.end)]);
}

export async function revealSpan(source: InspectedSource, span: { start: number; end: number }): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(source.uri);
  if (doc.version !== source.version) {
    void vscode.window.showInformationMessage('The document changed since it was inspected; run Inspect Attention again to relink tokens.');
    return;
  }
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: true, preview: false });
  const range = rangeOf(doc, source, span.start, span.end);
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  editor.setDecorations(hoverDecoration, [range]);
}

/** Calls `onChange` with the selection in inspected-text offsets whenever it moves inside the source. */
export function watchSelection(getSource: () => InspectedSource | undefined, onChange: (start: number, end: number) => void): vscode.Disposable {
  return vscode.window.onDidChangeTextEditorSelection((e) => {
    const source = getSource();
    if (!source || e.textEditor.document.uri.toString() !== source.uri.toString()) return;
    if (e.textEditor.document.version !== source.version) return;
    const sel = e.selections[0];
    const doc = e.textEditor.document;
    const start = doc.offsetAt(sel.start) - source.baseOffset;
    const end = doc.offsetAt(sel.end) - source.baseOffset;
    if (end < 0 || start > source.length) return;
    onChange(Math.max(0, start), Math.min(source.length, Math.max(end, start + 1)));
  });
}

export function clearHighlights(): void {
  for (const e of vscode.window.visibleTextEditors) e.setDecorations(hoverDecoration, []);
}
