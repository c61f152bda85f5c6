// Probing attention that owns its projections: an nn.Module's forward(self, x…) or
// forward(self, query, key, value…), or a plain function of one sequence x. The q/k/v the
// softmax sees are internal, so the probe checks what is visible from outside:
//   - finite and deterministic output (dropout left on at inference shows up here);
//   - the dependency map: change only token j (or key/value input j) → which outputs move;
//   - the weights, when returned or captured from torch/jax/scipy softmax: rows sum to 1?
//   - masks: the honoured convention and NaN on fully masked rows;
//   - for a plain function of x without weights: agreement with the reference for q = k = v = x.
import type { CausalAlignment } from '../../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../../engine/reference/tensor';
import { buildArguments, CannotCall, hasRole, parameterWithRole } from './argument-plan';
import type { ProbeValue, ScriptForm } from './callee';
import { analyseCausal, changedRows, describeLeak, emptyMap, isFull, isSymmetric, setColumn, type DependencyMap } from './dependency-map';
import { describeConvention, encodeMask, MASK_CONVENTIONS, type MaskConvention } from './mask-conventions';
import { asWeights, determinismCheck, fail, firstLine, headMatrix, listOf, nonFiniteRows, pass, shapeText, skip, type WeightsView } from './probe-checks';
import { GQA_WORDS, pythonFrameworks, scriptForms, sourceSaysCausal, tensorValue, type ProbeContext } from './probe-context';
import { keepPattern, perturbPosition, xInput } from './probe-inputs';
import { firstSequenceOutput, xLayoutOrder, xToUserLayout } from './probe-layouts';
import { roleOf } from './parameter-roles';
import type { ProbeCheck, ProbeDims, ProbeResult, ProbeTarget, XLayout } from './probe-types';
import { agrees, closestReference, fitScaleToReference } from './reference-check';
import { permute } from './tensor-ops';
import { axisSums, describeScale, formatNumber, normalisedAxis } from './weights-analysis';

/** Sizes for modules, chosen before construction (the harness passes them to __init__). */
export function moduleDims(target: ProbeTarget): ProbeDims {
  const ctorRoles = (target.constructorParameters ?? []).map((p, i) => roleOf(p.name, i + 1));
  const gqa = ctorRoles.includes('kvHeads') || ctorRoles.includes('repeats') || GQA_WORDS.test(target.sourceText);
  const queryHeads = gqa ? 6 : 3;
  const headSize = gqa ? 4 : 8;
  return { batch: 2, queryHeads, kvHeads: gqa ? 2 : 3, queryLength: 5, keyLength: 7, selfLength: 7, headSize, modelWidth: queryHeads * headSize };
}

/** The constructor sizes the harness looks up by name. */
export function constructorSizes(dims: ProbeDims): Record<string, number> {
  return { modelWidth: dims.modelWidth, heads: dims.queryHeads, kvHeads: dims.kvHeads, headSize: dims.headSize, length: 64 };
}

interface ModuleInputs {
  /** x, or the query-side input: [B, Lq, C] */
  query: Tensor;
  /** key/value inputs [B, Lk, C] (qkv modules only) */
  key?: Tensor;
  value?: Tensor;
}

interface Setup {
  layout: XLayout;
  form?: ScriptForm;
  framework?: string;
  batch: number;
  neutralMask?: 'none' | MaskConvention;
}

interface Run {
  ok: true;
  /** [B, Lq, C'] */
  output: Tensor;
  weights?: { p: Tensor; transposed: boolean };
}

type RunResult = Run | { ok: false; message: string };

class ModuleProbe {
  private readonly checks: ProbeCheck[] = [];
  private readonly threeInputs: boolean;
  private readonly causalFlag: boolean;
  private readonly maskParam: boolean;

  constructor(
    private readonly ctx: ProbeContext,
    private readonly dims: ProbeDims,
  ) {
    this.threeInputs = ctx.target.style === 'qkv';
    this.causalFlag = hasRole(ctx.plan, 'causalFlag');
    this.maskParam = hasRole(ctx.plan, 'mask');
  }

  private inputs(batch: number, lq: number, lk: number, seed: number): ModuleInputs {
    const c = this.dims.modelWidth;
    if (!this.threeInputs) return { query: xInput(batch, lq, c, seed) };
    return { query: xInput(batch, lq, c, seed), key: xInput(batch, lk, c, seed + 1), value: xInput(batch, lk, c, seed + 2) };
  }

