import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { toAggregate, toRangeAggregates, type SymbolTotals } from "../model/aggregates.js";
import { toSeries, type SeriesGrain } from "../model/series.js";
import { SYMBOLS } from "../model/symbols.js";
import { formatMicros, nowMicros, parseTimestamp, type Micros } from "../model/timestamp.js";
import type { DataInterface } from "../backend/data-interface.js";

// The reference's schema, kept as it was: no index, so every question is a full scan.
export const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS api_events (
  uuid TEXT, symbol TEXT, is_vowel INTEGER, url TEXT, date TEXT)`;

export const INSERT_EVENT = `INSERT INTO api_events (uuid, symbol, is_vowel, url, date) VALUES (?, ?, ?, ?, ?)`;

// Dates are stored in the one fixed-width format, so comparing the text compares the times.
const INITIALS_IN_RANGE = `SELECT COUNT(*) AS count, MIN(date) AS earliest, MAX(date) AS latest
  FROM api_events WHERE url = '/initial' AND symbol = ? AND date >= ? AND date < ?`;
const FOLLOWUPS_IN_RANGE = `SELECT COUNT(*) AS followups FROM api_events
  WHERE url = '/followup' AND uuid IN (
    SELECT uuid FROM api_events WHERE url = '/initial' AND symbol = ? AND date >= ? AND date < ?)`;

const INITIALS_OF_SYMBOL = `SELECT COUNT(*) AS count, MIN(date) AS earliest, MAX(date) AS latest
  FROM api_events WHERE url = '/initial' AND symbol = ?`;
const FOLLOWUPS_OF_SYMBOL = `SELECT COUNT(*) AS followups FROM api_events
  WHERE url = '/followup' AND uuid IN (
    SELECT uuid FROM api_events WHERE url = '/initial' AND symbol = ?)`;

// A bucket is the leading part of the fixed-width date text: its minute, hour or day.
const BUCKET_TEXT: Record<SeriesGrain, { length: number; padding: string }> = {
  minute: { length: 16, padding: ":00" },
  hour: { length: 13, padding: ":00:00" },
  day: { length: 10, padding: "" },
};

// In the reference's spirit: a scan of the table per question (a symbol of NULL means all).
const INITIALS_PER_BUCKET = `SELECT substr(date, 1, @length) AS bucket, COUNT(*) AS n
  FROM api_events
  WHERE url = '/initial' AND date >= @lower AND date < @upper
    AND (@symbol IS NULL OR symbol = @symbol)
  GROUP BY bucket`;
const FOLLOWUPS_PER_BUCKET = `SELECT substr(i.date, 1, @length) AS bucket, COUNT(*) AS n
  FROM api_events f JOIN api_events i ON i.uuid = f.uuid AND i.url = '/initial'
  WHERE f.url = '/followup' AND i.date >= @lower AND i.date < @upper
    AND (@symbol IS NULL OR i.symbol = @symbol)
  GROUP BY bucket`;

interface BucketRow {
  bucket: string;
  n: number;
}

interface FollowupsRow {
  followups: number;
}

interface InitialsRow {
  count: number;
  earliest: string | null;
  latest: string | null;
}

/**
 * The naive baseline, ported faithfully from the reference: one table, one commit per event
 * with SQLite's default journal and sync settings, and a pair of scans per symbol asked.
 * Only its answers are fixed (26 symbols, real half-open time ranges, empty symbols named).
 */
export class SqliteBackend implements DataInterface {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly initialsInRange: Database.Statement<unknown[], InitialsRow>;
  private readonly followupsInRange: Database.Statement<unknown[], FollowupsRow>;
  private readonly initialsOfSymbol: Database.Statement<unknown[], InitialsRow>;
  private readonly followupsOfSymbol: Database.Statement<unknown[], FollowupsRow>;
  private readonly initialsPerBucket: Database.Statement<unknown[], BucketRow>;
  private readonly followupsPerBucket: Database.Statement<unknown[], BucketRow>;

  constructor(
    file: string,
    private readonly clock: () => Micros = nowMicros,
  ) {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.exec(CREATE_TABLE);
    this.insertEvent = this.db.prepare(INSERT_EVENT);
    this.initialsInRange = this.db.prepare(INITIALS_IN_RANGE);
    this.followupsInRange = this.db.prepare(FOLLOWUPS_IN_RANGE);
    this.initialsOfSymbol = this.db.prepare(INITIALS_OF_SYMBOL);
    this.followupsOfSymbol = this.db.prepare(FOLLOWUPS_OF_SYMBOL);
    this.initialsPerBucket = this.db.prepare(INITIALS_PER_BUCKET);
    this.followupsPerBucket = this.db.prepare(FOLLOWUPS_PER_BUCKET);
  }

  async logInitial(uuid: string, symbol: string, guess: boolean) {
    this.insertEvent.run(uuid, symbol, guess ? 1 : 0, "/initial", formatMicros(this.clock()));
    return { guess };
  }

  async logFollowup(uuid: string) {
    this.insertEvent.run(uuid, null, null, "/followup", formatMicros(this.clock()));
  }

  async symbolAggregates(symbol: string) {
    const initials = this.initialsOfSymbol.get(symbol)!;
    const { followups } = this.followupsOfSymbol.get(symbol)!;
    return toAggregate(symbol, toTotals(initials, followups));
  }

  async rangeAggregates(lower: Micros, upper: Micros) {
    const [from, to] = [formatMicros(lower), formatMicros(upper)];
    const totals = SYMBOLS.map((symbol): [string, SymbolTotals] => {
      const initials = this.initialsInRange.get(symbol, from, to)!;
      const { followups } = this.followupsInRange.get(symbol, from, to)!;
      return [symbol, toTotals(initials, followups)];
    });
    return toRangeAggregates(new Map(totals));
  }

  async seriesAggregates(lower: Micros, upper: Micros, grain: SeriesGrain, symbol?: string) {
    const { length, padding } = BUCKET_TEXT[grain];
    const parameters = {
      length,
      lower: formatMicros(lower),
      upper: formatMicros(upper),
      symbol: symbol ?? null,
    };
    const counts = new Map<Micros, { initials: number; followups: number }>();
    const entry = (bucket: string) => {
      const start = parseTimestamp(bucket + padding)!;
      let found = counts.get(start);
      if (!found) counts.set(start, (found = { initials: 0, followups: 0 }));
      return found;
    };
    for (const row of this.initialsPerBucket.all(parameters)) entry(row.bucket).initials = row.n;
    for (const row of this.followupsPerBucket.all(parameters)) entry(row.bucket).followups = row.n;
    return toSeries({ grain, lower, upper }, symbol ?? null, counts);
  }

  async close() {
    this.db.close();
  }
}

function toTotals(initials: InitialsRow, followups: number): SymbolTotals {
  return {
    count: initials.count,
    followups,
    earliest: initials.earliest === null ? null : parseTimestamp(initials.earliest)!,
    latest: initials.latest === null ? null : parseTimestamp(initials.latest)!,
  };
}
