// Worker-thread entry (dist/analysis-worker.js): runs the head-pattern analysis and masking
// checks of one layer off the extension host's main thread. At 4,096 tokens one layer takes
// seconds; on the main thread that would freeze every extension in the host.
import { parentPort } from 'node:worker_threads';
import { analyzeStreamedLayer } from './layer-analysis';
import type { AnalysisJob, AnalysisReply } from './layer-analysis-worker';

parentPort?.on('message', (job: AnalysisJob) => {
  let reply: AnalysisReply;
  try {
    reply = { id: job.id, analysis: analyzeStreamedLayer(job.attention, job.tokens, job.causal) };
  } catch (e) {
    reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
