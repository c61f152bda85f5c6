// Turns a parameter list into call arguments: tensors for q/k/v/x, the probe's sizes for size
// parameters, neutral values for flags (dropout 0, training False), and nothing for
// parameters with defaults the probe has no reason to change. A required parameter the probe
// cannot interpret stops the probe with a message naming it.
import type { ProbeArgument, ProbeValue, RuntimeParameter } from './callee';
import { roleOf, type ParameterRole } from './parameter-roles';
import type { ProbeLanguage } from './probe-types';

export interface PlannedParameter extends RuntimeParameter {
  role: ParameterRole;
}

export function planParameters(parameters: readonly RuntimeParameter[]): PlannedParameter[] {
  const out: PlannedParameter[] = [];
  let position = 0;
  for (const p of parameters) {
    if (p.name === 'self' || p.name === 'cls') continue;
    out.push({ ...p, role: p.kind === 'variadic' ? 'unknown' : roleOf(p.name, position) });
    position++;
  }
  return out;
}

export function hasRole(plan: readonly PlannedParameter[], ...roles: ParameterRole[]): boolean {
  return plan.some((p) => p.kind !== 'variadic' && roles.includes(p.role));
}

export function parameterWithRole(plan: readonly PlannedParameter[], ...roles: ParameterRole[]): PlannedParameter | undefined {
  return plan.find((p) => p.kind !== 'variadic' && roles.includes(p.role));
}

/** Values for one call, by role. Tensors are already in the user's layout. */
export interface CallFill {
  query?: ProbeValue;
  key?: ProbeValue;
  value?: ProbeValue;
  input?: ProbeValue;
  /** A mask value, when the call tests masking; otherwise a required mask gets `none`. */
  mask?: ProbeValue;
  causal?: boolean;
  /** Encoder output for a cross-attention block's `memory` parameter. */
  memory?: ProbeValue;
  /** Causal window (keys per query, itself included) for a `window` parameter. */
  window?: number;
  /** Rotary tables for `cos` / `sin` parameters. */
  cos?: ProbeValue;
  sin?: ProbeValue;
  sizes: {
    batch: number;
    heads: number;
    kvHeads: number;
    headSize: number;
    modelWidth: number;
    queryLength: number;
    keyLength: number;
  };
}

export class CannotCall extends Error {}

/** The arguments of one call, or throws CannotCall naming the parameter the probe cannot fill. */
export function buildArguments(plan: readonly PlannedParameter[], fill: CallFill, language: ProbeLanguage): ProbeArgument[] {
  const args: ProbeArgument[] = [];
  const positionalOnly = language !== 'python';
  const s = fill.sizes;
  const int = (value: number): ProbeValue => ({ kind: 'int', value });
  for (const p of plan) {
    if (p.kind === 'variadic') continue;
    let value: ProbeValue | undefined;
    switch (p.role) {
      case 'query':
        value = fill.query;
        break;
      case 'key':
        value = fill.key;
        break;
      case 'value':
        value = fill.value;
        break;
      case 'input':
        value = fill.input ?? (fill.query && !fill.key ? fill.query : undefined);
        break;
      case 'mask':
        value = fill.mask ?? (p.hasDefault ? undefined : { kind: 'none' });
        break;
      case 'paddingMask':
        value = p.hasDefault ? undefined : { kind: 'none' };
        break;
      case 'causalFlag':
        value = fill.causal !== undefined ? { kind: 'bool', value: fill.causal } : p.hasDefault ? undefined : { kind: 'bool', value: false };
        break;
      case 'scale':
        value = p.hasDefault ? undefined : { kind: 'number', value: 1 / Math.sqrt(s.headSize) };
        break;
      case 'dropout':
        value = { kind: 'number', value: 0 };
        break;
      case 'training':
        value = { kind: 'bool', value: false };
        break;
      case 'deterministic':
        value = { kind: 'bool', value: true };
        break;
      case 'heads':
        value = int(s.heads);
        break;
      case 'kvHeads':
        value = int(s.kvHeads);
        break;
      case 'repeats':
        value = int(s.heads / s.kvHeads);
        break;
      case 'headSize':
        value = int(s.headSize);
        break;
      case 'modelWidth':
        value = int(s.modelWidth);
        break;
      case 'queryLength':
        value = int(s.queryLength);
        break;
      case 'keyLength':
        value = int(s.keyLength);
        break;
      case 'length':
        value = int(s.queryLength);
        break;
      case 'batch':
        value = int(s.batch);
        break;
      case 'window':
        value = fill.window !== undefined ? int(fill.window) : undefined;
        break;
      case 'memory':
        value = fill.memory;
        break;
      case 'cos':
        value = fill.cos;
        break;
      case 'sin':
        value = fill.sin;
        break;
      default:
        value = undefined;
    }
    if (value === undefined) {
      if (p.hasDefault) {
        // TS/JS pass arguments by position: hold the place with undefined (the default applies)
        if (positionalOnly) args.push({ name: p.name, value: { kind: 'none' }, positional: true });
        continue;
      }
      throw new CannotCall(`parameter '${p.name}' has no default and the probe cannot tell what to pass for it`);
    }
    args.push({ name: p.name, value, positional: positionalOnly || p.kind === 'positional' });
  }
  // trailing placeholders add nothing
  while (positionalOnly && args.length > 0 && args[args.length - 1].value.kind === 'none' && plan.find((p) => p.name === args[args.length - 1].name)?.hasDefault) {
    args.pop();
  }
  return args;
}
