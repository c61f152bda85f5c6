// SARIF 2.1.0 output for attention-lint (GitHub code scanning reads runs[].results with
// ruleId, level, message and a physical location relative to %SRCROOT%).
import { pathToFileURL } from 'node:url';
import { RULES } from '../lint/index';
import type { Severity } from '../lint/index';

export interface SarifFinding {
  /** Path relative to the root, with forward slashes. */
  file: string;
  code: string;
  severity: Severity;
  message: string;
  /** 1-based region in the file as stored on disk; columns omitted when unknown (notebooks). */
  startLine: number;
  startColumn?: number;
  endLine: number;
  endColumn?: number;
  fix?: { title: string; edits: { startLine: number; startColumn: number; endLine: number; endColumn: number; newText: string }[] };
}

function level(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'info' ? 'note' : s;
}

export function buildSarif(findings: SarifFinding[], rootDir: string, version: string): object {
  const ruleIndex = new Map(RULES.map((r, i) => [r.meta.code, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'attention-lint',
            version,
            semanticVersion: version,
            rules: RULES.map((r) => ({
              id: r.meta.code,
              name: r.meta.name,
              shortDescription: { text: r.meta.summary },
              fullDescription: { text: `${r.meta.summary} See docs/rules/${r.meta.code}.md.` },
              help: { text: `${r.meta.summary} Documentation: docs/rules/${r.meta.code}.md. Silence with "# attn-lint: disable=${r.meta.code}".` },
              defaultConfiguration: { level: level(r.meta.severity) },
              properties: { tags: ['attention', 'correctness'], precision: 'high' },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(rootDir.endsWith('/') ? rootDir : `${rootDir}/`).href } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => {
          const region: Record<string, number> = { startLine: f.startLine, endLine: f.endLine };
          if (f.startColumn !== undefined) region.startColumn = f.startColumn;
          if (f.endColumn !== undefined) region.endColumn = f.endColumn;
          const artifactLocation = { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' };
          const result: Record<string, unknown> = {
            ruleId: f.code,
            ruleIndex: ruleIndex.get(f.code),
            level: level(f.severity),
            message: { text: f.message },
            locations: [{ physicalLocation: { artifactLocation, region } }],
          };
          if (f.fix) {
            result.fixes = [
              {
                description: { text: f.fix.title },
                artifactChanges: [
                  {
                    artifactLocation,
                    replacements: f.fix.edits.map((e) => ({
                      deletedRegion: { startLine: e.startLine, startColumn: e.startColumn, endLine: e.endLine, endColumn: e.endColumn },
                      insertedContent: { text: e.newText },
                    })),
                  },
                ],
              },
            ];
          }
          return result;
        }),
      },
    ],
  };
}
