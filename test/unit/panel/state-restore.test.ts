import { strict as assert } from 'node:assert';
import { DEFAULT_UI, restoreUi } from '../../../webview/panel-state';

describe('panel UI state restore', () => {
  it('restores a saved state', () => {
    const saved = { ...DEFAULT_UI, view: 'detail', layer: 3, head: 5, token: 7, direction: 'receives', aggregate: 'layer', zoom: 4, runId: 9 };
    const ui = restoreUi(JSON.parse(JSON.stringify(saved)));
    assert.deepEqual(ui, saved);
  });
  it('falls back to defaults for missing or corrupt fields', () => {
    assert.deepEqual(restoreUi(undefined), DEFAULT_UI);
    const ui = restoreUi({ view: '<script>', layer: 'x', zoom: 1e9, direction: 'up', patternFilter: 'a'.repeat(500) });
    assert.equal(ui.view, DEFAULT_UI.view);
    assert.equal(ui.layer, DEFAULT_UI.layer);
    assert.equal(ui.zoom, 64);
    assert.equal(ui.direction, 'pays');
    assert.equal(ui.patternFilter.length, 40);
  });
});