  async run(setup: Setup, inputs: ModuleInputs, mask?: ProbeValue, seed = this.ctx.seed): Promise<RunResult> {
    const { ctx, dims } = this;
    const lq = inputs.query.shape[1];
    const lk = inputs.key?.shape[1] ?? lq;
    const neutral =
      setup.neutralMask === undefined
        ? undefined
        : setup.neutralMask === 'none'
          ? ({ kind: 'none' } as ProbeValue)
          : encodeMask(new Uint8Array(lq * lk).fill(1), lq, lk, setup.neutralMask);
    let args;
    try {
      const layoutValue = (t: Tensor) => tensorValue(xToUserLayout(t, setup.layout));
      args = buildArguments(
        ctx.plan,
        {
          input: this.threeInputs ? undefined : layoutValue(inputs.query),
          query: this.threeInputs ? layoutValue(inputs.query) : undefined,
          key: inputs.key ? layoutValue(inputs.key) : undefined,
          value: inputs.value ? layoutValue(inputs.value) : undefined,
          mask: mask ?? neutral,
          causal: this.causalFlag ? true : undefined,
          sizes: {
            batch: setup.batch,
            heads: dims.queryHeads,
            kvHeads: dims.kvHeads,
            headSize: dims.headSize,
            modelWidth: dims.modelWidth,
            queryLength: lq,
            keyLength: lk,
          },
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
      const got = outcome.outputs.map((o) => shapeText(o.shape)).join(', ') || 'no tensor';
      return { ok: false, message: `returned ${got}, expected a sequence of ${lq} positions` };
    }
    const w = (t: Tensor) =>
      asWeights(t, setup.batch, dims.queryHeads, lq, lk) ?? (dims.queryHeads !== 1 ? asWeights(t, setup.batch, 1, lq, lk) : undefined);
    const returned = outcome.outputs.filter((_, i) => i !== outputIndex).map(w).find(Boolean);
    const captured = [...outcome.captured].reverse().map(w).find(Boolean);
    const weights = returned ? { ...returned, source: 'returned' as const } : captured ? { ...captured, source: 'captured' as const } : undefined;
    return { ok: true, output, weights };
  }

  async probe(): Promise<ProbeResult> {
    const { ctx, dims } = this;
    const layouts = xLayoutOrder(ctx.target.docText);
    const sizeParams = hasRole(ctx.plan, 'length', 'queryLength', 'headSize', 'modelWidth');
    const forms: (ScriptForm | undefined)[] = ctx.language === 'python' ? [undefined] : scriptForms(ctx.plan, sizeParams);
    const frameworks = pythonFrameworks(ctx);
    const maskParam = parameterWithRole(ctx.plan, 'mask');
    const neutralMasks: (Setup['neutralMask'] | undefined)[] = maskParam && !maskParam.hasDefault ? ['none', 'additive', 'float-keep', 'bool-keep'] : [undefined];
    const T = dims.selfLength;

    const attempts: string[] = [];
    let found: { setup: Setup; self: Run; selfInputs: ModuleInputs; cross?: Run; crossInputs?: ModuleInputs } | undefined;
    search: for (const layout of layouts) {
      const batch = layout === 'TC' ? 1 : dims.batch;
      for (const [form, framework] of forms.flatMap((f) => frameworks.map((fw) => [f, fw] as const))) {
        for (const neutralMask of neutralMasks) {
          const setup: Setup = { layout, form, framework, batch, neutralMask };
          const selfInputs = this.inputs(batch, T, T, ctx.seed);
          const self = await this.run(setup, selfInputs);
          if (self.ok) {
            found = { setup, self, selfInputs };
            if (this.threeInputs) {
              const crossInputs = this.inputs(batch, dims.queryLength, dims.keyLength, ctx.seed + 1);
              const cross = await this.run(setup, crossInputs);
              if (cross.ok) Object.assign(found, { cross, crossInputs });
            }
            break search;
          }
          attempts.push(`${layout}${form ? ` (${form})` : ''}: ${self.message}`);
        }
      }
    }
    const constructed = Object.entries(ctx.callee.loaded.constructedWith);
    const built = constructed.length ? ` (constructed with ${constructed.map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
    if (!found) {
      this.checks.push(fail('runs', `The ${ctx.target.kind} did not run on any input layout tried${built}. ${attempts.slice(0, 3).join('; ')}`));
      return { function: ctx.target.name, language: ctx.language, framework: ctx.callee.loaded.framework, dims, checks: this.checks };
    }
    const { setup, self, selfInputs } = found;
    const xShape = [...xToUserLayout(selfInputs.query, setup.layout).shape];
    const inputsText = this.threeInputs ? `query/key/value ${shapeText(xShape)}` : `x ${shapeText(xShape)}`;
    this.checks.push(pass('runs', `runs with layout ${setup.layout}: ${inputsText}${built}`, { values: { layout: setup.layout } }));

    // finite, deterministic
    const nanRows = nonFiniteRows(self.output, 1);
    this.checks.push(
      nanRows.length
        ? fail('finite', `the output has NaN or ∞ at position${nanRows.length > 1 ? 's' : ''} ${listOf(nanRows)}: a row with every key masked (e.g. triu without diagonal=1 and a -inf fill)?`, {
            positions: nanRows,
          })
        : pass('finite', 'the output is finite on every position'),
    );
    const again = await this.run(setup, selfInputs);
    const reseeded = ctx.language === 'python' ? await this.run(setup, selfInputs, undefined, ctx.seed + 1) : undefined;
    const determinism = determinismCheck(self.output, again.ok ? again.output : undefined, reseeded?.ok ? reseeded.output : undefined);
    this.checks.push(determinism.check);

    // dependency map (self trial): change token j (or key/value input j) — same seed every call
    const map = determinism.unstable ? undefined : await this.dependencyMap(setup, selfInputs, self.output);
    const constructedCausal = constructed.some(([k, v]) => /causal|decoder|autoregressive/i.test(k) && v === true);
    const masksItself = map !== undefined && !isFull(map) && !isSymmetric(map);
    const intendsCausal = this.causalFlag || constructedCausal || (!this.maskParam && sourceSaysCausal(ctx.target)) || masksItself;
    const leakCells = this.causalCheck(intendsCausal, map);

    // weights (returned or captured)
    const weights = self.weights as WeightsView | undefined;
    this.weightChecks(weights);

    // reference: plain functions of x only (modules have their own projections)
    this.referenceChecks(found.self.output, selfInputs, intendsCausal);

    if (this.maskParam && !determinism.unstable) await this.maskChecks(setup, selfInputs, intendsCausal ? map : undefined);

    const result: ProbeResult = {
      function: ctx.target.name,
      language: ctx.language,
      layout: setup.layout,
      framework: setup.form ?? setup.framework ?? ctx.callee.loaded.framework,
      dims,
      shapes: this.threeInputs ? { query: xShape, key: xShape, value: xShape } : { x: xShape },
      causal: intendsCausal ? 'causal' : map && !isFull(map) ? 'masked' : 'none',
      checks: this.checks,
    };
    if (weights) {
      result.userWeights = headMatrix(weights.p, 0, weights.source);
      result.violatingCells = leakCells.filter((c) => weights.p.data[c.query * T + c.key] > 1e-6).map((c) => ({ ...c, head: 0 }));
    }
    return result;
  }

  private async dependencyMap(setup: Setup, inputs: ModuleInputs, base: Tensor): Promise<DependencyMap | undefined> {
    const lq = inputs.query.shape[1];
    const lk = inputs.key?.shape[1] ?? lq;
    const map = emptyMap(lq, lk);
    for (let j = 0; j < lk; j++) {
      const seed = this.ctx.seed + 100 + j;
      const moved: ModuleInputs = this.threeInputs
        ? { query: inputs.query, key: perturbPosition(inputs.key as Tensor, j, seed, 1), value: perturbPosition(inputs.value as Tensor, j, seed + 1, 1) }
        : { query: perturbPosition(inputs.query, j, seed, 1) };
      const run = await this.run(setup, moved);
      if (!run.ok) return undefined;
      setColumn(map, j, changedRows(base, run.output, 1));
    }
    return map;
  }

  private causalCheck(intendsCausal: boolean, map: DependencyMap | undefined): { query: number; key: number }[] {
    if (!intendsCausal) {
      this.checks.push(skip('causal-leak', 'not causal: every output position depends on every token, and nothing in the code asks for a causal mask'));
      return [];
    }
    if (!map) {
      this.checks.push(skip('causal-leak', 'not measured: the output is random on the same inputs, or the function failed on a changed input'));
      return [];
    }
    const analysis = analyseCausal(map, 0);
    if (analysis.leaks.length) {
      const what =
        analysis.pattern === 'no-mask'
          ? 'every position changes when any later token changes: the future reaches every position (no causal mask takes effect, or something after it — e.g. a softmax over the query axis — mixes the future back in)'
          : analysis.pattern === 'wrong-triangle'
            ? 'the mask keeps the wrong triangle (the future instead of the past)'
            : 'the mask lets the future in';
      this.checks.push(
        fail('causal-leak', `${describeLeak(analysis.leaks)}: ${what}`, {
          positions: [...new Set(analysis.leaks.map((c) => c.query))],
          cells: analysis.leaks,
          values: { pattern: analysis.pattern },
        }),
      );
    } else {
      this.checks.push(pass('causal-leak', `no leak: changing token j never changes an earlier position (all ${map.queries}×${map.keys} pairs checked)`));
    }
    return analysis.leaks;
  }

  private weightChecks(w: WeightsView | undefined): void {
    if (!w) {
      const why = 'the weights are internal: return them (e.g. `return out, att`) or compute them with torch/jax softmax so the probe can capture them';
      this.checks.push(skip('rows-sum-to-one', why), skip('softmax-axis', why));
      return;
    }
    const from = w.source === 'returned' ? 'as returned' : 'captured from softmax';
    const sums = axisSums(w.p);
    const axis = normalisedAxis(sums);
    this.checks.push(
      axis === 'keys'
        ? pass('rows-sum-to-one', `every row of the weights sums to 1 (max deviation ${formatNumber(sums.rowDeviation)}; weights ${from})`)
        : fail('rows-sum-to-one', `rows of the weights do not sum to 1 (row sums ${sums.badRows.slice(0, 4).map((i) => formatNumber(sums.firstRowSums[i])).join(', ')}; weights ${from})`, {
            positions: sums.badRows,
          }),
    );
    this.checks.push(
      axis === 'keys'
        ? pass('softmax-axis', 'softmax over the key axis')
        : axis === 'queries'
          ? fail('softmax-axis', 'softmax over the wrong axis: each column (key) sums to 1 over the queries instead of each row over the keys — normalise over the last (key) axis')
          : axis === 'heads'
            ? fail('softmax-axis', 'softmax over the head axis: the weights sum to 1 across heads, not across keys')
            : fail('softmax-axis', 'the weights are not normalised over any axis: is the softmax missing?'),
    );
  }

  private referenceChecks(output: Tensor, inputs: ModuleInputs, causal: boolean): void {
    const { ctx } = this;
    const modes: (CausalAlignment | false)[] = causal ? ['top-left'] : [false];
    if (ctx.target.kind === 'module' || this.threeInputs) {
      const why = `not comparable: the ${ctx.target.kind === 'module' ? 'module' : 'function'} applies its own projections, so q, k and v are internal`;
      this.checks.push(skip('scale', why), skip('reference-agreement', why));
      return;
    }
    // a plain function of x: compare with attention over q = k = v = x (heads split when it takes a head count)
    const heads = hasRole(ctx.plan, 'heads') ? this.dims.queryHeads : 1;
    const [b, t, c] = inputs.query.shape;
    if (c % heads !== 0 || output.shape[2] !== c) {
      const why = 'not comparable: the output width differs from the input width (the function has its own projections)';
      this.checks.push(skip('scale', why), skip('reference-agreement', why));
      return;
    }
    const x = permute({ data: inputs.query.data, shape: [b, t, heads, c / heads] }, [0, 2, 1, 3]);
    const user = permute({ data: output.data, shape: [b, t, heads, c / heads] }, [0, 2, 1, 3]);
    const best = closestReference(user, x, x, x, modes);
    const d = c / heads;
    const expected = 1 / Math.sqrt(d);
    if (agrees(best.diff, best.result.output)) {
      this.checks.push(
        pass('scale', `scale 1/√d_k = ${formatNumber(expected)} (the output matches the reference at that scale)`),
        pass('reference-agreement', `matches the reference engine with q = k = v = x (${causal ? 'causal' : 'not causal'}): max |Δ| = ${formatNumber(best.diff)}`),
      );
      return;
    }
    const fit = fitScaleToReference(user, x, x, x, modes[0]);
    if (agrees(fit.diff, best.result.output)) {
      this.checks.push(
        fail('scale', `the effective scale is ${formatNumber(fit.scale)} (${describeScale(fit.scale, d, c)}); expected 1/√d_k = 1/√${d} = ${formatNumber(expected)}`, {
          values: { scale: fit.scale, expected },
        }),
        fail('reference-agreement', `matches the reference only at scale ${formatNumber(fit.scale)} (max |Δ| at 1/√d_k: ${formatNumber(best.diff)})`),
      );
      return;
    }
    const why = `not comparable: the output matches attention over q = k = v = x at no scale (max |Δ| ${formatNumber(best.diff)}), so the function probably has its own projections`;
    this.checks.push(skip('scale', why), skip('reference-agreement', why));
  }

  private async maskChecks(setup: Setup, inputs: ModuleInputs, own: DependencyMap | undefined): Promise<void> {
    const lq = inputs.query.shape[1];
    const lk = inputs.key?.shape[1] ?? lq;
    const keep = keepPattern(lq, lk, this.ctx.seed + 7);
    // x-style: query i always depends on token i itself (through its own query vector)
    const expected = (i: number, j: number) => (!this.threeInputs && i === j) || (keep[i * lk + j] === 1 && (!own || own.depends[i][j]));
    const testColumns: number[] = [];
    for (let j = 0; j < lk && testColumns.length < 3; j++) {
      let yes = 0;
      for (let i = 0; i < lq; i++) if (expected(i, j)) yes++;
      if (yes > 0 && yes < lq) testColumns.push(j);
    }
    let winner: MaskConvention | undefined;
    let closest: { convention: MaskConvention; query: number; key: number; leaked: boolean; count: number } | undefined;
    for (const convention of MASK_CONVENTIONS) {
      const mask = encodeMask(keep, lq, lk, convention);
      const base = await this.run(setup, inputs, mask);
      if (!base.ok) continue;
      let wrong = 0;
      let first: { query: number; key: number; leaked: boolean } | undefined;
      for (const j of testColumns) {
        const seed = this.ctx.seed + 300 + j;
        const moved: ModuleInputs = this.threeInputs
          ? { query: inputs.query, key: perturbPosition(inputs.key as Tensor, j, seed, 1), value: perturbPosition(inputs.value as Tensor, j, seed + 1, 1) }
          : { query: perturbPosition(inputs.query, j, seed, 1) };
        const run = await this.run(setup, moved, mask);
        if (!run.ok) {
          wrong++;
          continue;
        }
        const rows = changedRows(base.output, run.output, 1);
        for (let i = 0; i < lq; i++) {
          if (rows[i] !== expected(i, j)) {
            wrong++;
            first ??= { query: i, key: j, leaked: rows[i] };
          }
        }
      }
      if (wrong === 0) {
        winner = convention;
        break;
      }
      if (!closest || wrong < closest.count) closest = { convention, count: wrong, ...(first ?? { query: 0, key: 0, leaked: false }) };
    }
    if (!winner) {
      if (!closest) {
        this.checks.push(skip('mask-convention', 'the function rejected every mask form tried'), skip('masked-rows-nan', 'not measured'));
        return;
      }
      const detail = closest.leaked
        ? `position ${closest.query} changes when masked token ${closest.key} changes`
        : `position ${closest.query} ignores token ${closest.key}, which the mask keeps`;
      this.checks.push(
        fail('mask-convention', `the mask is not honoured under any convention (closest: ${describeConvention(closest.convention)}): ${detail}`),
        skip('masked-rows-nan', 'not measured: no mask convention is honoured'),
      );
      return;
    }
    this.checks.push(pass('mask-convention', `the mask is honoured; its convention: ${describeConvention(winner)}`, { values: { convention: winner } }));
    const blocked = [Math.min(1, lq - 1), Math.max(0, lq - 2)].filter((v, i, a) => a.indexOf(v) === i);
    const keep2 = Uint8Array.from(keep);
    for (const r of blocked) keep2.fill(0, r * lk, (r + 1) * lk);
    const run = await this.run(setup, inputs, encodeMask(keep2, lq, lk, winner));
    if (!run.ok) {
      this.checks.push(fail('masked-rows-nan', `with rows ${listOf(blocked)} fully masked the function raises: ${run.message}`));
      return;
    }
    const bad = nonFiniteRows(run.output, 1);
    this.checks.push(
      bad.length
        ? fail('masked-rows-nan', `fully masked rows ${listOf(blocked)} give NaN in the output (positions ${listOf(bad)}): use a finite fill such as finfo.min, or zero those rows`, {
            positions: bad,
          })
        : pass('masked-rows-nan', `fully masked rows ${listOf(blocked)} give finite output (no NaN)`),
    );
  }
}

export function probeModule(ctx: ProbeContext, dims: ProbeDims): Promise<ProbeResult> {
  return new ModuleProbe(ctx, dims).probe();
}
