// Which Python runs the probe:
//   1. attentionInspector.probe.pythonPath, when the user set it explicitly (user or workspace);
//   2. else the Python extension's active environment for the file (ms-python.python API:
//      exports.environments.getActiveEnvironmentPath / resolveEnvironment);
//   3. else `python3` (`python` on Windows).
// An explicit setting wins over the Python extension: someone who typed a path means it.
import * as vscode from 'vscode';

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri: vscode.Uri | undefined };
}

/** The part of the Python extension's public API the probe uses. */
interface PythonExtensionApi {
  readonly ready?: Promise<void>;
  readonly environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  };
}

export interface ResolvedInterpreter {
  path: string;
  source: 'setting' | 'python-extension' | 'default';
}

function substituteVariables(value: string, resource: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(resource) ?? vscode.workspace.workspaceFolders?.[0];
  return value.replace(/\$\{workspaceFolder\}/g, folder?.uri.fsPath ?? '').replace(/\$\{userHome\}/g, process.env.HOME ?? process.env.USERPROFILE ?? '');
}

async function fromPythonExtension(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    await api?.ready;
    const environments = api?.environments;
    if (!environments) return undefined;
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined; // an older or broken Python extension: fall back to the setting
  }
}

export async function resolvePythonInterpreter(resource: vscode.Uri): Promise<ResolvedInterpreter> {
  const config = vscode.workspace.getConfiguration('attentionInspector.probe', resource);
  const inspected = config.inspect<string>('pythonPath');
  const explicit = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  if (explicit && explicit.trim()) return { path: substituteVariables(explicit.trim(), resource), source: 'setting' };
  const fromExtension = await fromPythonExtension(resource);
  if (fromExtension) return { path: fromExtension, source: 'python-extension' };
  return { path: process.platform === 'win32' ? 'python' : 'python3', source: 'default' };
}
