// Typed access to the extension's settings (declared with descriptions in package.json).
import * as vscode from 'vscode';
import type { BackendKind, ExecutionProviderPreference } from '../engine/engine-api';

export interface InspectorConfig {
  modelPath: string;
  backend: BackendKind;
  executionProvider: ExecutionProviderPreference;
  maxTokens: number;
  memoryBudgetMB: number;
  engineThreads: number;
  engineMemoryLimitMB: number;
}

const PROVIDERS: ExecutionProviderPreference[] = ['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml'];

export function readConfig(): InspectorConfig {
  const c = vscode.workspace.getConfiguration('attentionInspector');
  const provider = c.get<string>('executionProvider', 'auto');
  return {
    modelPath: c.get<string>('modelPath', '').trim(),
    backend: c.get<string>('backend', 'onnx') === 'reference' ? 'reference' : 'onnx',
    executionProvider: PROVIDERS.includes(provider as ExecutionProviderPreference) ? (provider as ExecutionProviderPreference) : 'auto',
    maxTokens: Math.max(1, c.get<number>('maxTokens', 4096)),
    memoryBudgetMB: Math.max(64, c.get<number>('memoryBudgetMB', 512)),
    engineThreads: Math.max(0, c.get<number>('engine.threads', 0)),
    engineMemoryLimitMB: Math.max(256, c.get<number>('engine.memoryLimitMB', 4096)),
  };
}
