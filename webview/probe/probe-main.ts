// Entry of the "Probe results" webview bundle (dist/webview/probe.js): says "ready", then
// draws every validated report the host sends. Messages that fail validation are dropped.
import './probe.css';
import { isHostToProbe, type ProbeToHost } from '../../src/protocol/probe-messages';
import { renderReport, renderRunning } from './probe-view';

interface VsCodeApi {
  postMessage(message: ProbeToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('probe-app');
if (root && typeof acquireVsCodeApi === 'function') {
  const api = acquireVsCodeApi();
  let runId = 0;
  window.addEventListener('message', (event: MessageEvent) => {
    const message: unknown = event.data;
    if (!isHostToProbe(message)) return;
    if (message.type === 'probe/running') {
      runId = message.runId;
      renderRunning(root, message.functionName);
    } else {
      if (message.report.runId < runId) return; // a late report of an older run
      runId = message.report.runId;
      renderReport(root, message.report, {
        rerun: () => api.postMessage({ type: 'probe/rerun', runId }),
        reveal: () => api.postMessage({ type: 'probe/reveal', runId }),
      });
    }
  });
  api.postMessage({ type: 'probe/ready' });
}
