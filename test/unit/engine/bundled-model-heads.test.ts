// The bundled model must show the heads the panel teaches with: on a repeated sequence of
// random words, the engine's own analysis labels at least one induction head, one
// previous-token head and one sink head (issue: "if the trained model has none, the recipe is
// not done").
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { EngineEvent } from '../../../src/engine/engine-api';
import { createInProcessEngine } from '../../../src/engine/inspect';

const BUNDLED = join(__dirname, '..', '..', '..', 'media', 'models', 'mini-code');

/** 60 words drawn with a fixed seed from a list, then the same 60 again. */
function repeatedWords(): string {
  const words = 'river stone blue quickly seven under paper garden window market silver orange button forest candle rocket pencil winter thunder marble ladder copper violin harbor lemon tiger castle planet mirror basket'.split(' ');
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const half = Array.from({ length: 60 }, () => words[Math.floor(next() * words.length)]).join(' ');
  return `${half} ${half}`;
}

describe('bundled model: head patterns', () => {
  it('has induction, previous-token and sink heads on a repeated sequence', async () => {
    const engine = createInProcessEngine('onnx');
    const labels: string[] = [];
    // the engine's own analysis, as the panel and the CLI receive it
    await engine.inspect({ runId: 1, text: repeatedWords(), modelDir: BUNDLED, backend: 'onnx', executionProvider: 'cpu', maxTokens: 512, analyze: true }, (e: EngineEvent) => {
      if (e.type === 'analysis') labels.push(...e.heads.map((p) => `${p.label}@L${p.layer}H${p.head}`));
      if (e.type === 'error') assert.fail(e.message);
    });
    await engine.dispose();
    for (const want of ['induction', 'previous-token', 'sink']) {
      assert.ok(labels.some((l) => l.startsWith(`${want}@`)), `no ${want} head among ${labels.join(', ')}`);
    }
  });
});
