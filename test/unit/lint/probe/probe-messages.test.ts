// The probe panel's protocol: a real probe result becomes a report that passes the guards;
// malformed or foreign messages are rejected on both sides.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { toReport } from '../../../../src/host/probe/probe-report';
import { probeFile } from '../../../../src/lint/probe';
import { isHostToProbe, isProbeReport, isProbeToHost, type ProbeReport } from '../../../../src/protocol/probe-messages';

const fixture = (name: string) => join(__dirname, '..', '..', '..', 'fixtures', 'probe', name);

describe('probe panel protocol', () => {
  let report: ProbeReport;
  before(async () => {
    const result = await probeFile(fixture('attention.ts'), 'leakyCausalAttention', { timeoutSeconds: 120 });
    report = toReport(result, fixture('attention.ts'), 3);
  });

  it('a real probe result becomes a valid report (file name only, no path)', () => {
    assert.ok(isProbeReport(report));
    assert.equal(report.fileLabel, 'attention.ts');
    assert.ok(report.userWeights && report.referenceWeights && report.violatingCells?.length);
    assert.ok(isHostToProbe({ type: 'probe/result', report }));
    // what postMessage's structured clone keeps also survives JSON here (no NaN in this one)
    assert.ok(isProbeReport(JSON.parse(JSON.stringify(report))));
  });

  it('rejects reports with inconsistent or oversized parts', () => {
    const bad = (patch: Record<string, unknown>) => isProbeReport({ ...report, ...patch });
    assert.equal(bad({ runId: -1 }), false);
    assert.equal(bad({ language: 'rust' }), false);
    assert.equal(bad({ checks: [{ id: 'made-up', status: 'pass', message: '' }] }), false);
    assert.equal(bad({ checks: [{ id: 'scale', status: 'maybe', message: '' }] }), false);
    assert.equal(bad({ userWeights: { ...report.userWeights, data: [1, 2, 3] } }), false);
    assert.equal(bad({ userWeights: { rows: 5000, cols: 5000, data: [], source: 'returned', head: 0 } }), false);
    assert.equal(bad({ violatingCells: [{ query: 'a', key: 1 }] }), false);
    assert.equal(bad({ error: { kind: 'timeout' } }), false);
    assert.equal(isProbeReport(null), false);
  });

  it('accepts NaN weights: a NaN row is the bug the panel must show', () => {
    const nan = { ...report, userWeights: { rows: 1, cols: 2, data: [NaN, NaN], source: 'recovered', head: 0 } };
    assert.ok(isProbeReport(nan));
  });

  it('accepts exactly the webview-to-host messages it expects', () => {
    assert.ok(isProbeToHost({ type: 'probe/ready' }));
    assert.ok(isProbeToHost({ type: 'probe/rerun', runId: 3 }));
    assert.ok(isProbeToHost({ type: 'probe/reveal', runId: 3 }));
    assert.equal(isProbeToHost({ type: 'probe/rerun' }), false);
    assert.equal(isProbeToHost({ type: 'probe/rerun', runId: 3, path: '/etc/passwd' }), false);
    assert.equal(isProbeToHost({ type: 'probe/run-shell', runId: 1 }), false);
    assert.equal(isProbeToHost('probe/ready'), false);
    assert.equal(isHostToProbe({ type: 'probe/running', runId: 1, functionName: 'f' }), true);
    assert.equal(isHostToProbe({ type: 'probe/running', runId: 1 }), false);
  });
});
