import {
  formatMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  type Micros,
} from "./timestamp.js";

/**
 * The grains the time series is answered at. Buckets align to the epoch in UTC, as the graph's
 * buckets do: a day bucket is a UTC day, an hour bucket starts at a whole UTC hour.
 */
export const SERIES_GRAINS = {
  minute: MICROS_PER_MINUTE,
  hour: MICROS_PER_HOUR,
  day: MICROS_PER_DAY,
} as const;

export type SeriesGrain = keyof typeof SERIES_GRAINS;

/** At most this many buckets per reply: a day of minutes, two months of hours, four years of days. */
export const MAX_SERIES_BUCKETS = 1500;

/** One bucket on the wire: `start` formatted like every time in a response. */
export interface SeriesBucket {
  start: string;
  initials: number;
  followups: number;
}

/** GET /dashboard/series: every bucket of `[lower, upper)`, in time order, zero-filled. */
export interface Series {
  grain: SeriesGrain;
  /** The letter asked for, or null for all letters together. */
  symbol: string | null;
  /** The bounds actually answered: the requested ones widened to whole buckets. */
  lower: string;
  upper: string;
  buckets: SeriesBucket[];
}

/** The bucket-aligned span a request asks for; what backends are given. */
export interface SeriesSpan {
  grain: SeriesGrain;
  /** A bucket start (a multiple of the grain). */
  lower: Micros;
  /** A bucket start, >= lower; the span has (upper - lower) / grain buckets. */
  upper: Micros;
}

/** Counts per bucket start, as a backend found them; absent starts are zero. */
export type BucketCounts = ReadonlyMap<Micros, { initials: number; followups: number }>;

/**
 * Widens `[lower, upper)` to whole buckets: lower rounded down, upper rounded up to the grain.
 * An empty range stays empty (no bucket). The caller checks the bucket count.
 */
export function seriesSpan(lower: Micros, upper: Micros, grain: SeriesGrain): SeriesSpan {
  const width = SERIES_GRAINS[grain];
  const from = Math.floor(lower / width) * width;
  const to = upper <= lower ? from : Math.ceil(upper / width) * width;
  return { grain, lower: from, upper: to };
}

export function bucketCount(span: SeriesSpan): number {
  return (span.upper - span.lower) / SERIES_GRAINS[span.grain];
}

/** The bucket starts of a span, in order. */
export function bucketStarts(span: SeriesSpan): Micros[] {
  const width = SERIES_GRAINS[span.grain];
  const starts: Micros[] = [];
  for (let start = span.lower; start < span.upper; start += width) starts.push(start);
  return starts;
}

/** The reply for `span`, with every bucket present and those a backend did not find at zero. */
export function toSeries(span: SeriesSpan, symbol: string | null, counts: BucketCounts): Series {
  return {
    grain: span.grain,
    symbol,
    lower: formatMicros(span.lower),
    upper: formatMicros(span.upper),
    buckets: bucketStarts(span).map((start) => {
      const found = counts.get(start);
      return {
        start: formatMicros(start),
        initials: found?.initials ?? 0,
        followups: found?.followups ?? 0,
      };
    }),
  };
}
