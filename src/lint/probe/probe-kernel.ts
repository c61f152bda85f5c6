// Probing an attention kernel: a function of (q, k, v[, mask…]). Every property is checked
// by running it, against the reference engine on the same inputs:
//   1. find a layout it accepts (cross trial Lq ≠ Lk, self trial Lq = Lk)
//   2. finite and deterministic output
//   3. dependency map: change only key/value j, see which outputs move → causal leaks
//   4. weights (one-hot V reads them back exactly) → rows sum to 1? over which axis?
//   5. effective scale fitted from the weights
//   6. agreement with the reference (causal alignment and kv-head order auto-detected)
//   7. masks: which convention is honoured, and NaN on fully masked rows
//   8. extra arguments built from the engine: a `window` (probe-window.ts) and `cos`/`sin`
//      rotary tables (probe-rotary.ts) change what "the reference" means and add a check each
import type { CausalAlignment } from '../../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../../engine/reference/tensor';
import { buildArguments, CannotCall, hasRole, parameterWithRole } from './argument-plan';
import type { NamedTensor, ProbeValue, ScriptForm } from './callee';
import { analyseCausal, causalAlignment, changedRows, describeLeak, emptyMap, isFull, isSymmetric, setColumn, type DependencyMap } from './dependency-map';
import { describeConvention, encodeMask, MASK_CONVENTIONS, type MaskConvention } from './mask-conventions';
import {
  asWeights,
  determinismCheck,
  differingCells,
  fail,
  firstLine,
  headMatrix,
  listOf,
  nonFiniteRows,
  pass,
  shapeText,
  skip,
  type WeightsView,
} from './probe-checks';
import { GQA_WORDS, pythonFrameworks, scriptForms, sourceSaysCausal, tensorValue, typeRank, type ProbeContext } from './probe-context';
import { crossShape, keepPattern, oneHotValues, perturbKeyPosition, qkvInputs, selfShape, type QkvInputs, type TrialShape } from './probe-inputs';
import { fromUserLayout, layoutDims, qkvLayoutOrder, toUserLayout, userShape } from './probe-layouts';
import type { ProbeCell, ProbeCheck, ProbeCheckId, ProbeDims, ProbeResult, QkvLayout } from './probe-types';
import { closestWindowReference, PROBE_WINDOW, slidingWindowCheck, windowKeepMask } from './probe-window';
import { rotaryArguments, rotaryExplanation, rotaryInputs, rotaryPairing, rotaryShiftCheck, ROTARY_SHIFT, type RotaryPairing, type RotaryWidth } from './probe-rotary';
import { agrees, closestReference, reference, type ReferenceMatch, type ReferenceOptions } from './reference-check';
import { maxAbsDiff } from './tensor-ops';
import { axisSums, bestScaleFit, describeScale, formatNumber, kvHead, normalisedAxis, type HeadMapping } from './weights-analysis';

/** A required mask parameter is filled with an all-keep mask in one of these forms (or None). */
type NeutralMask = 'none' | MaskConvention;

interface Setup {
  layout: QkvLayout;
  form?: ScriptForm;
  /** Python: numpy / torch / jax tensors. */
  framework?: string;
  dims: ProbeDims;
  neutralMask?: NeutralMask;
  /** Rotary kernels: the width of the cos/sin tables the function accepted. */
  rotaryWidth?: RotaryWidth;
  /** Rotary kernels: the position of the first token (the relative-position trial shifts it). */
  positionOffset?: number;
}

interface Run {
  ok: true;
  /** [B, Hq, Lq, Dv] */
  output: Tensor;
  weights?: { p: Tensor; transposed: boolean };
  captured?: { p: Tensor; transposed: boolean };
}

interface RunError {
  ok: false;
  message: string;
}

export function kernelDims(gqa: boolean): ProbeDims {
  const queryHeads = gqa ? 6 : 3;
  return { batch: 2, queryHeads, kvHeads: gqa ? 2 : 3, queryLength: 5, keyLength: 7, selfLength: 7, headSize: 8, modelWidth: queryHeads * 8 };
}

class KernelProbe {
  private readonly checks: ProbeCheck[] = [];
  private readonly causalFlag: boolean;
  private readonly maskParam: boolean;
  /** From the scale fit: the kv-head order and scale the weights show (used to explain a mismatch). */
  private fittedMapping: HeadMapping | undefined;
  private fittedScale: number | undefined;
  /** The window passed to a `window` parameter. */
  private readonly window: number | undefined;
  /** Set when the kernel takes cos/sin tables. */
  private readonly rotary: { pairing: RotaryPairing } | undefined;

  constructor(private readonly ctx: ProbeContext) {
    this.causalFlag = hasRole(ctx.plan, 'causalFlag');
    this.maskParam = hasRole(ctx.plan, 'mask');
    this.window = hasRole(ctx.plan, 'window') ? PROBE_WINDOW : undefined;
    this.rotary = hasRole(ctx.plan, 'cos') && hasRole(ctx.plan, 'sin') ? { pairing: rotaryPairing(`${ctx.target.docText}\n${ctx.target.sourceText}`) } : undefined;
  }

