import type { SymbolAggregate } from "../../lib/model/aggregates.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { formatMicros, type Micros } from "../../lib/model/timestamp.js";
import type { GeneratedEvent } from "./event-stream.js";

/**
 * The answers computed the plainest way from the generated events, independently of every
 * backend: the ground truth the dashboards are held to.
 */
export function expectedRange(
  events: readonly GeneratedEvent[],
  lower: Micros = -Infinity,
  upper: Micros = Infinity,
): SymbolAggregate[] {
  // One pass: the initials in range by symbol (count, times, uuids), then their followups.
  const initials = new Map<string, number[]>(SYMBOLS.map((symbol) => [symbol, []]));
  const symbolOf = new Map<string, string>();
  for (const e of events) {
    if (e.kind !== "initial" || e.at < lower || e.at >= upper) continue;
    initials.get(e.symbol)!.push(e.at);
    symbolOf.set(e.uuid, e.symbol);
  }
  const followups = new Map<string, number>(SYMBOLS.map((symbol) => [symbol, 0]));
  for (const e of events) {
    const symbol = e.kind === "followup" ? symbolOf.get(e.uuid) : undefined;
    if (symbol !== undefined) followups.set(symbol, followups.get(symbol)! + 1);
  }
  return SYMBOLS.map((symbol) => {
    const times = initials.get(symbol)!;
    const earliest = times.reduce((a, b) => Math.min(a, b), Infinity);
    const latest = times.reduce((a, b) => Math.max(a, b), -Infinity);
    return {
      symbol,
      count: times.length,
      earliest: times.length ? formatMicros(earliest) : null,
      latest: times.length ? formatMicros(latest) : null,
      followups: followups.get(symbol)!,
    };
  });
}

export function expectedSymbol(events: readonly GeneratedEvent[], symbol: string) {
  return expectedRange(events).find((a) => a.symbol === symbol)!;
}

/**
 * GET /dashboard/series computed the plainest way: every bucket of `width` µs from `lower` to
 * `upper` (both bucket starts), initials of `symbol` (or all) in it and their followups.
 */
export function expectedSeries(
  events: readonly GeneratedEvent[],
  lower: Micros,
  upper: Micros,
  width: number,
  symbol?: string,
) {
  const buckets: { start: string; initials: number; followups: number }[] = [];
  const initialOf = new Map<string, GeneratedEvent>();
  for (const e of events) if (e.kind === "initial") initialOf.set(e.uuid, e);
  const index = new Map<number, { initials: number; followups: number }>();
  for (let start = lower; start < upper; start += width) {
    const bucket = { start: formatMicros(start), initials: 0, followups: 0 };
    buckets.push(bucket);
    index.set(start, bucket);
  }
  for (const e of events) {
    const initial = e.kind === "initial" ? e : initialOf.get(e.uuid)!;
    if (symbol !== undefined && initial.symbol !== symbol) continue;
    const bucket = index.get(initial.at - (((initial.at % width) + width) % width));
    if (!bucket) continue;
    if (e.kind === "initial") bucket.initials++;
    else bucket.followups++;
  }
  return buckets;
}
