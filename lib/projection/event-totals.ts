import type { Micros } from "../model/timestamp.js";
import type { LoggedEvent } from "../log/logged-event.js";
import { SYMBOLS } from "../model/symbols.js";
import { GRAINS, type Grain } from "../model/grains.js";
import { TotalsTable } from "./totals-table.js";

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

// Buckets align to the epoch (UTC): bucket n of a grain starts at n × its width. A bucket's map
// key is n × SYMBOL_SLOTS + the symbol's index, a number rather than a string because a bulk
// rebuild adds every event of the log to a bucket of every grain. Exact: at the finest grain
// (1 ms) n × 32 stays below 2^53 for any time a Micros holds.
const SYMBOL_SLOTS = 32;
const SYMBOL_INDEX = new Map(SYMBOLS.map((symbol, index) => [symbol, index]));

/**
 * Sums events into per-symbol and per-bucket totals: what a projection transaction adds to the
 * graph, and what a bulk import writes whole. A followup counts where its session's initial is.
 */
export class EventTotals {
  readonly symbols = new Map<string, Totals>();
  private readonly buckets = GRAINS.map(() => new TotalsTable());

  add(event: LoggedEvent): void {
    const initialAt = event.kind === "initial" ? event.at : null;
    addTo(this.symbols, event.symbol, initialAt);
    const symbolIndex = SYMBOL_INDEX.get(event.symbol)!;
    for (let level = 0; level < GRAINS.length; level++) {
      const slot = Math.floor(event.sessionAt / GRAINS[level]!.micros);
      this.buckets[level]!.add(slot * SYMBOL_SLOTS + symbolIndex, initialAt);
    }
  }

  *bucketEntries(): Generator<[BucketKey, Totals]> {
    for (const [level, { grain, micros }] of GRAINS.entries()) {
      for (const [key, initials, followups, earliest, latest] of this.buckets[level]!.entries()) {
        const slot = Math.floor(key / SYMBOL_SLOTS);
        const symbol = SYMBOLS[key - slot * SYMBOL_SLOTS]!;
        yield [
          { grain, start: slot * micros, symbol },
          {
            initials,
            followups,
            earliest: Number.isNaN(earliest) ? null : earliest,
            latest: Number.isNaN(latest) ? null : latest,
          },
        ];
      }
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
