// What to inspect: the editor selection (or the current line when nothing is selected),
// or a whole text file from the explorer. Rejects empty and binary input with a message
// that says what to do instead.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InspectedSource } from './editor-link';

export interface InspectionText {
  text: string;
  source?: InspectedSource;
  label: string;
}

/** Inputs larger than this are refused before tokenizing (the token limit applies after). */
export const MAX_INPUT_CHARS = 2_000_000;

export function textFromEditor(editor: vscode.TextEditor): InspectionText | string {
  const doc = editor.document;
  let range: vscode.Range = editor.selection;
  if (editor.selection.isEmpty) range = doc.lineAt(editor.selection.active.line).range;
  const text = doc.getText(range);
  const name = path.basename(doc.uri.path) || doc.uri.toString();
  const label = range.isSingleLine ? `${name}:${range.start.line + 1}` : `${name}:${range.start.line + 1}-${range.end.line + 1}`;
  const problem = checkText(text, editor.selection.isEmpty ? 'The current line is empty' : 'The selection is empty');
  if (problem) return problem;
  return { text, label, source: { uri: doc.uri, baseOffset: doc.offsetAt(range.start), length: text.length, version: doc.version } };
}

export async function textFromFile(uri: vscode.Uri): Promise<InspectionText | string> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.type & vscode.FileType.Directory) return 'Inspect Attention works on a text file, not a folder.';
  if (stat.size > MAX_INPUT_CHARS * 4) return `${path.basename(uri.path)} is ${(stat.size / 1e6).toFixed(1)} MB: select a part of it in the editor instead.`;
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.subarray(0, 8000).includes(0)) return `${path.basename(uri.path)} looks like a binary file; Inspect Attention needs text.`;
  const text = new TextDecoder('utf-8').decode(bytes);
  const problem = checkText(text, `${path.basename(uri.path)} is empty`);
  if (problem) return problem;
  const doc = await vscode.workspace.openTextDocument(uri);
  return { text: doc.getText(), label: path.basename(uri.path), source: { uri, baseOffset: 0, length: doc.getText().length, version: doc.version } };
}

function checkText(text: string, emptyMessage: string): string | undefined {
  if (text.trim().length === 0) return `${emptyMessage}: select some text to inspect.`;
  if (text.includes('\u0000')) return 'The text contains NUL characters (binary data?); Inspect Attention needs text.';
  if (text.length > MAX_INPUT_CHARS) return `The text has ${text.length.toLocaleString()} characters; select at most ${MAX_INPUT_CHARS.toLocaleString()}.`;
  return undefined;
}
