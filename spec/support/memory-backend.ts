import type { DataInterface, WriteOptions } from "../../lib/backend/data-interface.js";
import { planBatch, type KeyedRequest, type KnownSession } from "../../lib/log/batch-plan.js";
import type { LoggedEvent } from "../../lib/log/logged-event.js";
import { toAggregate, toRangeAggregates, type SymbolTotals } from "../../lib/model/aggregates.js";
import { SERIES_GRAINS, toSeries, type SeriesGrain } from "../../lib/model/series.js";
import { nowMicros, type Micros } from "../../lib/model/timestamp.js";

/**
 * A fake for the HTTP specs' fast layer: the graph backend's session rules (the same pure
 * planBatch the real log runs) over an array in memory, answered by scanning it. No store, so
 * the whole HTTP contract runs in-process in seconds.
 */
export class MemoryBackend implements DataInterface {
  readonly events: LoggedEvent[] = [];
  private readonly sessions = new Map<string, KnownSession>();
  private readonly keys = new Map<string, KeyedRequest>();

  constructor(private readonly clock: () => Micros = nowMicros) {}

  async logInitial(uuid: string, symbol: string, guess: boolean, options?: WriteOptions) {
    const [outcome] = this.append({
      kind: "initial",
      uuid,
      symbol,
      guess,
      at: this.clock(),
      key: options?.key,
    });
    if ("error" in outcome!) throw outcome.error;
    return { guess: outcome!.guess! };
  }

  async logFollowup(uuid: string, options?: WriteOptions) {
    const [outcome] = this.append({ kind: "followup", uuid, at: this.clock(), key: options?.key });
    if ("error" in outcome!) throw outcome.error;
  }

  async symbolAggregates(symbol: string) {
    return toAggregate(symbol, this.totals(() => true).get(symbol));
  }

  async rangeAggregates(lower: Micros, upper: Micros) {
    return toRangeAggregates(this.totals((at) => at >= lower && at < upper));
  }

  async seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    const width = SERIES_GRAINS[grain];
    const counts = new Map<Micros, { initials: number; followups: number }>();
    for (const event of this.events) {
      if (event.sessionAt < lower || event.sessionAt >= upper) continue;
      if (symbol !== undefined && event.symbol !== symbol) continue;
      const start = Math.floor(event.sessionAt / width) * width;
      const entry = counts.get(start) ?? { initials: 0, followups: 0 };
      if (event.kind === "initial") entry.initials++;
      else entry.followups++;
      counts.set(start, entry);
    }
    return toSeries({ grain, lower, upper }, symbol ?? null, counts);
  }

  async close() {}

  private append(request: Parameters<typeof planBatch>[2][number]) {
    const plan = planBatch(1, this.events.length, [request], this.sessions, this.keys);
    this.events.push(...plan.events);
    return plan.outcomes;
  }

  /** Per symbol, over the sessions whose initial time passes `inRange`. */
  private totals(inRange: (at: Micros) => boolean) {
    const totals = new Map<string, SymbolTotals>();
    for (const event of this.events) {
      if (!inRange(event.sessionAt)) continue;
      const entry = totals.get(event.symbol) ?? {
        count: 0,
        followups: 0,
        earliest: null,
        latest: null,
      };
      if (event.kind === "followup") entry.followups++;
      else {
        entry.count++;
        entry.earliest = entry.earliest === null ? event.at : Math.min(entry.earliest, event.at);
        entry.latest = entry.latest === null ? event.at : Math.max(entry.latest, event.at);
      }
      totals.set(event.symbol, entry);
    }
    return totals;
  }
}
