// Keeps the attention weights of the runs a panel shows, under a memory budget.
// The newest run is kept whole while it fits; when the budget is exceeded, the least
// recently used layers lose their full-resolution weights (thumbnails and patterns are
// kept by the panel) and are recomputed on demand by asking the engine for that layer.
import type { LayerAttention } from '../engine/engine-api';

interface StoredLayer {
  attention: LayerAttention;
  lastUsed: number;
}

export class RunStore {
  private readonly layers = new Map<string, StoredLayer>();
  private bytes = 0;
  private clock = 0;

  constructor(private budgetBytes: number) {}

  private static key(runId: number, layer: number, kind: string): string {
    return `${runId}/${layer}/${kind}`;
  }

  setBudget(bytes: number): void {
    this.budgetBytes = bytes;
    this.evict();
  }

  get usedBytes(): number {
    return this.bytes;
  }

  put(attention: LayerAttention): void {
    const key = RunStore.key(attention.runId, attention.layer, attention.kind);
    const old = this.layers.get(key);
    if (old) this.bytes -= old.attention.weights.byteLength;
    this.layers.set(key, { attention, lastUsed: ++this.clock });
    this.bytes += attention.weights.byteLength;
    this.evict(key);
  }

  get(runId: number, layer: number, kind = 'self'): LayerAttention | undefined {
    const entry = this.layers.get(RunStore.key(runId, layer, kind));
    if (!entry) return undefined;
    entry.lastUsed = ++this.clock;
    return entry.attention;
  }

  /** Drops every layer of runs other than `keepRunId`. */
  dropOtherRuns(keepRunId: number): void {
    for (const [key, entry] of this.layers) {
      if (entry.attention.runId !== keepRunId) {
        this.bytes -= entry.attention.weights.byteLength;
        this.layers.delete(key);
      }
    }
  }

  clear(): void {
    this.layers.clear();
    this.bytes = 0;
  }

  private evict(protectKey?: string): void {
    while (this.bytes > this.budgetBytes && this.layers.size > 0) {
      let victim: string | undefined;
      let oldest = Infinity;
      for (const [key, entry] of this.layers) {
        if (key !== protectKey && entry.lastUsed < oldest) {
          oldest = entry.lastUsed;
          victim = key;
        }
      }
      if (victim === undefined) break; // only the protected layer is left: keep it even if over budget
      this.bytes -= this.layers.get(victim)!.attention.weights.byteLength;
      this.layers.delete(victim);
    }
  }
}
