import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  type Micros,
} from "../model/timestamp.js";

const MICROS_PER_MILLI = 1000;

/**
 * The bucket grains the projection maintains, coarsest first, each a whole number of the next.
 * More grains mean more bucket updates per write batch but fewer buckets per range: a range's
 * ragged ends need at most 23 hours, 5 ten-minute, 9 minute, 5 ten-second, 9 second, and 9 each
 * of 100, 10 and 1 ms buckets, and what is left at each end is shorter than a millisecond. The
 * sub-second grains are there for dense traffic: at 10^5 initials a minute a millisecond holds
 * about two, so the sessions counted one by one stay a handful whatever the density up to
 * ~10^6 a minute, where a minute-fine edge would be up to two minutes of them.
 */
export const GRAINS = [
  { grain: "day", micros: MICROS_PER_DAY },
  { grain: "hour", micros: MICROS_PER_HOUR },
  { grain: "10min", micros: 10 * MICROS_PER_MINUTE },
  { grain: "minute", micros: MICROS_PER_MINUTE },
  { grain: "10s", micros: 10 * MICROS_PER_SECOND },
  { grain: "second", micros: MICROS_PER_SECOND },
  { grain: "100ms", micros: 100 * MICROS_PER_MILLI },
  { grain: "10ms", micros: 10 * MICROS_PER_MILLI },
  { grain: "ms", micros: MICROS_PER_MILLI },
] as const;

export type Grain = (typeof GRAINS)[number]["grain"];

export interface BucketSpan {
  grain: Grain;
  /** Bucket starts in [from, to) are wholly inside the range. */
  from: Micros;
  to: Micros;
}

export interface EdgeSpan {
  from: Micros;
  to: Micros;
}

export interface RangePlan {
  bucketSpans: BucketSpan[];
  edgeSpans: EdgeSpan[];
}

/**
 * Tiles [lower, upper) with the largest whole buckets that fit (days in the middle, then ever
 * finer grains towards the ends) and leaves at most two sub-millisecond edges to count from the
 * sessions themselves. A week with date bounds is 7 day buckets per symbol and no edge.
 */
export function planRange(lower: Micros, upper: Micros): RangePlan {
  const plan: RangePlan = { bucketSpans: [], edgeSpans: [] };
  const cover = (from: Micros, to: Micros, level: number) => {
    if (from >= to) return;
    const grain = GRAINS[level];
    if (!grain) {
      plan.edgeSpans.push({ from, to });
      return;
    }
    const first = Math.ceil(from / grain.micros) * grain.micros;
    const end = Math.floor(to / grain.micros) * grain.micros;
    if (first >= end) return cover(from, to, level + 1);
    plan.bucketSpans.push({ grain: grain.grain, from: first, to: end });
    cover(from, first, level + 1);
    cover(end, to, level + 1);
  };
  cover(lower, upper, 0);
  return plan;
}
