// The extension as VS Code sees it: found by id, activates without error, and registers every
// command its package.json contributes, through the real `vscode` API.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

interface Manifest {
  name: string;
  publisher: string;
  contributes?: { commands?: Array<{ command: string }> };
}

const EXTENSION_ID = 'attention-inspector.attention-inspector';

describe('extension', () => {
  let extension: vscode.Extension<unknown>;
  let manifest: Manifest;

  before(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is loaded (extensions: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ')})`);
    extension = found;
    manifest = extension.packageJSON as Manifest;
  });

  it('is the package this repository builds', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.ok(extension.extensionUri.path.length > 0);
  });

  it('runs in the Node extension host (not a web worker)', () => {
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
    assert.equal(typeof process.versions.node, 'string', 'the suite itself runs in Node');
  });

  it('activates without throwing', async () => {
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command package.json contributes', async () => {
    await extension.activate();
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