  /** The q, k, v the engine should see for these inputs: rotated q and k for a rotary kernel. */
  private effective(inputs: QkvInputs, positionOffset = 0): QkvInputs {
    return this.rotary ? rotaryInputs(inputs, positionOffset, this.rotary.pairing) : inputs;
  }

  /** The closest reference among the causal modes, on the effective inputs and under the window. */
  private closest(output: Tensor, inputs: QkvInputs, modes: (CausalAlignment | false)[], extra: Omit<ReferenceOptions, 'causal' | 'mask'> = {}): ReferenceMatch {
    const e = this.effective(inputs);
    return this.window !== undefined ? closestWindowReference(output, e.q, e.k, e.v, this.window, modes, extra) : closestReference(output, e.q, e.k, e.v, modes, extra);
  }

  private neutralMask(kind: NeutralMask | undefined, lq: number, lk: number): ProbeValue | undefined {
    if (!kind) return undefined;
    if (kind === 'none') return { kind: 'none' };
    return encodeMask(new Uint8Array(lq * lk).fill(1), lq, lk, kind);
  }

  /** One call of the user's function on [B, H, L, D] inputs, read back in [B, H, L, D]. */
  async run(setup: Setup, shape: TrialShape, inputs: QkvInputs, mask?: ProbeValue, seed = this.ctx.seed): Promise<Run | RunError> {
    const { layout, form } = setup;
    const { ctx } = this;
    let args;
    try {
      args = buildArguments(
        ctx.plan,
        {
          query: tensorValue(toUserLayout(inputs.q, layout)),
          key: tensorValue(toUserLayout(inputs.k, layout)),
          value: tensorValue(toUserLayout(inputs.v, layout)),
          mask: mask ?? this.neutralMask(setup.neutralMask, shape.queryLength, shape.keyLength),
          causal: this.causalFlag ? true : undefined,
          window: this.window,
          ...(this.rotary ? rotaryArguments(shape.queryLength, shape.headSize, setup.positionOffset ?? 0, this.rotary.pairing, setup.rotaryWidth ?? 'full') : {}),
          sizes: {
            batch: shape.batch,
            heads: shape.queryHeads,
            kvHeads: shape.kvHeads,
            headSize: shape.headSize,
            modelWidth: shape.queryHeads * shape.headSize,
            queryLength: shape.queryLength,
            keyLength: shape.keyLength,
          },
        },
        ctx.language,
      );
    } catch (e) {
      if (e instanceof CannotCall) return { ok: false, message: e.message };
      throw e;
    }
    const outcome = await ctx.callee.call({ args, form, seed, framework: setup.framework });
    if (!outcome.ok) return { ok: false, message: `${outcome.errorType}: ${firstLine(outcome.message)}` };
    const expected = [shape.batch, shape.queryHeads, shape.queryLength, inputs.v.shape[3]];
    let output: Tensor | undefined;
    let outputIndex = -1;
    outcome.outputs.forEach((o, i) => {
      if (output) return;
      output = fromUserLayout(o, layout, expected);
      if (output) outputIndex = i;
    });
    if (!output) {
      const got = outcome.outputs.map((o: NamedTensor) => shapeText(o.shape)).join(', ') || 'no tensor';
      return { ok: false, message: `returned ${got}, expected ${shapeText(userShape(layout, expected[0], expected[1], expected[2], expected[3]))}` };
    }
    const w = (t: Tensor) => asWeights(t, shape.batch, shape.queryHeads, shape.queryLength, shape.keyLength);
    const weights = outcome.outputs.filter((_, i) => i !== outputIndex).map(w).find(Boolean);
    const captured = [...outcome.captured].reverse().map(w).find(Boolean);
    return { ok: true, output, weights, captured };
  }

