// Lesson 8 — FlashAttention: exact attention, tile by tile, without the n × n matrix.
//
// The engine's tiled kernel walks key blocks left to right and keeps, per query row, a running
// max m, a running sum l and an un-normalised output O (see tiled-attention.ts). Its tile
// observer reports every step; the lesson follows one row: how m moves, how much the old sum
// is rescaled (exp(m_old − m_new)), and l growing to the softmax denominator. The result is
// compared with standard attention over the whole output, and the memory of both is measured.
// The calculator uses the engine's cost formulas (32K tokens × 32 heads in float16 ≈ 65.5 GB).
import { attentionMatrixBytes, variantCost } from '../engine/reference/attention-cost';
import { scaledDotProductAttention } from '../engine/reference/scaled-dot-product-attention';
import { tiledAttention, type TileStep } from '../engine/reference/tiled-attention';
import type { Tensor } from '../engine/reference/tensor';
import type { FlashAttentionData, FlashAttentionParams, FlashTileStep } from '../protocol/lesson-messages';
import { maxAbs, maxAbsDiff } from './shared/statistics';
import { seededNormals } from './shared/toy-embedding';

export const FLASH_DEFAULTS: FlashAttentionParams = {
  n: 32,
  headDim: 16,
  blockQ: 8,
  blockK: 8,
  causal: true,
  row: 20,
  seed: 1,
  memoryTokens: 32000,
  memoryHeads: 32,
  memoryDtype: 'float16',
};

function gaussian(n: number, d: number, seed: number): Tensor {
  return { data: seededNormals(n * d, seed), shape: [1, 1, n, d] };
}

export function computeFlashAttention(params: FlashAttentionParams): FlashAttentionData {
  const { n, headDim: d, blockQ, blockK } = params;
  const row = Math.min(Math.max(0, params.row), n - 1);
  // Scores spread wide enough (×2) that the running max visibly moves between tiles.
  const q = gaussian(n, d, params.seed * 3 + 1);
  for (let i = 0; i < q.data.length; i++) q.data[i] *= 2;
  const k = gaussian(n, d, params.seed * 3 + 2);
  const v = gaussian(n, d, params.seed * 3 + 3);
  const causal = params.causal ? 'top-left' : false;

  const steps: FlashTileStep[] = [];
  const before: number[] = [];
  const after: number[] = [];
  const sums: number[] = [];
  const corrections: number[] = [];
  const observe = (s: TileStep) => {
    if (row < s.queryStart || row >= s.queryEnd) return;
    const r = row - s.queryStart;
    const width = s.keyEnd - s.keyStart;
    steps.push({
      keyStart: s.keyStart,
      keyEnd: s.keyEnd,
      skipped: s.skipped,
      scores: s.skipped ? new Float32Array(0) : Float32Array.from(s.scores.subarray(r * s.scoreStride, r * s.scoreStride + width)),
    });
    before.push(s.previousMax[r]);
    after.push(s.runningMax[r]);
    sums.push(s.runningSum[r]);
    corrections.push(s.skipped ? 1 : s.correction[r]);
  };
  const tiled = tiledAttention(q, k, v, { causal, blockQ, blockK, onTile: observe });
  const standard = scaledDotProductAttention(q, k, v, { causal });

  const calc = { sequenceLength: params.memoryTokens, queryHeads: params.memoryHeads, headSize: d, dtype: params.memoryDtype };
  return {
    params: { ...params, row },
    steps,
    stepMaxBefore: Float64Array.from(before),
    stepMaxAfter: Float64Array.from(after),
    stepSumAfter: Float64Array.from(sums),
    stepCorrection: Float64Array.from(corrections),
    standardWeights: standard.weights.data.slice(row * n, (row + 1) * n),
    tilesComputed: tiled.tilesComputed,
    tilesSkipped: tiled.tilesSkipped,
    maxAbsDiff: maxAbsDiff(tiled.output.data, standard.output.data),
    maxAbsOutput: maxAbs(standard.output.data),
    tiledWorkingBytes: tiled.workingBytes,
    standardScoreBytes: standard.weights.data.byteLength,
    memoryBytes: attentionMatrixBytes(calc),
    memoryFlashBytes: variantCost('flash', params.memoryTokens, { heads: params.memoryHeads, headSize: d, dtype: params.memoryDtype }).memoryBytes,
  };
}
