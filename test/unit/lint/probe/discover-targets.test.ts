import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverProbeTargets, probeLanguageOf } from '../../../../src/lint/probe';

const fixtures = join(__dirname, '..', '..', '..', 'fixtures', 'probe');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');

describe('probe discovery', () => {
  it('finds the NumPy kernels (q, k, v) with their ranges and docstring shapes', async () => {
    const targets = await discoverProbeTargets(read('numpy_attention.py'), 'python');
    assert.deepEqual(
      targets.map((t) => [t.name, t.kind, t.style]),
      [
        ['causal_attention', 'function', 'qkv'],
        ['leaky_attention', 'function', 'qkv'],
        ['wrong_axis_attention', 'function', 'qkv'],
        ['unscaled_attention', 'function', 'qkv'],
      ],
    );
    const causal = targets[0];
    assert.deepEqual(
      causal.parameters.map((p) => p.name),
      ['q', 'k', 'v'],
    );
    // `def causal_attention` is on line 12 (0-based 11); the name starts after "def "
    assert.equal(causal.range.line, 11);
    assert.deepEqual(causal.nameRange, { line: 11, column: 4, endLine: 11, endColumn: 20 });
    assert.match(causal.docText, /\(B, H, T, D\)/);
    // the private helper _softmax(x, axis) is not attention
    assert.ok(!targets.some((t) => t.name === '_softmax'));
  });

  it('finds nn.Module classes through forward(self, x) and their constructor parameters', async () => {
    const targets = await discoverProbeTargets(read('torch_modules.py'), 'python');
    const names = targets.map((t) => `${t.name}:${t.kind}:${t.style}`);
    assert.deepEqual(names, [
      'CausalSelfAttention:module:x',
      'LeakyCausalSelfAttention:module:x',
      'WrongAxisSelfAttention:module:x',
      'DropoutAtInferenceAttention:module:x',
      'sdpa_attention:function:qkv',
      'MultiHeadedAttention:module:qkv',
    ]);
    const first = targets[0];
    assert.deepEqual(
      first.parameters.map((p) => p.name),
      ['x'],
    );
    assert.deepEqual(
      first.constructorParameters?.map((p) => [p.name, p.hasDefault]),
      [
        ['d_model', false],
        ['n_heads', false],
        ['block_size', true],
        ['dropout', true],
      ],
    );
    const sdpa = targets[4];
    assert.deepEqual(
      sdpa.parameters.map((p) => [p.name, p.defaultText ?? null]),
      [
        ['q', null],
        ['k', null],
        ['v', null],
        ['attn_mask', 'None'],
        ['is_causal', 'False'],
      ],
    );
  });

  it('ignores functions and classes that do not look like attention', async () => {
    const source = [
      'import torch.nn as nn',
      'def add(a, b):',
      '    return a + b',
      'def mlp(x, w):',
      '    return x @ w',
      'class MLP(nn.Module):',
      '    def forward(self, x):',
      '        return self.fc(x)',
      'class Head(nn.Module):',
      '    def forward(self, x):',
      '        return self.softmax(x)',
      '',
    ].join('\n');
    const targets = await discoverProbeTargets(source, 'python');
    assert.deepEqual(
      targets.map((t) => t.name),
      ['Head'],
    );
  });

  it('finds exported TypeScript functions with their parameter types', async () => {
    const targets = await discoverProbeTargets(read('attention.ts'), 'typescript');
    assert.deepEqual(
      targets.map((t) => [t.name, t.exportName, t.style]),
      [
        ['causalAttention', 'causalAttention', 'qkv'],
        ['leakyCausalAttention', 'leakyCausalAttention', 'qkv'],
      ],
    );
    assert.equal(targets[0].parameters[0].typeText, 'number[][]');
  });

  it('finds CommonJS exports with JSDoc types and skips unexported functions', async () => {
    const targets = await discoverProbeTargets(read('flat-attention.js'), 'flat-attention.js');
    assert.deepEqual(
      targets.map((t) => t.name),
      ['attention', 'spinningAttention'],
    );
    assert.equal(targets[0].language, 'javascript');
    assert.equal(targets[0].parameters[0].typeText, 'Float32Array');
    const hidden = await discoverProbeTargets('function attention(q, k, v) { return q; }\n', 'javascript');
    assert.deepEqual(hidden, []);
  });

  it('recognises default exports, arrow functions and export lists', async () => {
    const source = [
      'export default function attend(q, k, v) { return q; }',
      'export const sdpa = (query, key, value, mask) => query;',
      'function selfAttention(x) { return x; }',
      'export { selfAttention as attentionOfX };',
      '',
    ].join('\n');
    const targets = await discoverProbeTargets(source, 'typescript');
    assert.deepEqual(
      targets.map((t) => [t.name, t.exportName, t.style]),
      [
        ['attend', 'default', 'qkv'],
        ['sdpa', 'sdpa', 'qkv'],
        ['selfAttention', 'attentionOfX', 'x'],
      ],
    );
  });

  it('maps language ids and file names to probe languages', () => {
    assert.equal(probeLanguageOf('python'), 'python');
    assert.equal(probeLanguageOf('/a/b/model.py'), 'python');
    assert.equal(probeLanguageOf('typescriptreact'), 'typescript');
    assert.equal(probeLanguageOf('x.mjs'), 'javascript');
    assert.equal(probeLanguageOf('rust'), undefined);
  });
});
