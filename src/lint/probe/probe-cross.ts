// Probing cross-attention: a module or function called as forward(x, memory), where x holds the
// T_target decoder states that ask and memory the T_source encoder states that answer. The probe
// calls it with T_target ≠ T_source (equal lengths hide swapped sources) and checks:
//   - cross-sources: the output has one row per TARGET token; output row i moves when target
//     token i changes and never when another target token changes (x supplies only the queries),
//     and it moves when any memory token changes (keys and values come from memory);
//   - the weights (returned, or captured from softmax): each row sums to 1 over the memory axis;
//   - reference-agreement: the output equals the engine's attention computed from the module's
//     own pieces — its weights P [T_target, T_source] and the value row g_j of each memory token,
//     read by calling it with memory = [m_j] alone (one key: its weight is 1, so every output row
//     is g_j; an output projection after the weighted sum is affine and rows of P sum to 1, so
//     it passes through). The engine gets q = log P, k = identity, scale 1, v = G, which makes its
//     softmax(q·kᵀ) exactly P.
import { scaledDotProductAttention } from '../../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../../engine/reference/tensor';
import { buildArguments, CannotCall, hasRole, parameterWithRole } from './argument-plan';
import type { ProbeValue, ScriptForm } from './callee';
import { changedRows } from './dependency-map';
import { roleOf } from './parameter-roles';
import { asWeights, determinismCheck, fail, firstLine, headMatrix, listOf, nonFiniteRows, pass, shapeText, skip } from './probe-checks';
import { pythonFrameworks, scriptForms, tensorValue, type ProbeContext } from './probe-context';
import { perturbPosition, xInput } from './probe-inputs';
import { firstSequenceOutput, xFromUserLayout, xLayoutOrder, xToUserLayout } from './probe-layouts';
import type { ProbeCell, ProbeCheck, ProbeDims, ProbeResult, XLayout } from './probe-types';
import { agrees } from './reference-check';
import { maxAbsDiff } from './tensor-ops';
import { axisSums, formatNumber, normalisedAxis } from './weights-analysis';

interface Setup {
  layout: XLayout;
  form?: ScriptForm;
  framework?: string;
  batch: number;
  /** A required mask parameter gets None. */
  noneMask: boolean;
}

interface Inputs {
  /** [B, T_target, C] */
  x: Tensor;
  /** [B, T_source, C] */
  memory: Tensor;
}

type Run =
  | { ok: true; rows: 'target'; output: Tensor; weights?: { p: Tensor; transposed: boolean }; softmaxShapes: number[][] }
  | { ok: true; rows: 'source'; shape: number[] }
  | { ok: false; message: string };

type TargetRun = Extract<Run, { rows: 'target' }>;

/** Does the target take a second sequence (`memory`, `encoder_hidden_states`, `context`…)? */
export function isCrossAttentionTarget(ctx: Pick<ProbeContext, 'plan' | 'target'>): boolean {
  return ctx.target.style === 'x' && hasRole(ctx.plan, 'memory');
}

/** memory[:, j:j+1, :] */
function oneToken(memory: Tensor, j: number): Tensor {
  const [b, t, c] = memory.shape;
  const data = new Float32Array(b * c);
  for (let bi = 0; bi < b; bi++) data.set(memory.data.subarray((bi * t + j) * c, (bi * t + j + 1) * c), bi * c);
  return { data, shape: [b, 1, c] };
}

class CrossProbe {
  private readonly checks: ProbeCheck[] = [];
  private readonly targetLength: number;
  private readonly sourceLength: number;

  constructor(
    private readonly ctx: ProbeContext,
    private readonly dims: ProbeDims,
  ) {
    this.targetLength = dims.queryLength;
    this.sourceLength = dims.keyLength;
  }

  private inputs(batch: number, seed: number): Inputs {
    return { x: xInput(batch, this.targetLength, this.dims.modelWidth, seed), memory: xInput(batch, this.sourceLength, this.dims.modelWidth, seed + 1) };
  }

