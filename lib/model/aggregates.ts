import { SYMBOLS } from "./symbols.js";
import { formatMicros, type Micros } from "./timestamp.js";

/** One dashboard entry, exactly as SPEC shapes it on the wire. */
export interface SymbolAggregate {
  symbol: string;
  count: number;
  earliest: string | null;
  latest: string | null;
  followups: number;
}

/** A backend's raw per-symbol numbers, before formatting. */
export interface SymbolTotals {
  count: number;
  followups: number;
  earliest: Micros | null;
  latest: Micros | null;
}

export function toAggregate(symbol: string, totals: SymbolTotals | undefined): SymbolAggregate {
  if (!totals || totals.count === 0) {
    return { symbol, count: 0, earliest: null, latest: null, followups: 0 };
  }
  return {
    symbol,
    count: totals.count,
    earliest: totals.earliest === null ? null : formatMicros(totals.earliest),
    latest: totals.latest === null ? null : formatMicros(totals.latest),
    followups: totals.followups,
  };
}

/** The 26 entries a..z, filling symbols a backend had nothing for with SPEC's empty shape. */
export function toRangeAggregates(totalsBySymbol: ReadonlyMap<string, SymbolTotals>) {
  return SYMBOLS.map((symbol) => toAggregate(symbol, totalsBySymbol.get(symbol)));
}
