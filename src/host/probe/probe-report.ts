// A probe result as the webview's report (plain data: no vscode, so it is unit-tested).
import { basename } from 'node:path';
import type { ProbeResult } from '../../lint/probe';
import type { ProbeReport } from '../../protocol/probe-messages';

export function toReport(result: ProbeResult, file: string, runId: number): ProbeReport {
  return {
    runId,
    functionName: result.function,
    fileLabel: basename(file),
    language: result.language,
    layout: result.layout,
    framework: result.framework,
    causal: result.causal,
    shapes: result.shapes,
    checks: result.checks.map((c) => ({ id: c.id, status: c.status, message: c.message })),
    userWeights: result.userWeights,
    referenceWeights: result.referenceWeights,
    violatingCells: result.violatingCells?.map((c) => ({ query: c.query, key: c.key })),
    error: result.error,
    notes: result.notes,
    elapsedMs: result.elapsedMs,
  };
}
