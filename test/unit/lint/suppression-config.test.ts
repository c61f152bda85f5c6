// Suppression comments and the rules configuration.
import { strict as assert } from 'node:assert';
import { initLinter, lintText, validateConfig, RULES } from '../../../src/lint/index';

const BAD = `import torch


def f(q, k, v):
    """q, k, v: (B, H, T, D)"""
    s = q @ k.transpose(-2, -1) * q.size(-1) ** -0.5
    w = torch.softmax(s, dim=1)
    return w @ v
`;

describe('lint suppressions and configuration', () => {
  before(async () => {
    await initLinter();
  });

  const codes = (text: string, lang = 'python', config = {}): string[] => lintText(text, lang, config).map((f) => `${f.line}:${f.code}:${f.severity}`);

  it('reports the unsuppressed finding', () => {
    assert.deepEqual(codes(BAD), ['6:ATTN003:error']);
  });

  it('honours disable= on the line and on the line before', () => {
    assert.deepEqual(codes(BAD.replace('dim=1)', 'dim=1)  # attn-lint: disable=ATTN003')), []);
    assert.deepEqual(codes(BAD.replace('    w = torch', '    # attn-lint: disable=ATTN003\n    w = torch')), []);
    // Another code does not suppress it.
    assert.deepEqual(codes(BAD.replace('dim=1)', 'dim=1)  # attn-lint: disable=ATTN005')), ['6:ATTN003:error']);
    // A bare disable suppresses every rule on that line.
    assert.deepEqual(codes(BAD.replace('dim=1)', 'dim=1)  # attn-lint: disable')), []);
  });

  it('honours disable-file= and ignores directives inside strings', () => {
    assert.deepEqual(codes(`# attn-lint: disable-file=ATTN003\n${BAD}`), []);
    assert.deepEqual(codes(BAD.replace('"""q, k, v: (B, H, T, D)"""', '"""q, k, v: (B, H, T, D) attn-lint: disable-file=ATTN003"""')), ['6:ATTN003:error']);
  });

  it('uses // comments in TypeScript', () => {
    const ts = `import * as tf from '@tensorflow/tfjs';\nexport function f(q: tf.Tensor2D, k: tf.Tensor2D) {\n  const s = tf.matMul(q, k, false, true).div(8);\n  return tf.softmax(s, 0);\n}\n`;
    assert.deepEqual(codes(ts, 'typescript'), ['3:ATTN003:error']);
    assert.deepEqual(codes(ts.replace('tf.softmax(s, 0);', 'tf.softmax(s, 0); // attn-lint: disable=ATTN003'), 'typescript'), []);
  });

  it('applies severities and off from the config, by code or name', () => {
    assert.deepEqual(codes(BAD, 'python', { rules: { ATTN003: 'off' } }), []);
    assert.deepEqual(codes(BAD, 'python', { rules: { ATTN003: 'info' } }), ['6:ATTN003:info']);
    assert.deepEqual(codes(BAD, 'python', { rules: { 'softmax-wrong-axis': 'warning' } }), ['6:ATTN003:warning']);
  });

  it('validates configuration objects', () => {
    const codeSet = new Set(RULES.map((r) => r.meta.code));
    const nameSet = new Set(RULES.map((r) => r.meta.name));
    assert.deepEqual(validateConfig({ rules: { ATTN001: 'off', 'triu-diagonal': 'error' } }, codeSet, nameSet), []);
    assert.equal(validateConfig({ rules: { ATTN999: 'off' } }, codeSet, nameSet).length, 1);
    assert.equal(validateConfig({ rules: { ATTN001: 'loud' } }, codeSet, nameSet).length, 1);
    assert.equal(validateConfig([], codeSet, nameSet).length, 1);
  });

  it('returns nothing for languages it does not lint', () => {
    assert.deepEqual(lintText(BAD, 'markdown'), []);
  });
});