  async run(setup: Setup, inputs: Inputs, seed = this.ctx.seed): Promise<Run> {
    const { ctx, dims } = this;
    const lq = inputs.x.shape[1];
    const lk = inputs.memory.shape[1];
    let args;
    try {
      const value = (t: Tensor) => tensorValue(xToUserLayout(t, setup.layout));
      args = buildArguments(
        ctx.plan,
        {
          input: value(inputs.x),
          memory: value(inputs.memory),
          mask: setup.noneMask ? ({ kind: 'none' } as ProbeValue) : undefined,
          sizes: { batch: setup.batch, heads: dims.queryHeads, kvHeads: dims.kvHeads, headSize: dims.headSize, modelWidth: dims.modelWidth, queryLength: lq, keyLength: lk },
        },
        ctx.language,
      );
    } catch (e) {
      if (e instanceof CannotCall) return { ok: false, message: e.message };
      throw e;
    }
    const outcome = await ctx.callee.call({ args, form: setup.form, seed, framework: setup.framework });
    if (!outcome.ok) return { ok: false, message: `${outcome.errorType}: ${firstLine(outcome.message)}` };
    const { output, index: outputIndex } = firstSequenceOutput(outcome.outputs, setup.layout, setup.batch, lq);
    if (!output) {
      // one row per memory token: the sources are swapped (only telling when the lengths differ)
      const bySource = lq !== lk ? outcome.outputs.find((o) => xFromUserLayout(o, setup.layout, setup.batch, lk)) : undefined;
      if (bySource) return { ok: true, rows: 'source', shape: [...bySource.shape] };
      const got = outcome.outputs.map((o) => shapeText(o.shape)).join(', ') || 'no tensor';
      return { ok: false, message: `returned ${got}, expected a sequence of ${lq} positions (one per target token)` };
    }
    const w = (t: Tensor) => asWeights(t, setup.batch, dims.queryHeads, lq, lk) ?? (dims.queryHeads !== 1 ? asWeights(t, setup.batch, 1, lq, lk) : undefined);
    const returned = outcome.outputs.filter((_, i) => i !== outputIndex).map(w).find(Boolean);
    const captured = [...outcome.captured].reverse().map(w).find(Boolean);
    return { ok: true, rows: 'target', output, weights: returned ?? captured, softmaxShapes: outcome.captured.map((c) => [...c.shape]) };
  }