  async probe(): Promise<ProbeResult> {
    const { ctx } = this;
    const text = `${ctx.target.docText}\n${ctx.target.sourceText}`;
    const gqa = hasRole(ctx.plan, 'kvHeads', 'repeats') || GQA_WORDS.test(text);
    const base = kernelDims(gqa);
    const hasHeadCount = hasRole(ctx.plan, 'heads');
    const sizeParams = hasRole(ctx.plan, 'length', 'queryLength', 'keyLength', 'headSize');
    let layouts = qkvLayoutOrder(ctx.target.docText, hasHeadCount);
    if (!hasHeadCount) layouts = layouts.filter((l) => l !== 'BLC');
    const rank = typeRank(ctx.plan[0]?.typeText);
    if (rank) layouts = [...layouts.filter((l) => userShape(l, 1, 1, 1, 1).length === rank), ...layouts.filter((l) => userShape(l, 1, 1, 1, 1).length !== rank)];
    const forms: (ScriptForm | undefined)[] = ctx.language === 'python' ? [undefined] : scriptForms(ctx.plan, sizeParams);
    const frameworks = pythonFrameworks(ctx);
    const maskParam = parameterWithRole(ctx.plan, 'mask');
    const neutralMasks: (NeutralMask | undefined)[] = maskParam && !maskParam.hasDefault ? ['none', 'additive', 'float-keep', 'bool-keep'] : [undefined];
    // one cos/sin table serves q and k, so a rotary kernel is probed on self trials only
    const rotaryWidths: (RotaryWidth | undefined)[] = this.rotary ? ['full', 'half'] : [undefined];
    const noCross: RunError = { ok: false, message: 'not tried: one cos/sin table serves both q and k' };

    // 1. a layout the function accepts
    const attempts: string[] = [];
    let found: { setup: Setup; cross?: Run; self?: Run; crossInputs: QkvInputs; selfInputs: QkvInputs } | undefined;
    search: for (const layout of layouts) {
      const dims = layoutDims(layout, base);
      for (const [form, framework] of forms.flatMap((f) => frameworks.map((fw) => [f, fw] as const))) {
        for (const neutralMask of neutralMasks) {
          for (const rotaryWidth of rotaryWidths) {
            const setup: Setup = { layout, form, framework, dims, neutralMask, rotaryWidth };
            const crossInputs = qkvInputs(crossShape(dims), ctx.seed);
            const selfInputs = qkvInputs(selfShape(dims), ctx.seed + 1);
            const cross = this.rotary ? noCross : await this.run(setup, crossShape(dims), crossInputs);
            const self = await this.run(setup, selfShape(dims), selfInputs);
            if (cross.ok || self.ok) {
              found = { setup, cross: cross.ok ? cross : undefined, self: self.ok ? self : undefined, crossInputs, selfInputs };
              break search;
            }
            const label = `${layout}${form ? ` (${form})` : ''}${neutralMask && neutralMask !== 'none' ? ` with a ${neutralMask} mask` : ''}${rotaryWidth ? ` with ${rotaryWidth}-width cos/sin` : ''}`;
            attempts.push(`${label}: ${cross.ok || this.rotary ? (self.ok ? '' : self.message) : cross.message}`);
          }
        }
      }
    }
    if (!found) {
      this.checks.push(
        fail('runs', `The function did not run on any layout tried. ${attempts.slice(0, 4).join('; ')}`, { values: { attempts: attempts.length } }),
      );
      return { function: ctx.target.name, language: ctx.language, framework: ctx.callee.loaded.framework, checks: this.checks };
    }
    const { setup } = found;
    const dims = setup.dims;
    const primaryShape = found.cross ? crossShape(dims) : selfShape(dims);
    const primaryInputs = found.cross ? found.crossInputs : found.selfInputs;
    const primary = (found.cross ?? found.self) as Run;
    const shapes = {
      q: userShape(setup.layout, primaryShape.batch, primaryShape.queryHeads, primaryShape.queryLength, primaryShape.headSize),
      k: userShape(setup.layout, primaryShape.batch, primaryShape.kvHeads, primaryShape.keyLength, primaryShape.headSize),
      v: userShape(setup.layout, primaryShape.batch, primaryShape.kvHeads, primaryShape.keyLength, primaryShape.headSize),
    };
    const onlySquare = this.rotary
      ? `; cos/sin ${shapeText(setup.rotaryWidth === 'half' ? [primaryShape.queryLength, primaryShape.headSize / 2] : [primaryShape.queryLength, primaryShape.headSize])} from the engine's rotary cache (${this.rotary.pairing} pairs)`
      : !found.cross
        ? '; it only runs when query length = key length'
        : '';
    this.checks.push(
      pass('runs', `runs with layout ${setup.layout}: q ${shapeText(shapes.q)}, k ${shapeText(shapes.k)}, v ${shapeText(shapes.v)}${onlySquare}`, {
        values: { layout: setup.layout, crossAttention: Boolean(found.cross) },
      }),
    );

    // 2. finite, deterministic
    const nanRows = [...new Set([...(found.cross ? nonFiniteRows(found.cross.output, 2) : []), ...(found.self ? nonFiniteRows(found.self.output, 2) : [])])];
    this.checks.push(
      nanRows.length
        ? fail(
            'finite',
            `the output has NaN or ∞ at query position${nanRows.length > 1 ? 's' : ''} ${listOf(nanRows)}: a row with every key masked (e.g. triu without diagonal=1 and a -inf fill) or an overflow`,
            { positions: nanRows },
          )
        : pass('finite', 'the output is finite on every position'),
    );
    const again = await this.run(setup, primaryShape, primaryInputs);
    const reseeded = ctx.language === 'python' ? await this.run(setup, primaryShape, primaryInputs, undefined, ctx.seed + 1) : undefined;
    const determinism = determinismCheck(primary.output, again.ok ? again.output : undefined, reseeded?.ok ? reseeded.output : undefined);
    this.checks.push(determinism.check);
    if (determinism.unstable) return this.unmeasurable(setup, shapes);

    // 3. dependency maps → causal intent and leaks
    const selfMap = found.self ? await this.dependencyMap(setup, selfShape(dims), found.selfInputs, found.self.output) : undefined;
    const ownMap = selfMap ?? (found.cross ? await this.dependencyMap(setup, crossShape(dims), found.crossInputs, found.cross.output) : undefined);
    const masksItself = ownMap !== undefined && !isFull(ownMap) && !(ownMap.queries === ownMap.keys && isSymmetric(ownMap));
    const intendsCausal = this.causalFlag || (!this.maskParam && sourceSaysCausal(ctx.target)) || masksItself;
    const crossMap = intendsCausal && found.cross ? (selfMap ? await this.dependencyMap(setup, crossShape(dims), found.crossInputs, found.cross.output) : ownMap) : undefined;
    const leakCells = this.causalChecks(intendsCausal, selfMap, crossMap, dims);
    if (this.window !== undefined) this.checks.push(slidingWindowCheck(selfMap, this.window));
    const modes: (CausalAlignment | false)[] = intendsCausal ? ['top-left', 'bottom-right'] : [false];

    // 4–5. weights and scale (primary trial)
    const primaryWeights = await this.weights(setup, primaryShape, primaryInputs, primary);
    this.weightChecks(primaryWeights, this.effective(primaryInputs), dims);
    if (this.rotary) await this.rotaryCheck(setup, primaryShape, primaryInputs, primary, primaryWeights);

    // 6. reference agreement
    const agreement = this.referenceCheck(primary.output, primaryInputs, modes, primaryShape, primaryWeights);
    if (found.cross && found.self) {
      const selfAgreement = this.closest(found.self.output, found.selfInputs, modes);
      if (!agrees(selfAgreement.diff, selfAgreement.result.output) && agreement.passed) {
        agreement.passed = false;
        agreement.status = 'fail';
        agreement.message = `differs from the reference when query length = key length (max |Δ| = ${formatNumber(selfAgreement.diff)}) although it matches when they differ`;
      }
    }
    this.checks.push(agreement);

    // 7. masks
    if (this.maskParam) await this.maskChecks(setup, primaryShape, primaryInputs, found.cross ? crossMap ?? undefined : selfMap, intendsCausal);

    // the panel: the self trial when there is one (a leak is drawn there), else the primary
    const panelShape = found.self ? selfShape(dims) : primaryShape;
    const panelInputs = found.self ? found.selfInputs : primaryInputs;
    const panelWeights = found.self && found.cross ? await this.weights(setup, panelShape, panelInputs, found.self) : primaryWeights;
    const result: ProbeResult = {
      function: ctx.target.name,
      language: ctx.language,
      layout: setup.layout,
      framework: setup.form ?? setup.framework ?? ctx.callee.loaded.framework,
      dims,
      shapes,
      causal: intendsCausal ? 'causal' : ownMap && !isFull(ownMap) ? 'masked' : 'none',
      checks: this.checks,
    };
    const panelEngine = this.effective(panelInputs);
    const referenceP = reference(panelEngine.q, panelEngine.k, panelEngine.v, {
      causal: intendsCausal ? 'top-left' : false,
      mask: this.window !== undefined ? windowKeepMask(panelShape.queryLength, panelShape.keyLength, this.window) : undefined,
    }).weights;
    const head = 0;
    result.referenceWeights = headMatrix(referenceP, head, 'reference');
    if (panelWeights) {
      result.userWeights = headMatrix(panelWeights.p, head, panelWeights.source);
      const userP = panelWeights.p;
      const lk = panelShape.keyLength;
      const leaks = leakCells.filter((c) => c.query < panelShape.queryLength && userP.data[(head * panelShape.queryLength + c.query) * lk + c.key] > 1e-6);
      result.violatingCells = leaks.length ? leaks.map((c) => ({ ...c, head })) : differingCells(userP, referenceP, head);
    }
    return result;
  }

