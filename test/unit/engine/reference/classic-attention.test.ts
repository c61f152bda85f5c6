import { strict as assert } from 'node:assert';
import { additiveAttention, projectEncoderStates } from '../../../../src/engine/reference/additive-attention';
import { luongScores, multiplicativeAttention } from '../../../../src/engine/reference/multiplicative-attention';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

// Encoder states shared by the hand-computed cases: h0 = [1, 0], h1 = [0, 1], h2 = [1, 1]
const H = tensor([1, 0, 0, 1, 1, 1], [3, 2]);

describe('reference: classic (pre-Transformer) attention', () => {
  describe('Bahdanau additive attention (previous decoder state)', () => {
    it('hand-computed scores, weights and context', () => {
      // s_{t−1} = [1, 0], W_s = I, W_h = [[1, 0], [0, −1]], v = [1, 1]
      //   W_s s = [1, 0];  W_h h = [1, 0], [0, −1], [1, −1]
      //   e0 = tanh 2 + tanh 0 = 0.96402758, e1 = tanh 1 + tanh(−1) = 0, e2 = tanh 2 − tanh 1 = 0.20243342
      //   α = softmax(e) = [0.54104493, 0.20632957, 0.25262550]
      //   c = α0·h0 + α1·h1 + α2·h2 = [α0 + α2, α1 + α2] = [0.79367043, 0.45895507]
      const step = additiveAttention(tensor([1, 0], [2]), H, {
        decoderWeight: tensor([1, 0, 0, 1], [2, 2]),
        encoderWeight: tensor([1, 0, 0, -1], [2, 2]),
        scoreVector: tensor([1, 1], [2]),
      });
      assertClose(step.scores, [0.96402758, 0, 0.20243342], 1e-7);
      assertClose(step.weights, [0.54104493, 0.20632957, 0.2526255], 1e-7);
      assertClose(step.context, [0.79367043, 0.45895507], 1e-7);
    });

    it('the encoder projection W_h·h_j is step-independent and precomputable', () => {
      const proj = projectEncoderStates(H, tensor([1, 0, 0, -1], [2, 2]));
      assert.deepEqual(Array.from(proj), [1, 0, 0, -1, 1, -1]);
    });

    it('different previous states give different alignments over the same encoder states', () => {
      const params = { decoderWeight: tensor([2, 0, 0, 2], [2, 2]), encoderWeight: tensor([1, 0, 0, 1], [2, 2]), scoreVector: tensor([1, 1], [2]) };
      const a = additiveAttention(tensor([1, -1], [2]), H, params);
      const b = additiveAttention(tensor([-1, 1], [2]), H, params);
      // the encoder states are the same; only s_{t−1} moved the alignment
      assert.ok(Math.max(...a.weights.map((w, j) => Math.abs(w - b.weights[j]))) > 0.05);
      assertClose([a.weights.reduce((x, y) => x + y, 0), b.weights.reduce((x, y) => x + y, 0)], [1, 1], 1e-7);
    });

    it('refuses mismatched parameter shapes', () => {
      assert.throws(
        () => additiveAttention(tensor([1, 0, 0], [3]), H, { decoderWeight: tensor([1, 0, 0, 1], [2, 2]), encoderWeight: tensor([1, 0, 0, 1], [2, 2]), scoreVector: tensor([1, 1], [2]) }),
        /do not fit/,
      );
    });
  });

  describe('Luong multiplicative attention (current decoder state)', () => {
    const s = tensor([1, 2], [2]);

    it('dot: e = s·h = [1, 2, 3], α = softmax, context and attentional state by hand', () => {
      // α = [0.09003057, 0.24472847, 0.66524096]; c = [α0 + α2, α1 + α2] = [0.75527153, 0.90996943]
      // W_c = [[1,0,0,0],[0,0,0,1]] picks c0 and s1: h̃ = [tanh 0.75527153, tanh 2] = [0.63828335, 0.96402758]
      const step = multiplicativeAttention(s, H, { kind: 'dot' }, tensor([1, 0, 0, 0, 0, 0, 0, 1], [2, 4]));
      assert.deepEqual(Array.from(step.scores), [1, 2, 3]);
      assertClose(step.weights, [0.09003057, 0.24472847, 0.66524096], 1e-7);
      assertClose(step.context, [0.75527153, 0.90996943], 1e-7);
      assertClose(step.attentionalState ?? [], [0.63828335, 0.96402758], 1e-7);
    });

    it('general: e = sᵀ·W_a·h with W_a swapping the axes gives [2, 1, 3]', () => {
      const e = luongScores(s, H, { kind: 'general', weight: tensor([0, 1, 1, 0], [2, 2]) });
      assert.deepEqual(Array.from(e), [2, 1, 3]);
      const step = multiplicativeAttention(s, H, { kind: 'general', weight: tensor([0, 1, 1, 0], [2, 2]) });
      assertClose(step.weights, [0.24472847, 0.09003057, 0.66524096], 1e-7);
    });

    it('concat: e = v·tanh(W_a [s; h]) with W_a = [1, 0, 0, 1], v = [2] gives 2·tanh(1 + h[1])', () => {
      const e = luongScores(s, H, { kind: 'concat', weight: tensor([1, 0, 0, 1], [1, 4]), scoreVector: tensor([2], [1]) });
      assertClose(e, [1.52318831, 1.92805516, 1.92805516], 1e-7);
    });

    it('dot score with 1/√d scaling is one row of scaled dot-product attention', () => {
      const enc = wave([6, 8], 2);
      const dec = wave([8], 1);
      const scaled = tensor(dec.data.map((x) => x / Math.sqrt(8)), [8]);
      const luong = multiplicativeAttention(scaled, enc, { kind: 'dot' });
      const sdpa = scaledDotProductAttention(tensor(dec.data, [1, 1, 1, 8]), tensor(enc.data, [1, 1, 6, 8]), tensor(enc.data, [1, 1, 6, 8]));
      assertClose(luong.weights, sdpa.weights.data, 1e-6);
      assertClose(luong.context, sdpa.output.data, 1e-6);
    });

    it('dot refuses different decoder and encoder sizes', () => {
      assert.throws(() => luongScores(tensor([1, 2, 3], [3]), H, { kind: 'dot' }), /equal sizes/);
    });
  });
});
