// One output channel for the extension ("Attention Inspector" in the Output view).
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Attention Inspector', { log: true });
  return channel;
}
