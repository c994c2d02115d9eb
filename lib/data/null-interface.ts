import { toAggregate, toRangeAggregates } from "../model/aggregates.js";
import type { DataInterface } from "./data-interface.js";

/** Stores nothing: the upper bound on speed that benchmarks compare against. */
export class NullInterface implements DataInterface {
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

  async close() {}
}
