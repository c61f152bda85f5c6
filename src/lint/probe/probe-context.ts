// What every probe step shares: the running callee, the parameter plan, the seed, and the
// intent signals read from the source (does the code mean to be causal?).
import type { ProbeCallee, ProbeValue, ScriptForm } from './callee';
import type { PlannedParameter } from './argument-plan';
import type { Tensor } from '../../engine/reference/tensor';
import type { ProbeLanguage, ProbeTarget } from './probe-types';

export interface ProbeContext {
  target: ProbeTarget;
  callee: ProbeCallee;
  language: ProbeLanguage;
  plan: PlannedParameter[];
  seed: number;
}

const CAUSAL_WORDS = /causal|tril|triu|subsequent|look_?ahead|future|autoregress|no_?peek|decoder/i;
const NOT_CAUSAL = /non[-_ ]?causal|bidirectional|not causal|encoder[- ]only/i;

/** Does the source say it is causal (and not "non-causal")? */
export function sourceSaysCausal(target: ProbeTarget): boolean {
  const text = `${target.docText}\n${target.sourceText}`;
  return CAUSAL_WORDS.test(text) && !NOT_CAUSAL.test(text);
}

export const GQA_WORDS = /gqa|mqa|grouped|multi[-_ ]?query|kv[-_ ]?heads|n_?kv|repeat_kv|num_key_value|n_rep|num_groups/i;

/** TS/JS: how to pass tensors, most likely first, from the first parameter's type. */
export function scriptForms(plan: readonly PlannedParameter[], hasSizeParams: boolean): ScriptForm[] {
  const type = plan[0]?.typeText ?? '';
  let order: ScriptForm[];
  if (/Float(32|64)Array/.test(type)) order = ['flat', 'tensor', 'nested'];
  else if (/Tensor|\bdata\b|shape/.test(type)) order = ['tensor', 'nested', 'flat'];
  else order = ['nested', 'tensor', 'flat'];
  return hasSizeParams ? order : order.filter((f) => f !== 'flat');
}

/** The nesting depth a TS/JS type asks for (number[][] → 2), if it says. */
export function typeRank(typeText: string | undefined): number | undefined {
  if (!typeText) return undefined;
  const brackets = (typeText.match(/\[\]/g) ?? []).length;
  const generics = (typeText.match(/Array</g) ?? []).length;
  const rank = brackets + generics;
  return rank > 0 && !/Float(32|64)Array/.test(typeText) ? rank : undefined;
}

export function tensorValue(t: Tensor): ProbeValue {
  return { kind: 'tensor', data: t.data, shape: [...t.shape], dtype: 'float32' };
}

/**
 * Python: the framework the file imports first; NumPy as a fallback (a NumPy kernel in a file
 * that also imports torch). TS/JS: one pass (the form carries the difference).
 */
export function pythonFrameworks(ctx: ProbeContext): (string | undefined)[] {
  if (ctx.language !== 'python') return [undefined];
  const detected = ctx.callee.loaded.framework;
  return detected === 'numpy' ? ['numpy'] : [detected, 'numpy'];
}