  /** Random output even with a fixed seed: no dependency map, weights or agreement can be measured. */
  private unmeasurable(setup: Setup, shapes: Record<string, number[]>): ProbeResult {
    const why = 'not measurable: the output changes from call to call on the same inputs';
    const ids: ProbeCheckId[] = ['causal-leak', 'causal-self', 'rows-sum-to-one', 'softmax-axis', 'scale', 'reference-agreement'];
    if (this.window !== undefined) ids.push('sliding-window');
    if (this.rotary) ids.push('rotary-relative');
    for (const id of ids) this.checks.push(skip(id, why));
    return {
      function: this.ctx.target.name,
      language: this.ctx.language,
      layout: setup.layout,
      framework: setup.form ?? setup.framework ?? this.ctx.callee.loaded.framework,
      dims: setup.dims,
      shapes,
      checks: this.checks,
    };
  }

  /** Rotary kernels: the same inputs with every position shifted must give the same weights. */
  private async rotaryCheck(setup: Setup, shape: TrialShape, inputs: QkvInputs, base: Run, baseWeights: WeightsView | undefined): Promise<void> {
    const shiftedSetup: Setup = { ...setup, positionOffset: ROTARY_SHIFT };
    const shifted = await this.run(shiftedSetup, shape, inputs);
    if (!shifted.ok) {
      this.checks.push(rotaryShiftCheck({ output: base.output }, { error: shifted.message }, ROTARY_SHIFT));
      return;
    }
    const shiftedWeights = baseWeights ? await this.weights(shiftedSetup, shape, inputs, shifted) : undefined;
    this.checks.push(rotaryShiftCheck({ weights: baseWeights?.p, output: base.output }, { weights: shiftedWeights?.p, output: shifted.output }, ROTARY_SHIFT));
  }

