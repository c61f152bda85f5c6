import { strict as assert } from 'node:assert';
import { validatePanelMessage } from '../../../src/protocol/validate-panel-message';

describe('panel → host message validation', () => {
  it('accepts well-formed requests', () => {
    assert.deepEqual(validatePanelMessage({ type: 'head/request', requestId: 3, runId: 1, layer: 2, head: 5, precision: 'u8' }), {
      type: 'head/request', requestId: 3, runId: 1, layer: 2, head: 5, precision: 'u8',
    });
    const tokenRequest = { type: 'token/request', requestId: 1, runId: 1, token: 4, direction: 'receives', selection: { kind: 'layer', layer: 0 } };
    assert.deepEqual(validatePanelMessage(tokenRequest), tokenRequest);
    assert.deepEqual(validatePanelMessage({ type: 'token/hover', runId: 1, token: null }), { type: 'token/hover', runId: 1, token: null });
  });

  it('drops extra fields so nothing unchecked reaches the host', () => {
    const m = validatePanelMessage({ type: 'token/reveal', runId: 1, token: 2, evil: 'x' });
    assert.deepEqual(m, { type: 'token/reveal', runId: 1, token: 2 });
  });

  it('rejects malformed or hostile messages with a reason', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'head/request', requestId: 1, runId: 1, layer: -1, head: 0, precision: 'u8' },
      { type: 'head/request', requestId: 1, runId: 1, layer: 1.5, head: 0, precision: 'u8' },
      { type: 'head/request', requestId: 1, runId: 1, layer: 0, head: 0, precision: 'f64' },
      { type: 'token/request', requestId: 1, runId: 1, token: 0, direction: 'sideways', selection: { kind: 'all' } },
      { type: 'token/request', requestId: 1, runId: 1, token: 0, direction: 'pays', selection: { kind: 'head', layer: 0 } },
      { type: 'export/weights', runId: 1, format: 'exe', layer: 0 },
      { type: 'export/png', runId: 1, name: '../../etc/passwd', png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
      { type: 'export/png', runId: 1, name: 'a.png', png: new Uint8Array([1, 2, 3, 4]) },
      { type: 'export/png', runId: 1, name: 'a.png', png: [0x89, 0x50, 0x4e, 0x47] },
    ];
    for (const m of bad) assert.equal(typeof validatePanelMessage(m), 'string', JSON.stringify(m));
  });
});
