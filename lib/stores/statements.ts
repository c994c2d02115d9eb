import fs from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../config.js";

/**
 * Every SQL and Cypher statement the graph backend runs lives in its own file under sql/ or
 * cypher/, named for its purpose. They are read once, when this module loads, so a missing
 * file stops the service at start rather than at the first request.
 */
function load(dir: string, name: string): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, dir, name), "utf8");
}

/** A file of several statements, each ending with a semicolon at the end of a line. */
function statementsOf(text: string, comment: RegExp): string[] {
  return text
    .split(/;\s*$/m)
    .map((statement) => statement.replace(comment, "").trim())
    .filter((statement) => statement.length > 0);
}

const SQL_COMMENT = /^\s*--.*$/gm;
const CYPHER_COMMENT = /^\s*\/\/.*$/gm;

export const SQL = {
  /** Each migration as its statements, in order; every statement is idempotent. */
  migrations: [
    "001-create-events.sql",
    "002-create-log-identity.sql",
    "003-name-the-log.sql",
    "004-writer-sequences.sql",
    "005-create-leases.sql",
  ].map((name) => statementsOf(load("sql", name), SQL_COMMENT)),
  writerLastSeq: load("sql", "writer-last-seq.sql"),
  insertEvents: load("sql", "insert-events.sql"),
  findSessions: load("sql", "find-sessions.sql"),
  findRequestKeys: load("sql", "find-request-keys.sql"),
  logHeads: load("sql", "log-heads.sql"),
  writerEvents: load("sql", "writer-events.sql"),
  allEvents: load("sql", "all-events.sql"),
  lastEventId: load("sql", "last-event-id.sql"),
  leaseTake: load("sql", "lease-take.sql"),
  leaseHolder: load("sql", "lease-holder.sql"),
  leaseRelease: load("sql", "lease-release.sql"),
  firstEventAfter: load("sql", "first-event-after.sql"),
  dropEventLog: load("sql", "drop-event-log.sql"),
  logIdentity: load("sql", "log-identity.sql"),
  truthSymbolTotals: load("sql", "truth-symbol-totals.sql"),
  truthRangeTotals: load("sql", "truth-range-totals.sql"),
  truthDailyTotals: load("sql", "truth-daily-totals.sql"),
  truthSeries: load("sql", "truth-series.sql"),
  exportEvents: load("sql", "export-events.sql"),
} as const;

export const CYPHER = {
  schema: statementsOf(load("cypher", "schema.cypher"), CYPHER_COMMENT),
  seedSymbols: load("cypher", "seed-symbols.cypher"),
  projectionPosition: load("cypher", "projection-position.cypher"),
  writerPosition: load("cypher", "writer-position.cypher"),
  applyBatch: load("cypher", "apply-batch.cypher"),
  symbolAggregates: load("cypher", "symbol-aggregates.cypher"),
  rangeAggregates: load("cypher", "range-aggregates.cypher"),
  seriesAggregates: load("cypher", "series-aggregates.cypher"),
  pauseProjection: load("cypher", "pause-projection.cypher"),
  restartProjection: load("cypher", "restart-projection.cypher"),
  wipeRelationships: load("cypher", "wipe-relationships.cypher"),
  wipeGraph: load("cypher", "wipe-graph.cypher"),
} as const;
