import { percentile } from "../../lib/client/load-client.js";

/** The soak's numbers: one row per minute, and the checks over them. */

export interface LatencyStats {
  count: number;
  p50_ms: number;
  p99_ms: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return { count: list.length, p50_ms: percentile(list, 50), p99_ms: percentile(list, 99) };
}

/** Processes the soak watches, by name: api (all its processes), mariadb, neo4j. */
export type Groups = Record<string, number>;

export interface MinuteRow {
  minute: number;
  ingest: LatencyStats;
  reads: LatencyStats;
  /**
   * Failed requests of the load, sessions it could not start (256 waiting already: the server
   * fell behind), failed dashboard reads, and /readyz answers not 200.
   */
  errors: { ingest: number; dropped: number; reads: number; readyz: number };
  /** The largest projection lag /readyz reported during the minute. */
  lag: { events: number | null; seconds: number | null };
  /** Resident memory at the minute's end, MiB. */
  rss_mb: Groups;
  /** Bytes on disk at the minute's end, MiB: MariaDB's tables, Neo4j's store and logs. */
  disk_mb: Groups;
}

export interface Check {
  name: string;
  met: boolean;
  detail: string;
  /** False: reported, not held against the run (a smoke run's trends and dropped sessions). */
  judged?: boolean;
}

/** "met", "MISSED", or for a check only reported, "reported (met)" / "reported (missed)". */
export const checkLabel = (check: Check) =>
  check.judged === false
    ? `reported (${check.met ? "met" : "missed"})`
    : check.met
      ? "met"
      : "MISSED";

/** Whether a check lets the run pass: met, or only reported. */
export const checkPasses = (check: Check) => check.met || check.judged === false;

export const errorCount = (row: MinuteRow) =>
  row.errors.ingest + row.errors.dropped + row.errors.reads + row.errors.readyz;

const RSS_GROWTH_LIMIT = 0.1;
const P99_LIMIT = 2;
const P99_BASELINE_MINUTES = 10;

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * The soak's checks: RSS at the end within 10 % of the end of the warm-up, for each process
 * group; each minute's ingest and read p99 within 2x the highest p99 of the first ten minutes
 * (or of the warm-up, for runs shorter than that); no error of any kind.
 */
/**
 * The soak's checks. A smoke run (`smoke`: minutes, as in CI) cannot tell a trend from a warm-up
 * nor a cold start from a fault: its RSS and p99 trends and the sessions its open-loop load
 * dropped are reported, and it is held only to no failed request and the graph equal to the log.
 */
export function soakChecks(
  rows: readonly MinuteRow[],
  warmupMinutes: number,
  { smoke = false }: { smoke?: boolean } = {},
): Check[] {
  const checks: Check[] = [];
  const judged = smoke ? { judged: false } : {};
  const warm = rows[warmupMinutes - 1];
  const last = rows.at(-1);
  if (warm && last && last !== warm) {
    for (const [group, start] of Object.entries(warm.rss_mb)) {
      const end = last.rss_mb[group];
      if (end === undefined || !(start > 0)) continue;
      const growth = (end - start) / start;
      checks.push({
        name: `RSS ${group} after warm-up`,
        met: growth <= RSS_GROWTH_LIMIT,
        ...judged,
        detail: `${fmt(start)} MiB at minute ${warm.minute} → ${fmt(end)} MiB at minute ${last.minute} (${fmt(growth * 100)} %, limit ${RSS_GROWTH_LIMIT * 100} %)`,
      });
    }
  }
  const baselineMinutes = Math.min(P99_BASELINE_MINUTES, Math.max(warmupMinutes, 1));
  for (const kind of ["ingest", "reads"] as const) {
    const baseline = Math.max(...rows.slice(0, baselineMinutes).map((r) => r[kind].p99_ms));
    const later = rows.slice(baselineMinutes);
    const worst = later.reduce<MinuteRow | null>(
      (w, r) => (w === null || r[kind].p99_ms > w[kind].p99_ms ? r : w),
      null,
    );
    if (worst === null) continue;
    checks.push({
      name: `${kind} p99 steady`,
      met: worst[kind].p99_ms <= P99_LIMIT * baseline,
      ...judged,
      detail: `worst ${fmt(worst[kind].p99_ms)} ms (minute ${worst.minute}) vs ${fmt(baseline)} ms in the first ${baselineMinutes} minutes (limit ${P99_LIMIT}x)`,
    });
  }
  const errors = rows.reduce((n, r) => n + errorCount(r), 0);
  checks.push({ name: "no errors", met: errors === 0, ...judged, detail: `${errors} errors` });
  if (smoke) {
    const failed = rows.reduce((n, r) => n + r.errors.ingest + r.errors.reads + r.errors.readyz, 0);
    checks.push({
      name: "no failed request (ingest, reads, /readyz)",
      met: failed === 0,
      detail: `${failed} failed`,
    });
  }
  return checks;
}
