import type { Micros } from "../model/timestamp.js";
import type { LoggedEvent } from "./logged-event.js";
import { bucketStart, GRAINS, type Grain } from "./range-plan.js";

/** What the graph keeps per Symbol and per Bucket: the dashboard entry, before formatting. */
export interface Totals {
  initials: number;
  followups: number;
  earliest: Micros | null;
  latest: Micros | null;
}

export interface BucketKey {
  grain: Grain;
  start: Micros;
  symbol: string;
}

/**
 * Sums events into per-symbol and per-bucket totals: what a projection transaction adds to the
 * graph, and what a bulk import writes whole. A followup counts where its session's initial is.
 */
export class EventTotals {
  readonly symbols = new Map<string, Totals>();
  private readonly buckets = new Map<string, Totals>();

  add(event: LoggedEvent): void {
    const initialAt = event.kind === "initial" ? event.at : null;
    addTo(this.symbols, event.symbol, initialAt);
    for (const { grain, micros } of GRAINS) {
      addTo(
        this.buckets,
        `${grain} ${bucketStart(event.sessionAt, micros)} ${event.symbol}`,
        initialAt,
      );
    }
  }

  *bucketEntries(): Generator<[BucketKey, Totals]> {
    for (const [key, totals] of this.buckets) {
      const [grain, start, symbol] = key.split(" ") as [Grain, string, string];
      yield [{ grain, start: Number(start), symbol }, totals];
    }
  }
}

function addTo(totals: Map<string, Totals>, key: string, initialAt: Micros | null) {
  let entry = totals.get(key);
  if (!entry) {
    entry = { initials: 0, followups: 0, earliest: null, latest: null };
    totals.set(key, entry);
  }
  if (initialAt === null) {
    entry.followups++;
    return;
  }
  entry.initials++;
  if (entry.earliest === null || initialAt < entry.earliest) entry.earliest = initialAt;
  if (entry.latest === null || initialAt > entry.latest) entry.latest = initialAt;
}
