import type { Pool, RowDataPacket } from "mysql2/promise";
import type { SymbolAggregate } from "../lib/model/aggregates.js";
import { toAggregate, toRangeAggregates, type SymbolTotals } from "../lib/model/aggregates.js";
import { SERIES_GRAINS, toSeries, type Series, type SeriesGrain } from "../lib/model/series.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import { formatMicros, parseTimestamp, type Micros } from "../lib/model/timestamp.js";
import { withConnection } from "../lib/stores/mariadb.js";
import { SQL } from "../lib/stores/statements.js";

interface TotalsRow extends RowDataPacket {
  symbol: string;
  count: number | string;
  followups: number | string;
  earliest: string | null;
  latest: string | null;
}

interface SlotRow extends RowDataPacket {
  slot: number | string;
  initials: number | string;
  followups: number | string;
}

const totalsOf = (row: TotalsRow): SymbolTotals => ({
  count: Number(row.count),
  followups: Number(row.followups),
  earliest: row.earliest === null ? null : parseTimestamp(row.earliest)!,
  latest: row.latest === null ? null : parseTimestamp(row.latest)!,
});

// Verification scans the whole log; give it time.
const TRUTH_TIMEOUT_MS = 600_000;

/**
 * The dashboard answers computed by plain SQL over the raw MariaDB log, independently of the
 * graph: what `npm run verify` and the tests hold the graph to.
 */
export class LogTruth {
  constructor(private readonly pool: Pool) {}

  async symbolAggregates(): Promise<SymbolAggregate[]> {
    const rows = await this.query(SQL.truthSymbolTotals, []);
    return toRangeAggregates(new Map(rows.map((row) => [row.symbol, totalsOf(row)])));
  }

  async rangeAggregates(lower: Micros, upper: Micros): Promise<SymbolAggregate[]> {
    const rows = await this.query(SQL.truthRangeTotals, [formatMicros(lower), formatMicros(upper)]);
    return toRangeAggregates(new Map(rows.map((row) => [row.symbol, totalsOf(row)])));
  }

  /** GET /dashboard/series by SQL: `lower` and `upper` are bucket starts of `grain`. */
  async seriesAggregates(
    lower: Micros,
    upper: Micros,
    grain: SeriesGrain,
    symbol?: string,
  ): Promise<Series> {
    const width = SERIES_GRAINS[grain];
    const rows = await this.query<SlotRow>(SQL.truthSeries, [
      width,
      formatMicros(lower),
      formatMicros(upper),
      symbol ?? null,
      symbol ?? null,
    ]);
    const counts = new Map(
      rows.map((row) => [
        Number(row.slot) * width,
        { initials: Number(row.initials), followups: Number(row.followups) },
      ]),
    );
    return toSeries({ grain, lower, upper }, symbol ?? null, counts);
  }

  /** Every UTC day that has initials, with its 26 entries, from one pass over the log. */
  async dailyAggregates(): Promise<Map<string, SymbolAggregate[]>> {
    const rows = await this.query(SQL.truthDailyTotals, []);
    const byDay = new Map<string, Map<string, SymbolTotals>>();
    for (const row of rows) {
      const day = String(row.day).slice(0, 10);
      if (!byDay.has(day)) byDay.set(day, new Map());
      byDay.get(day)!.set(row.symbol, totalsOf(row));
    }
    return new Map(
      [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, totals]) => [
          day,
          SYMBOLS.map((symbol) => toAggregate(symbol, totals.get(symbol))),
        ]),
    );
  }

  private async query<Row extends RowDataPacket = TotalsRow>(
    sql: string,
    values: unknown[],
  ): Promise<Row[]> {
    return withConnection(this.pool, async (connection) => {
      const [rows] = await connection.query<Row[]>({ sql, timeout: TRUTH_TIMEOUT_MS }, values);
      return rows;
    });
  }
}