  /** depends[i][j] for every key j (T + 1 calls). */
  private async dependencyMap(setup: Setup, shape: TrialShape, inputs: QkvInputs, base: Tensor): Promise<DependencyMap | undefined> {
    const map = emptyMap(shape.queryLength, shape.keyLength);
    for (let j = 0; j < shape.keyLength; j++) {
      const changed = await this.run(setup, shape, perturbKeyPosition(inputs, j, this.ctx.seed + 100 + j));
      if (!changed.ok) return undefined;
      setColumn(map, j, changedRows(base, changed.output, 2));
    }
    return map;
  }

  private causalChecks(intendsCausal: boolean, selfMap: DependencyMap | undefined, crossMap: DependencyMap | undefined, dims: ProbeDims): ProbeCell[] {
    if (!intendsCausal) {
      const note = 'not causal: every output position depends on every key, and nothing in the code asks for a causal mask';
      this.checks.push(skip('causal-leak', note), skip('causal-self', note));
      return [];
    }
    const self = selfMap ? analyseCausal(selfMap, 0) : undefined;
    const offset = dims.keyLength - dims.queryLength;
    // bottom-right is the most permissive standard alignment: keys beyond it are future under any convention
    const cross = crossMap ? analyseCausal(crossMap, offset) : undefined;
    const alignment = crossMap ? causalAlignment(crossMap) : undefined;
    const leaks = self?.leaks ?? [];
    if (self && self.leaks.length) {
      const what =
        self.pattern === 'wrong-triangle'
          ? 'the mask keeps the wrong triangle: query i sees keys j ≥ i (the future) instead of j ≤ i'
          : self.pattern === 'no-mask'
            ? 'every position changes when any later token changes: the future reaches every position (no causal mask takes effect, or something after it — e.g. a softmax over the query axis — mixes the future back in)'
            : 'the mask lets the future in';
      this.checks.push(
        fail('causal-leak', `${describeLeak(self.leaks)}: ${what}`, {
          positions: [...new Set(self.leaks.map((c) => c.query))],
          cells: self.leaks,
          values: { pattern: self.pattern, leakingPairs: self.leaks.length },
        }),
      );
    } else if (cross && cross.leaks.length) {
      this.checks.push(
        fail(
          'causal-leak',
          `with ${dims.queryLength} queries and ${dims.keyLength} keys, ${describeLeak(cross.leaks)}: keys after the last query's position leak in`,
          { positions: [...new Set(cross.leaks.map((c) => c.query))], cells: cross.leaks },
        ),
      );
    } else {
      const checked = selfMap ? `all ${selfMap.queries}×${selfMap.keys} pairs checked` : 'checked';
      const align =
        alignment === 'top-left'
          ? `; with ${dims.queryLength} queries and ${dims.keyLength} keys the diagonal is top-left aligned (query i sees keys ≤ i — for KV-cache decoding the newest keys stay hidden; bottom-right is what a cache needs)`
          : alignment === 'bottom-right'
            ? `; with ${dims.queryLength} queries and ${dims.keyLength} keys the diagonal is bottom-right aligned (as a KV cache needs)`
            : '';
      this.checks.push(
        pass('causal-leak', `no leak: changing token j never changes an earlier position (${checked})${align}`, { values: alignment ? { alignment } : undefined }),
      );
    }
    if (self) {
      const blind = self.blind.length ? `; ${self.blind.length === 1 ? 'row' : 'rows'} ${listOf(self.blind)} ${self.blind.length === 1 ? 'sees' : 'see'} no key at all` : '';
      this.checks.push(
        self.selfBlind.length
          ? fail(
              'causal-self',
              `query ${listOf(self.selfBlind)} does not see its own token: the diagonal is masked too (triu without diagonal=1?)${blind}`,
              { positions: self.selfBlind, cells: self.selfBlind.map((i) => ({ query: i, key: i })) },
            )
          : pass('causal-self', 'every query sees its own token'),
      );
    } else {
      this.checks.push(skip('causal-self', 'not measured: the function does not run with query length = key length'));
    }
    return leaks;
  }

