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
  const initialOf = new Map<string, GeneratedEvent>();
  for (const e of events) if (e.kind === "initial") initialOf.set(e.uuid, e);
  return SYMBOLS.map((symbol) => {
    const initials = events.filter(
      (e) => e.kind === "initial" && e.symbol === symbol && e.at >= lower && e.at < upper,
    );
    const inRange = new Set(initials.map((e) => e.uuid));
    const followups = events.filter((e) => e.kind === "followup" && inRange.has(e.uuid)).length;
    const times = initials.map((e) => e.at);
    const earliest = times.reduce((a, b) => Math.min(a, b), Infinity);
    const latest = times.reduce((a, b) => Math.max(a, b), -Infinity);
    return {
      symbol,
      count: initials.length,
      earliest: times.length ? formatMicros(earliest) : null,
      latest: times.length ? formatMicros(latest) : null,
      followups,
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
