import type { Micros } from "../model/timestamp.js";
import { GRAINS, type Grain } from "../model/grains.js";

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
 * Tiles [lower, upper) with the largest whole buckets that fit (the coarsest in the middle,
 * ever finer grains towards the ends) and leaves at most two edges shorter than 100 ms to count from the
 * sessions themselves. A week with date bounds is at most 7 day buckets per symbol and no edge.
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
