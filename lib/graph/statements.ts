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

export const SQL = {
  migrations: ["001-create-events.sql", "002-create-log-identity.sql", "003-name-the-log.sql"].map(
    (name) => load("sql", name),
  ),
  insertInitials: load("sql", "insert-initials.sql"),
  findSessions: load("sql", "find-sessions.sql"),
  insertFollowups: load("sql", "insert-followups.sql"),
  eventsAfter: load("sql", "events-after.sql"),
  eventsUpTo: load("sql", "events-up-to.sql"),
  lastEventId: load("sql", "last-event-id.sql"),
  firstEventAfter: load("sql", "first-event-after.sql"),
  dropEventLog: load("sql", "drop-event-log.sql"),
  logIdentity: load("sql", "log-identity.sql"),
  truthSymbolTotals: load("sql", "truth-symbol-totals.sql"),
  truthRangeTotals: load("sql", "truth-range-totals.sql"),
  truthDailyTotals: load("sql", "truth-daily-totals.sql"),
  truthSeries: load("sql", "truth-series.sql"),
} as const;

/** `schema.cypher` holds several statements; each ends with a semicolon. */
function statementsOf(text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*\/\/.*$/gm, "").trim())
    .filter((statement) => statement.length > 0);
}

export const CYPHER = {
  schema: statementsOf(load("cypher", "schema.cypher")),
  seedSymbols: load("cypher", "seed-symbols.cypher"),
  projectionPosition: load("cypher", "projection-position.cypher"),
  applyBatch: load("cypher", "apply-batch.cypher"),
  symbolAggregates: load("cypher", "symbol-aggregates.cypher"),
  rangeAggregates: load("cypher", "range-aggregates.cypher"),
  seriesAggregates: load("cypher", "series-aggregates.cypher"),
  pauseProjection: load("cypher", "pause-projection.cypher"),
  restartProjection: load("cypher", "restart-projection.cypher"),
  wipeGraph: load("cypher", "wipe-graph.cypher"),
} as const;
