// Hover over a flagged range: what the rule means, the rule's documentation and the tutorial
// lesson that explains the underlying idea (a trusted command link to the lesson).
import * as vscode from 'vscode';
import { ruleByCode } from '../../lint/index';
import { LintDiagnostics, findingRange } from './lint-diagnostics';

const LESSON_TITLES: Record<string, string> = {
  'sdpa-steps': 'Scaled dot-product attention, step by step',
  'why-sqrt-dk': 'Why divide by √d_k',
  'causal-masking': 'Causal masking',
  'self-vs-cross': 'Self- vs cross-attention',
  'multi-head': 'Multi-head attention',
  'mha-mqa-gqa': 'MHA, MQA and GQA',
  'sparse-attention': 'Sparse and local attention',
  'flash-attention': 'FlashAttention',
  positions: 'Positions',
  'before-transformers': 'Before transformers',
  complexity: 'Complexity',
};

export class LintHover implements vscode.HoverProvider {
  constructor(
    private readonly diagnostics: LintDiagnostics,
    private readonly extensionUri: vscode.Uri,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const hits = this.diagnostics.findingsFor(document.uri).filter((f) => findingRange(f).contains(position));
    if (hits.length === 0) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['attentionInspector.openLesson'] };
    for (const f of hits) {
      const rule = ruleByCode(f.code);
      const doc = vscode.Uri.joinPath(this.extensionUri, ...f.docPath.split('/'));
      md.appendMarkdown(`**${f.code} ${f.name}** — ${escape(f.message)}\n\n`);
      if (rule) md.appendMarkdown(`${escape(rule.meta.summary)}\n\n`);
      const links = [`[Rule documentation](${doc.toString()})`];
      if (f.lesson) {
        const args = encodeURIComponent(JSON.stringify([f.lesson]));
        links.push(`[$(book) Lesson: ${LESSON_TITLES[f.lesson] ?? f.lesson}](command:attentionInspector.openLesson?${args})`);
      }
      md.appendMarkdown(`${links.join(' · ')}\n\n`);
    }
    return new vscode.Hover(md, findingRange(hits[0]));
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
}
