// ATTN017 rope-misapplied: rotary embeddings rotate q and k (never v), each exactly once,
// with a cos/sin table built for the same pairing convention as the rotation, at positions
// that include the cache offset during decoding.
import type { FunctionFacts, RopeEvent } from '../analysis/facts';
import type { PyRuleContext, Rule } from './rule';

const V_NAME = /^(v|value|values|xv|v_states|value_states|v_h|vh|v_rot|v_)$/;
const VALUE_ROPE_DESIGN = /value[_ -]?pe|value[_ -]?rope|counter-?rotat|inverse rotation|derotat|unrotat/i;

/** `cos, sin = self.rotary_emb(value_states, seq_len=…)` computes tables; it rotates nothing. */
function isTableCall(e: RopeEvent): boolean {
  const callee = e.node.child('function')?.text ?? '';
  if (/apply|rotate/i.test(callee)) return false;
  const parent = e.node.parent;
  if (parent?.type === 'assignment') {
    const left = parent.child('left')?.text ?? '';
    if (/cos|sin|freq|emb|cache|table/i.test(left)) return true;
  }
  return /rotary_emb(edding)?$|rope_cache|get_rope|build_rope|precompute/i.test(callee);
}

function checkFunction(ctx: PyRuleContext, f: FunctionFacts): void {
  const ropes = f.ropes.filter((e) => !isTableCall(e));
  if (ropes.length === 0) return;
  const hasInverse = ropes.some((e) => e.inverse) || VALUE_ROPE_DESIGN.test(f.docText);
  // V rotated.
  if (!hasInverse) {
    for (const e of ropes) {
      for (const a of e.args) {
        const root = a.node.text.replace(/\[.*$/, '');
        if (a.val.role === 'v' || V_NAME.test(root)) {
          ctx.report(a.node, 'RoPE is applied to the values: rotary embeddings belong on q and k only (they make q·k depend on relative position); rotating v scrambles the output features.');
        }
      }
    }
  }
  // Rotated twice.
  for (const e of ropes) {
    if (e.inner || hasInverse) continue;
    const again = e.args.filter((a) => a.val.rotations && a.val.rotations.length >= 1).map((a) => a.node.text);
    if (again.length) {
      ctx.report(e.node, `${again.map((t) => `\`${t}\``).join(' and ')} ${again.length > 1 ? 'are' : 'is'} already rotated (RoPE applied twice): the angle doubles and relative positions are wrong.`);
    }
  }
  // Only one of q/k rotated before the score product.
  const qRot = ropes.filter((e) => e.args.some((a) => a.val.role === 'q'));
  const kRot = ropes.filter((e) => e.args.some((a) => a.val.role === 'k'));
  const usesScores = f.scores.length > 0 || f.sdpa.length > 0 || f.flashAttn.length > 0;
  if (usesScores && qRot.length > 0 && kRot.length === 0) {
    const kCached = f.scores.some((s) => s.k.cached) || f.sdpa.some((c) => c.positional[1]?.cached);
    if (!kCached) ctx.report(qRot[0].node, 'RoPE is applied to q but not to k: q·k then depends on absolute query position instead of the relative offset. Rotate k with the same positions.');
  } else if (usesScores && kRot.length > 0 && qRot.length === 0) {
    ctx.report(kRot[0].node, 'RoPE is applied to k but not to q: rotate both with the same positions.');
  }
  // Positions that ignore the cache offset.
  if (f.kvCache) {
    for (const e of ropes) {
      for (const a of e.all) {
        const p = a.val.positionsNoOffset;
        if (p) ctx.report(p, 'With a KV cache the new tokens sit at positions past_len … past_len + T − 1, but these RoPE positions start at 0: the rotation angles repeat those of the cached prefix. Offset them by the cache length.', { anchor: e.node });
      }
    }
  }
}

export const ropeMisapplied: Rule = {
  meta: {
    code: 'ATTN017',
    name: 'rope-misapplied',
    severity: 'error',
    summary: 'RoPE applied to V, to only one of q/k, twice, with mismatched pairing, or at positions without the cache offset.',
    lesson: 'positions',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) checkFunction(ctx, f);
  },
  file(ctx) {
    const tables = ctx.summaries.flatMap((s) => s.ropeTables);
    const rotations = ctx.summaries.flatMap((s) => s.ropeRotations);
    if (!tables.length || !rotations.length) return;
    const tableKinds = new Set(tables.map((t) => t.convention));
    if (tableKinds.size !== 1) return;
    const table = tables[0].convention;
    const rotKinds = new Set(rotations.map((r) => r.convention));
    if (rotKinds.size !== 1 || rotKinds.has(table)) return;
    const describe = (c: string): string => (c === 'half' ? 'half-split (GPT-NeoX: i with i + d/2)' : 'interleaved (GPT-J: 2i with 2i + 1)');
    const first = rotations[0];
    ctx.report(first.start, first.end, `The cos/sin table is laid out for ${describe(table)} pairs, but this rotation pairs features ${describe(first.convention)}: every feature is rotated with its neighbour's angle.`);
  },
};
