import { toAggregate, toRangeAggregates } from "../model/aggregates.js";
import type { SeriesGrain } from "../model/series.js";
import { toSeries } from "../model/series.js";
import type { Micros } from "../model/timestamp.js";
import type { DataInterface } from "../backend/data-interface.js";

/** Stores nothing: the upper bound on speed that benchmarks compare against. */
export class NullBackend implements DataInterface {
  async logInitial(_uuid: string, _symbol: string, guess: boolean) {
    return { guess };
  }

  async logFollowup(_uuid: string) {}

  async symbolAggregates(symbol: string) {
    return toAggregate(symbol, undefined);
  }

  async rangeAggregates() {
    return toRangeAggregates(new Map());
  }

  async seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    return toSeries({ grain, lower, upper }, symbol ?? null, new Map());
  }

  async close() {}
}
