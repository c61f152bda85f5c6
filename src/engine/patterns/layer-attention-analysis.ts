// Head-pattern analysis and masking checks of one streamed layer (LayerAttention), with the
// run's tokens for the token-aware scores (induction, duplicate-token, block segments).
import type { LayerAttention, TokenSpan } from '../engine-api';
import { analyzeLayer } from './analyze-model';
import { checkLayerMasking } from './masking-checks';
import type { HeadReport, MaskingFinding } from './pattern-types';

export interface LayerAttentionAnalysis {
  heads: HeadReport[];
  findings: MaskingFinding[];
}

export function analyzeLayerAttention(attention: LayerAttention, tokens: readonly TokenSpan[], modelIsCausal: boolean): LayerAttentionAnalysis {
  const { weights, heads, queryLength: q, keyLength: k, layer } = attention;
  // Only a model's own self-attention is causal; cross-attention sees the whole source.
  const causal = modelIsCausal && attention.kind === 'self' && q === k;
  const info = tokens.length === q ? { ids: tokens.map((t) => t.id), texts: tokens.map((t) => t.text), offsets: tokens.map((t) => [t.start, t.end] as [number, number]) } : undefined;
  return {
    heads: analyzeLayer(weights, heads, q, k, layer, info, { causal }),
    findings: checkLayerMasking(weights, heads, q, k, layer, { causal }),
  };
}