  async probe(): Promise<ProbeResult> {
    const { ctx, dims } = this;
    const forms: (ScriptForm | undefined)[] = ctx.language === 'python' ? [undefined] : scriptForms(ctx.plan, hasRole(ctx.plan, 'length', 'queryLength', 'keyLength', 'modelWidth'));
    const maskParam = parameterWithRole(ctx.plan, 'mask');
    const noneMask = Boolean(maskParam && !maskParam.hasDefault);
    const constructed = Object.entries(ctx.callee.loaded.constructedWith);
    const built = constructed.length ? ` (constructed with ${constructed.map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
    const base: ProbeResult = { function: ctx.target.name, language: ctx.language, framework: ctx.callee.loaded.framework, dims, checks: this.checks };

    const attempts: string[] = [];
    let found: { setup: Setup; run: Exclude<Run, { ok: false }>; inputs: Inputs } | undefined;
    search: for (const layout of xLayoutOrder(ctx.target.docText)) {
      const batch = layout === 'TC' ? 1 : dims.batch;
      for (const form of forms) {
        for (const framework of pythonFrameworks(ctx)) {
          const setup: Setup = { layout, form, framework, batch, noneMask };
          const inputs = this.inputs(batch, ctx.seed);
          const run = await this.run(setup, inputs);
          if (run.ok) {
            found = { setup, run, inputs };
            break search;
          }
          attempts.push(`${layout}${form ? ` (${form})` : ''}: ${run.message}`);
        }
      }
    }
    if (!found) {
      this.checks.push(fail('runs', `The ${ctx.target.kind} did not run with x and memory in any layout tried${built}. ${attempts.slice(0, 3).join('; ')}`));
      return base;
    }
    const { setup, inputs } = found;
    const xShape = [...xToUserLayout(inputs.x, setup.layout).shape];
    const memoryShape = [...xToUserLayout(inputs.memory, setup.layout).shape];
    const shapes = { x: xShape, memory: memoryShape };
    const result: ProbeResult = { ...base, layout: setup.layout, framework: setup.form ?? setup.framework ?? ctx.callee.loaded.framework, shapes, causal: 'none' };
    this.checks.push(
      pass('runs', `runs with layout ${setup.layout}: x ${shapeText(xShape)} (${this.targetLength} target tokens), memory ${shapeText(memoryShape)} (${this.sourceLength} source tokens)${built}`, {
        values: { layout: setup.layout },
      }),
    );
    if (found.run.rows === 'source') {
      this.checks.push(
        fail(
          'cross-sources',
          `the output ${shapeText(found.run.shape)} has ${this.sourceLength} rows, one per memory token, instead of ${this.targetLength}, one per target token in x: the queries come from memory — queries must come from x (the side that asks), keys and values from memory`,
          { values: { outputRows: this.sourceLength, targetTokens: this.targetLength } },
        ),
      );
      const why = 'not measured: the output does not have one row per target token';
      this.checks.push(skip('finite', why), skip('rows-sum-to-one', why), skip('softmax-axis', why), skip('reference-agreement', why));
      return result;
    }
    const first = found.run;

    const nanRows = nonFiniteRows(first.output, 1);
    this.checks.push(
      nanRows.length
        ? fail('finite', `the output has NaN or ∞ at target position${nanRows.length > 1 ? 's' : ''} ${listOf(nanRows)}`, { positions: nanRows })
        : pass('finite', 'the output is finite on every target position'),
    );
    const again = await this.run(setup, inputs);
    const reseeded = ctx.language === 'python' ? await this.run(setup, inputs, ctx.seed + 1) : undefined;
    const output = (r: Run | undefined) => (r?.ok && r.rows === 'target' ? r.output : undefined);
    const determinism = determinismCheck(first.output, output(again), output(reseeded));
    this.checks.push(determinism.check);
    if (determinism.unstable) {
      const why = 'not measurable: the output changes from call to call on the same inputs';
      this.checks.push(skip('cross-sources', why), skip('rows-sum-to-one', why), skip('softmax-axis', why), skip('reference-agreement', why));
      return result;
    }

    this.checks.push(await this.sourcesCheck(setup, inputs, first.output));
    this.weightChecks(first);
    this.checks.push(await this.referenceCheck(setup, inputs, first));
    if (first.weights) result.userWeights = headMatrix(first.weights.p, 0, 'captured');
    return result;
  }

  /** Which output rows move when one target token, or one memory token, changes. */
  private async sourcesCheck(setup: Setup, inputs: Inputs, base: Tensor): Promise<ProbeCheck> {
    const T = this.targetLength;
    const S = this.sourceLength;
    const mixed: ProbeCell[] = []; // output row r moved when target token i ≠ r changed
    const deaf: number[] = []; // output row i did not move when its own target token changed
    for (let i = 0; i < T; i++) {
      const run = await this.run(setup, { x: perturbPosition(inputs.x, i, this.ctx.seed + 100 + i, 1), memory: inputs.memory });
      if (!run.ok || run.rows !== 'target') return skip('cross-sources', `not measured: with target token ${i} changed the call failed (${run.ok ? 'wrong output shape' : run.message})`);
      const rows = changedRows(base, run.output, 1);
      rows.forEach((moved, r) => {
        if (moved && r !== i) mixed.push({ query: r, key: i });
      });
      if (!rows[i]) deaf.push(i);
    }
    const unreached: ProbeCell[] = []; // output row r did not move when memory token j changed
    for (let j = 0; j < S; j++) {
      const run = await this.run(setup, { x: inputs.x, memory: perturbPosition(inputs.memory, j, this.ctx.seed + 200 + j, 1) });
      if (!run.ok || run.rows !== 'target') return skip('cross-sources', `not measured: with memory token ${j} changed the call failed (${run.ok ? 'wrong output shape' : run.message})`);
      changedRows(base, run.output, 1).forEach((moved, r) => {
        if (!moved) unreached.push({ query: r, key: j });
      });
    }
    const problems: string[] = [];
    if (mixed.length) {
      const c = mixed[0];
      problems.push(`output row ${c.query} changes when target token ${c.key} changes: keys or values are computed from x (self-attention over the target), not from memory`);
    }
    if (unreached.length === T * S) problems.push('no output row changes when any memory token changes: memory is never read — keys and values must come from memory');
    else if (unreached.length) {
      const c = unreached[0];
      problems.push(`output row ${c.query} does not change when memory token ${c.key} changes: every target token should attend to the whole memory (no mask was passed)`);
    }
    if (deaf.length) problems.push(`output row${deaf.length > 1 ? 's' : ''} ${listOf(deaf)} ${deaf.length > 1 ? 'do' : 'does'} not change when ${deaf.length > 1 ? 'their own target tokens change' : 'its own target token changes'}: the queries must come from x`);
    if (problems.length) {
      return fail('cross-sources', problems.join('; '), {
        cells: [...mixed, ...unreached].slice(0, 64),
        positions: [...new Set([...mixed.map((c) => c.query), ...deaf])],
        values: { mixedPairs: mixed.length, unreachedPairs: unreached.length },
      });
    }
    return pass(
      'cross-sources',
      `each output row depends on its own target token, on no other target token, and on every memory token (${T}×${T} and ${T}×${S} pairs checked): queries from x, keys and values from memory`,
    );
  }

  private weightChecks(run: TargetRun): void {
    if (!run.weights) {
      const why = run.softmaxShapes.length
        ? `no weights over the memory: the softmax the probe captured is ${run.softmaxShapes.map(shapeText).join(', ')}, not [.., ${this.targetLength} target tokens, ${this.sourceLength} memory tokens]`
        : 'the weights are internal: return them (e.g. `return out, att`) or compute them with torch/jax softmax so the probe can capture them';
      this.checks.push(skip('rows-sum-to-one', why), skip('softmax-axis', why));
      return;
    }
    const sums = axisSums(run.weights.p);
    const axis = normalisedAxis(sums);
    const S = this.sourceLength;
    const T = this.targetLength;
    this.checks.push(
      axis === 'keys' && !run.weights.transposed
        ? pass('rows-sum-to-one', `every row of the weights sums to 1 over the ${S} memory tokens (max deviation ${formatNumber(sums.rowDeviation)})`)
        : fail('rows-sum-to-one', `rows of the weights do not sum to 1 over the ${S} memory tokens (row sums ${sums.badRows.slice(0, 4).map((i) => formatNumber(sums.firstRowSums[i])).join(', ')})`, {
            positions: sums.badRows,
          }),
    );
    this.checks.push(
      axis === 'keys' && !run.weights.transposed
        ? pass('softmax-axis', `softmax over the memory axis (${T} rows × ${S} memory tokens)`)
        : axis === 'queries'
          ? fail('softmax-axis', `softmax over the wrong axis: each memory token's column sums to 1 over the ${T} target tokens instead of each row over the ${S} memory tokens`)
          : run.weights.transposed
            ? fail('softmax-axis', `the weights come back as [${S} memory tokens × ${T} target tokens]: the scores are transposed`)
            : fail('softmax-axis', 'the weights are not normalised over any axis: is the softmax missing?'),
    );
  }

  /** Heads: from the weights' shape, a head-count argument, or the constructor's head count. */
  private headCount(p: Tensor): number {
    const fromCtor = Object.entries(this.ctx.callee.loaded.constructedWith).find(([k, v]) => typeof v === 'number' && roleOf(k, 1) === 'heads');
    const fromArgs = hasRole(this.ctx.plan, 'heads') ? this.dims.queryHeads : 1;
    return Math.max(p.shape[1], fromArgs, typeof fromCtor?.[1] === 'number' ? fromCtor[1] : 1);
  }

  private async referenceCheck(setup: Setup, inputs: Inputs, run: TargetRun): Promise<ProbeCheck> {
    const S = this.sourceLength;
    const T = this.targetLength;
    const w = run.weights;
    if (!w) return skip('reference-agreement', 'not comparable: no weights over the memory tokens were returned or captured');
    const heads = this.headCount(w.p);
    if (heads > 1) return skip('reference-agreement', `not comparable: ${heads} heads — each head has its own value rows, and the weights read back may be averaged over heads`);
    if (w.transposed || normalisedAxis(axisSums(w.p)) !== 'keys') return skip('reference-agreement', 'not comparable: the weights are not a softmax over the memory tokens');
    const [b, , cOut] = run.output.shape;
    // g_j: the output for memory = [m_j] alone — the same on every target row
    const values = new Float32Array(b * S * cOut);
    for (let j = 0; j < S; j++) {
      const single = await this.run(setup, { x: inputs.x, memory: oneToken(inputs.memory, j) });
      if (!single.ok || single.rows !== 'target' || single.output.shape[2] !== cOut) {
        return skip('reference-agreement', `not comparable: the call with a one-token memory failed (${single.ok ? 'wrong output shape' : single.message})`);
      }
      for (let bi = 0; bi < b; bi++) {
        values.set(single.output.data.subarray(bi * T * cOut, bi * T * cOut + cOut), (bi * S + j) * cOut);
      }
    }
    // q = log P (rows), k = I, scale 1: the engine's softmax(q·kᵀ) is P itself
    const q = new Float32Array(b * T * S);
    for (let i = 0; i < q.length; i++) q[i] = Math.log(Math.max(w.p.data[i], 1e-30));
    const identity = new Float32Array(b * S * S);
    for (let bi = 0; bi < b; bi++) for (let j = 0; j < S; j++) identity[(bi * S + j) * S + j] = 1;
    const engine = scaledDotProductAttention({ data: q, shape: [b, 1, T, S] }, { data: identity, shape: [b, 1, S, S] }, { data: values, shape: [b, 1, S, cOut] }, { scale: 1 }).output;
    const diff = maxAbsDiff(run.output.data, engine.data);
    const how = `the engine's attention over the ${S} memory tokens with the module's own weights and the value row of each memory token (read with a one-token memory)`;
    return agrees(diff, engine)
      ? pass('reference-agreement', `equals ${how}: max |Δ| = ${formatNumber(diff)}`, { values: { maxAbsDiff: diff } })
      : fail('reference-agreement', `differs from ${how} (max |Δ| = ${formatNumber(diff)}): the output is not the weighted sum of memory-side values`, {
          values: { maxAbsDiff: diff },
        });
  }
}

export function probeCross(ctx: ProbeContext, dims: ProbeDims): Promise<ProbeResult> {
  return new CrossProbe(ctx, dims).probe();
}