  /**
   * The weights the function actually used: read back with one-hot values (exact, because
   * attention is linear in V), else what it returned, else a captured softmax.
   */
  private async weights(setup: Setup, shape: TrialShape, inputs: QkvInputs, run: Run): Promise<WeightsView | undefined> {
    const d = inputs.v.shape[3];
    if (d >= shape.keyLength) {
      const v = oneHotValues(shape.batch, shape.kvHeads, shape.keyLength, d);
      const oneHot = await this.run(setup, shape, { q: inputs.q, k: inputs.k, v });
      if (oneHot.ok) {
        const p = sliceKeys(oneHot.output, shape.keyLength);
        // trust it only if the random-V output is exactly P·V (under either kv-head order)
        const linear = (['interleave', 'tile'] as HeadMapping[]).some((m) => {
          const recon = weightedSum(p, inputs.v, m);
          return agrees(maxAbsDiff(recon.data, run.output.data), run.output);
        });
        if (linear) return { p, source: 'recovered' };
      }
    }
    if (run.weights) return { ...run.weights, source: 'returned' };
    if (run.captured) return { ...run.captured, source: 'captured' };
    return undefined;
  }

  private weightChecks(w: WeightsView | undefined, inputs: QkvInputs, dims: ProbeDims): void {
    if (!w) {
      const why = 'the weights could not be read (the output is not a weighted sum of the value rows, and none were returned)';
      this.checks.push(skip('rows-sum-to-one', why), skip('softmax-axis', why), skip('scale', why));
      return;
    }
    const from = w.source === 'recovered' ? 'read back with one-hot values' : w.source === 'returned' ? 'as returned' : 'captured from softmax';
    const sums = axisSums(w.p);
    const axis = normalisedAxis(sums);
    const [, , lq, lk] = w.p.shape;
    if (axis === 'keys' && sums.nonFiniteRows.length) {
      this.checks.push(
        fail('rows-sum-to-one', `row${sums.nonFiniteRows.length > 1 ? 's' : ''} ${listOf(sums.nonFiniteRows)} of the weights ${sums.nonFiniteRows.length > 1 ? 'are' : 'is'} NaN; the other rows sum to 1 (weights ${from})`, {
          positions: sums.nonFiniteRows,
        }),
      );
    } else if (axis === 'keys') {
      this.checks.push(pass('rows-sum-to-one', `every row of the weights sums to 1 (max deviation ${formatNumber(sums.rowDeviation)}; weights ${from})`));
    } else {
      const shown = sums.badRows.slice(0, 4).map((i) => `${i}: ${formatNumber(sums.firstRowSums[i])}`);
      this.checks.push(
        fail('rows-sum-to-one', `rows of the weights do not sum to 1 (row sums ${shown.join(', ')}${sums.badRows.length > 4 ? ', …' : ''}; weights ${from})`, {
          positions: sums.badRows,
          values: { maxDeviation: sums.rowDeviation },
        }),
      );
    }
    const transposedNote = w.transposed ? ` The weights come back as [${lk} keys × ${lq} queries]: scores computed as K·Qᵀ?` : '';
    switch (axis) {
      case 'keys':
        this.checks.push(
          w.transposed
            ? fail('softmax-axis', `softmax over the key axis, but${transposedNote}`)
            : pass('softmax-axis', `softmax over the key axis (each of the ${lq} rows sums to 1 over ${lk} keys)`),
        );
        break;
      case 'queries':
        this.checks.push(
          fail(
            'softmax-axis',
            `softmax over the wrong axis: each column (key) sums to 1 over the ${lq} queries instead of each row over the ${lk} keys — normalise over the last (key) axis.${transposedNote}`,
            { values: { normalisedAxis: 'queries', columnDeviation: sums.columnDeviation } },
          ),
        );
        break;
      case 'heads':
        this.checks.push(fail('softmax-axis', 'softmax over the head axis: the weights sum to 1 across heads, not across keys', { values: { normalisedAxis: 'heads' } }));
        break;
      default:
        this.checks.push(
          fail('softmax-axis', `the weights are not normalised over any axis (row sums up to ${formatNumber(1 + sums.rowDeviation)}): is the softmax missing or applied before the mask?`, {
            values: { normalisedAxis: 'none' },
          }),
        );
    }
    // 5. scale
    const fitAxis = axis === 'keys' || axis === 'queries' ? axis : undefined;
    const fit = fitAxis ? bestScaleFit(w.p, inputs.q, inputs.k, fitAxis) : undefined;
    const expected = 1 / Math.sqrt(dims.headSize);
    const scaleParam = parameterWithRole(this.ctx.plan, 'scale');
    const passedScale = scaleParam && !scaleParam.hasDefault ? ` (the probe passed ${scaleParam.name}=${formatNumber(expected)})` : '';
    if (!fit || fit.r2 < 0.999) {
      this.checks.push(
        skip('scale', `the scale is not measurable: the weights are not a softmax of scaled q·k${fit ? ` (fit R² = ${formatNumber(fit.r2)})` : ''}`),
      );
    } else if (Math.abs(fit.scale / expected - 1) <= 0.01) {
      this.checks.push(
        pass('scale', `scale 1/√d_k = ${formatNumber(expected)} (measured ${formatNumber(fit.scale)})${passedScale}`, { values: { scale: fit.scale, expected } }),
      );
    } else {
      this.checks.push(
        fail(
          'scale',
          `the effective scale is ${formatNumber(fit.scale)} (${describeScale(fit.scale, dims.headSize, dims.modelWidth)}); expected 1/√d_k = 1/√${dims.headSize} = ${formatNumber(expected)}${passedScale}`,
          { values: { scale: fit.scale, expected, r2: fit.r2 } },
        ),
      );
    }
    this.fittedMapping = fit?.mapping;
    this.fittedScale = fit && fit.r2 >= 0.999 ? fit.scale : undefined;
  }

