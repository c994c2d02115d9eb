import neo4j, { type Driver, type Record as Neo4jRecord } from "neo4j-driver";
import { toAggregate, toRangeAggregates, type SymbolTotals } from "../model/aggregates.js";
import { toSeries, type SeriesGrain } from "../model/series.js";
import type { Micros } from "../model/timestamp.js";
import { boundedRead, type ReadLimits } from "../stores/neo4j.js";
import { planRange } from "./range-plan.js";
import { CYPHER } from "../stores/statements.js";

const totalsOf = (record: Neo4jRecord): SymbolTotals => ({
  count: Number(record.get("count")),
  followups: Number(record.get("followups")),
  earliest: record.get("earliest") as Micros | null,
  latest: record.get("latest") as Micros | null,
});

/** The dashboard questions, answered from the graph by Cypher, each within bounded waits. */
export class GraphDashboard {
  constructor(
    private readonly driver: Driver,
    private readonly limits?: ReadLimits,
  ) {}

  async symbolAggregates(symbol: string) {
    const records = await this.read(CYPHER.symbolAggregates, { symbol });
    return toAggregate(symbol, records[0] ? totalsOf(records[0]) : undefined);
  }

  async rangeAggregates(lower: Micros, upper: Micros) {
    if (lower >= upper) return toRangeAggregates(new Map());
    const plan = planRange(lower, upper);
    const records = await this.read(CYPHER.rangeAggregates, {
      bucketSpans: plan.bucketSpans.map((span) => ({
        grain: span.grain,
        from: neo4j.int(span.from),
        to: neo4j.int(span.to),
      })),
      edgeSpans: plan.edgeSpans.map((span) => ({
        from: neo4j.int(span.from),
        to: neo4j.int(span.to),
      })),
    });
    return toRangeAggregates(
      new Map(records.map((record) => [record.get("symbol") as string, totalsOf(record)])),
    );
  }

  /** Bucket sums of one grain; `lower` and `upper` are bucket starts (see DataInterface). */
  async seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    const records =
      lower < upper
        ? await this.read(CYPHER.seriesAggregates, {
            grain,
            from: neo4j.int(lower),
            to: neo4j.int(upper),
            symbol: symbol ?? null,
          })
        : [];
    const counts = new Map(
      records.map((record) => [
        Number(record.get("start")),
        { initials: Number(record.get("initials")), followups: Number(record.get("followups")) },
      ]),
    );
    return toSeries({ grain, lower, upper }, symbol ?? null, counts);
  }

  private read(query: string, parameters: Record<string, unknown>) {
    return boundedRead(this.driver, query, parameters, this.limits);
  }
}