  private referenceCheck(output: Tensor, inputs: QkvInputs, modes: (CausalAlignment | false)[], shape: TrialShape, w: WeightsView | undefined): ProbeCheck {
    const best = this.closest(output, inputs, modes);
    const where = `q ${shapeText(inputs.q.shape)}, k/v ${shapeText(inputs.k.shape)} (reference layout)`;
    const modeText = (m: CausalAlignment | false) =>
      [
        this.window !== undefined ? `causal window of ${this.window}` : m ? `causal, ${m}` : 'not causal',
        ...(this.rotary ? ['RoPE on q and k'] : []),
      ].join(', ');
    if (agrees(best.diff, best.result.output)) {
      return pass('reference-agreement', `matches the reference engine (${modeText(best.causal)}) on ${where}: max |Δ| = ${formatNumber(best.diff)}`, {
        values: { maxAbsDiff: best.diff, causal: best.causal || 'none' },
      });
    }
    // name the difference when one change makes it agree
    const explanations: string[] = [];
    const gqa = shape.kvHeads !== shape.queryHeads && shape.kvHeads > 1;
    if (gqa) {
      const tiled = this.closest(output, inputs, modes, { mapping: 'tile' });
      if (agrees(tiled.diff, tiled.result.output) || this.fittedMapping === 'tile') {
        explanations.push(`key/value heads are tiled [k0, k1, k0, k1, …] instead of repeated in place [k0, k0, k1, k1, …] (repeat_interleave)`);
      }
    }
    if (this.fittedScale !== undefined) {
      const rescaled = this.closest(output, inputs, modes, { scale: this.fittedScale });
      if (agrees(rescaled.diff, rescaled.result.output)) explanations.push(`it matches at scale ${formatNumber(this.fittedScale)}: the scale is the only difference`);
    }
    if (modes[0] !== false) {
      const e = this.effective(inputs);
      const bidirectional = closestReference(output, e.q, e.k, e.v, [false]);
      if (agrees(bidirectional.diff, bidirectional.result.output)) explanations.push('it matches the NON-causal reference: the causal mask has no effect');
    }
    if (this.window !== undefined) {
      for (const w of [this.window + 1, this.window - 1].filter((x) => x >= 1)) {
        const e = this.effective(inputs);
        const other = closestWindowReference(output, e.q, e.k, e.v, w, modes);
        if (agrees(other.diff, other.result.output)) explanations.push(`it matches a window of ${w} keys, not ${this.window}: the bound is off by one`);
      }
    }
    if (this.rotary) {
      const why = rotaryExplanation(output, inputs, 0, this.rotary.pairing, modes);
      if (why) explanations.push(why);
    }
    if (w?.transposed) explanations.push('the scores are transposed (keys × queries)');
    if (Number.isNaN(best.diff)) explanations.push(`the output has NaN at query position${nonFiniteRows(output, 2).length > 1 ? 's' : ''} ${listOf(nonFiniteRows(output, 2))}, where the reference is finite`);
    const because = explanations.length ? `: ${explanations.join('; ')}` : '';
    return fail('reference-agreement', `differs from the reference engine (${modeText(best.causal)}) on ${where}${Number.isNaN(best.diff) ? '' : `: max |Δ| = ${formatNumber(best.diff)}`}${because}`, {
      values: { maxAbsDiff: best.diff, causal: best.causal || 'none' },
    });
  }

  /** Which mask convention is honoured, then NaN on fully masked rows under it. */
  private async maskChecks(setup: Setup, shape: TrialShape, inputs: QkvInputs, own: DependencyMap | undefined, causal: boolean): Promise<void> {
    const { queryLength: lq, keyLength: lk } = shape;
    const keep = keepPattern(lq, lk, this.ctx.seed + 7);
    const expected = (i: number, j: number) => keep[i * lk + j] === 1 && (!causal || !own || own.depends[i][j]);
    const testColumns: number[] = [];
    for (let j = 0; j < lk && testColumns.length < 3; j++) {
      let yes = 0;
      for (let i = 0; i < lq; i++) if (expected(i, j)) yes++;
      if (yes > 0 && yes < lq) testColumns.push(j);
    }
    let winner: MaskConvention | undefined;
    let best: { convention: MaskConvention; wrong: { cell: ProbeCell; kind: 'ignored' | 'leaked' }[] } | undefined;
    const errors: string[] = [];
    for (const convention of MASK_CONVENTIONS) {
      const mask = encodeMask(keep, lq, lk, convention);
      const base = await this.run(setup, shape, inputs, mask);
      if (!base.ok) {
        errors.push(`${convention}: ${base.message}`);
        continue;
      }
      const wrong: { cell: ProbeCell; kind: 'ignored' | 'leaked' }[] = [];
      for (const j of testColumns) {
        const moved = await this.run(setup, shape, perturbKeyPosition(inputs, j, this.ctx.seed + 300 + j), mask);
        if (!moved.ok) {
          wrong.push({ cell: { query: 0, key: j }, kind: 'ignored' });
          continue;
        }
        const rows = changedRows(base.output, moved.output, 2);
        for (let i = 0; i < lq; i++) {
          if (rows[i] !== expected(i, j)) wrong.push({ cell: { query: i, key: j }, kind: rows[i] ? 'leaked' : 'ignored' });
        }
      }
      if (wrong.length === 0) {
        winner = convention;
        break;
      }
      if (!best || wrong.length < best.wrong.length) best = { convention, wrong };
    }
    if (winner) {
      this.checks.push(pass('mask-convention', `the mask is honoured; its convention: ${describeConvention(winner)}`, { values: { convention: winner } }));
    } else if (!best) {
      const why = `the function rejected every mask form tried (${firstLine(errors[0] ?? '')})`;
      this.checks.push(skip('mask-convention', why), skip('masked-rows-nan', why));
      return;
    } else {
      const leak = best.wrong.find((w) => w.kind === 'leaked') ?? best.wrong[0];
      const detail =
        leak.kind === 'leaked'
          ? `position ${leak.cell.query} changes when masked key ${leak.cell.key} changes`
          : `position ${leak.cell.query} ignores key ${leak.cell.key}, which the mask keeps`;
      this.checks.push(
        fail('mask-convention', `the mask is not honoured under any convention (closest: ${describeConvention(best.convention)}): ${detail} — is it applied after the softmax, or to the wrong axis?`, {
          cells: best.wrong.map((w) => w.cell),
        }),
      );
      this.checks.push(skip('masked-rows-nan', 'not measured: no mask convention is honoured'));
      return;
    }
    // fully masked rows: every key blocked for two queries
    const blocked = [Math.min(1, lq - 1), Math.max(0, lq - 2)].filter((v, i, a) => a.indexOf(v) === i);
    const keep2 = Uint8Array.from(keep);
    for (const r of blocked) keep2.fill(0, r * lk, (r + 1) * lk);
    const run = await this.run(setup, shape, inputs, encodeMask(keep2, lq, lk, winner));
    if (!run.ok) {
      this.checks.push(fail('masked-rows-nan', `with query rows ${listOf(blocked)} fully masked the function raises: ${run.message}`, { positions: blocked }));
      return;
    }
    const bad = nonFiniteRows(run.output, 2);
    this.checks.push(
      bad.length
        ? fail(
            'masked-rows-nan',
            `fully masked query rows ${listOf(blocked)} give NaN in the output (rows ${listOf(bad)}): softmax of a row of -inf is 0/0 — use a finite fill such as finfo.min, or zero those rows`,
            { positions: bad },
          )
        : pass('masked-rows-nan', `fully masked query rows ${listOf(blocked)} give finite output (no NaN)`),
    );
  }
}

/** out[..., :Lk] of a [B, H, L, D] tensor. */
function sliceKeys(t: Tensor, keyLength: number): Tensor {
  const [b, h, l, d] = t.shape;
  const out = new Float32Array(b * h * l * keyLength);
  for (let r = 0; r < b * h * l; r++) for (let j = 0; j < keyLength; j++) out[r * keyLength + j] = t.data[r * d + j];
  return { data: out, shape: [b, h, l, keyLength] };
}

/** Σ_j P[b, h, i, j] · V[b, kv(h), j, :] */
function weightedSum(p: Tensor, v: Tensor, mapping: HeadMapping): Tensor {
  const [b, hq, lq, lk] = p.shape;
  const [, hkv, , dv] = v.shape;
  const out = new Float32Array(b * hq * lq * dv);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const kh = hq % hkv === 0 ? kvHead(h, hq, hkv, mapping) : 0;
      for (let i = 0; i < lq; i++) {
        for (let j = 0; j < lk; j++) {
          const w = p.data[((bi * hq + h) * lq + i) * lk + j];
          if (w === 0) continue;
          const vo = ((bi * hkv + kh) * lk + j) * dv;
          const oo = ((bi * hq + h) * lq + i) * dv;
          for (let e = 0; e < dv; e++) out[oo + e] += w * v.data[vo + e];
        }
      }
    }
  }
  return { data: out, shape: [b, hq, lq, dv] };
}

export function probeKernel(ctx: ProbeContext): Promise<ProbeResult> {
  return new KernelProbe(ctx).probe();
}
