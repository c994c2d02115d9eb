import { randomUUID } from "node:crypto";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { decidesToFollowUp } from "../lib/client/followup-rule.js";
import type { LetterStream } from "../lib/client/letter-stream.js";
import type { SymbolAggregate } from "../lib/model/aggregates.js";
import type { RandomSource } from "../lib/model/random.js";
import { SYMBOLS } from "../lib/model/symbols.js";
import { formatMicros, parseTimestamp, type Micros } from "../lib/model/timestamp.js";
import type { LogTruth } from "./log-truth.js";

/**
 * A probe of a running service with the original protocol: one session after another (a new
 * uuid, `POST /initial`, sometimes a repeat of it, sometimes `POST /followup`), the dashboards
 * read every few sessions, each answer checked. Afterwards the dashboards and the raw log must
 * hold exactly what the probe sent. It writes only sessions of its own (fresh uuids) and reads
 * only what it wrote or counts, so it can watch a service in use or under a test run.
 */
export interface ProbeOptions {
  baseUrl: string;
  letters: LetterStream;
  random: RandomSource;
  /** Pause between sessions: the probe watches, it is not a load. */
  intervalMs: number;
  /** Read the dashboards after every this many sessions. */
  dashboardEvery: number;
  /** An answer slower than this counts as a failure. */
  requestTimeoutMs: number;
  /** Stops the loop after the session under way. */
  signal: AbortSignal;
}

export interface ProbeSession {
  uuid: string;
  symbol: string;
  /** Followups answered `hooray`. */
  followups: number;
}

export interface ProbeRun {
  /** Wall-clock bounds around every request of the loop, in microseconds since 1970. */
  startedAt: Micros;
  endedAt: Micros;
  /** Sessions whose initial was answered `True`/`False`: what the service must hold. */
  sessions: ProbeSession[];
  /** Sessions whose initial failed (an error, a timeout): the log may or may not hold them. */
  unanswered: string[];
  requests: number;
  dashboardReads: number;
  failures: number;
  failureSamples: string[];
  latencyMs: { p50: number; p99: number; max: number };
}

export interface ProbeTally {
  initials: number;
  followups: number;
}

const MAX_SAMPLES = 10;

/** A range bound as the API takes it, with its `Z`: `2026-12-01T12:00:00.000000Z`. */
export function rangeBound(micros: Micros): string {
  return `${formatMicros(micros).replace(" ", "T")}Z`;
}

export function tallyBySymbol(sessions: readonly ProbeSession[]): Map<string, ProbeTally> {
  const tally = new Map<string, ProbeTally>();
  for (const session of sessions) {
    const entry = tally.get(session.symbol) ?? { initials: 0, followups: 0 };
    entry.initials++;
    entry.followups += session.followups;
    tally.set(session.symbol, entry);
  }
  return tally;
}

const nowMicrosWall = (): Micros => Date.now() * 1000;

function isRangeReply(body: unknown): body is SymbolAggregate[] {
  return (
    Array.isArray(body) &&
    body.length === SYMBOLS.length &&
    body.every(
      (entry: Partial<SymbolAggregate>, i) =>
        entry?.symbol === SYMBOLS[i] &&
        Number.isInteger(entry.count) &&
        Number.isInteger(entry.followups),
    )
  );
}

interface SeriesReply {
  lower: string;
  upper: string;
  buckets: { start: string; initials: number; followups: number }[];
}

function isSeriesReply(body: unknown): body is SeriesReply {
  const buckets = (body as Partial<SeriesReply> | null)?.buckets;
  return (
    typeof (body as Partial<SeriesReply>).lower === "string" &&
    Array.isArray(buckets) &&
    buckets.every((b) => Number.isInteger(b?.initials) && Number.isInteger(b?.followups))
  );
}

/** Runs the probe loop until `options.signal` aborts, then returns what it sent and saw. */
export async function runProbeLoop(options: ProbeOptions): Promise<ProbeRun> {
  const sessions: ProbeSession[] = [];
  const unanswered: string[] = [];
  const latencies: number[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  let dashboardReads = 0;
  const startedAt = nowMicrosWall();

  const fail = (what: string) => {
    failures++;
    if (failureSamples.length < MAX_SAMPLES) {
      failureSamples.push(`${new Date().toISOString()} ${what}`);
    }
  };

  /** One request; its body when it was answered 200 in time, else a failure and null. */
  const request = async (method: "GET" | "POST", path: string): Promise<string | null> => {
    const t0 = performance.now();
    try {
      // The original client's request: parameters in the query string, an empty body.
      const reply = await fetch(new URL(path, options.baseUrl), {
        method,
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      const body = await reply.text();
      latencies.push(performance.now() - t0);
      if (reply.status === 200) return body;
      fail(`${method} ${path}: ${reply.status} ${body.slice(0, 200)}`);
    } catch (error) {
      latencies.push(performance.now() - t0);
      fail(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return null;
  };

  const initial = async (uuid: string, symbol: string): Promise<string | null> => {
    const body = await request("POST", `/initial?uuid=${uuid}&symbol=${symbol}`);
    if (body === null || body === "True" || body === "False") return body;
    fail(`POST /initial ${uuid} ${symbol}: answered ${JSON.stringify(body.slice(0, 80))}`);
    return null;
  };

  const readJson = async (path: string): Promise<unknown> => {
    const body = await request("GET", path);
    if (body === null) return undefined;
    try {
      return JSON.parse(body);
    } catch {
      fail(`GET ${path}: not JSON: ${body.slice(0, 80)}`);
      return undefined;
    }
  };

  /** Every dashboard once: well-formed, and never more of the probe's sessions than it sent. */
  const readDashboards = async () => {
    dashboardReads++;
    const lower = rangeBound(startedAt - 1000);
    const upper = rangeBound(nowMicrosWall() + 60_000_000);
    const sent = tallyBySymbol(sessions);
    const range = await readJson(`/dashboard/range/${lower}/${upper}`);
    if (range !== undefined) {
      if (!isRangeReply(range)) fail(`range: not 26 entries a..z: ${JSON.stringify(range)}`);
      else {
        for (const entry of range) {
          const mine = sent.get(entry.symbol) ?? { initials: 0, followups: 0 };
          if (entry.count > mine.initials || entry.followups > mine.followups) {
            fail(
              `range ${entry.symbol}: ${JSON.stringify(entry)}, more than sent ${JSON.stringify(mine)}`,
            );
          }
        }
      }
    }
    const series = await readJson(`/dashboard/series/${lower}/${upper}?grain=minute`);
    if (series !== undefined && !isSeriesReply(series)) {
      fail(`series: no buckets: ${JSON.stringify(series).slice(0, 200)}`);
    }
    const symbol = SYMBOLS[dashboardReads % SYMBOLS.length]!;
    const one = (await readJson(`/dashboard/symbol/${symbol}`)) as Partial<SymbolAggregate>;
    if (one !== undefined && (one?.symbol !== symbol || !Number.isInteger(one.count))) {
      fail(`symbol ${symbol}: ${JSON.stringify(one)}`);
    }
    const page = await request("GET", "/");
    if (page !== null && !page.includes("<html")) fail(`GET /: not the page`);
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        options.signal.removeEventListener("abort", done);
        resolve();
      }
      options.signal.addEventListener("abort", done, { once: true });
    });

  for (let iteration = 1; !options.signal.aborted; iteration++) {
    const uuid = randomUUID();
    const symbol = options.letters();
    const answer = await initial(uuid, symbol);
    if (answer === null) unanswered.push(uuid);
    else {
      const session: ProbeSession = { uuid, symbol, followups: 0 };
      sessions.push(session);
      // Now and then a retry: the same uuid and symbol get the first answer, counted once.
      if (sessions.length % 20 === 0) {
        const again = await initial(uuid, symbol);
        if (again !== null && again !== answer) {
          fail(`POST /initial retry ${uuid} ${symbol}: ${again}, first ${answer}`);
        }
      }
      if (decidesToFollowUp(symbol, answer === "True", options.random)) {
        const body = await request("POST", `/followup?uuid=${uuid}`);
        if (body === "hooray") session.followups++;
        else if (body !== null) fail(`POST /followup ${uuid}: answered ${body.slice(0, 80)}`);
      }
    }
    if (iteration % options.dashboardEvery === 0) await readDashboards();
    await pause(options.intervalMs);
  }

  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
  return {
    startedAt,
    endedAt: nowMicrosWall(),
    sessions,
    unanswered,
    requests: latencies.length,
    dashboardReads,
    failures,
    failureSamples,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 },
  };
}

export interface DashboardCheck {
  equal: boolean;
  /** Seconds until the dashboards showed every session (the graph catching up). */
  waitedSeconds: number;
  differences: string[];
}

/**
 * The dashboards over the probe's time span: the range's count and followups per letter
 * against what the probe sent, the minute series against SQL over the log (`truth`). Waits
 * for the graph to catch up, up to `deadlineMs`.
 */
export async function checkDashboards(
  baseUrl: string,
  run: ProbeRun,
  truth: Pick<LogTruth, "seriesAggregates">,
  deadlineMs: number,
): Promise<DashboardCheck> {
  const lower = rangeBound(run.startedAt - 1000);
  const upper = rangeBound(run.endedAt + 1_000_000);
  const sent = tallyBySymbol(run.sessions);
  const started = performance.now();
  let differences: string[] = [];
  for (;;) {
    differences = [];
    try {
      const range = await getJson(`${baseUrl}/dashboard/range/${lower}/${upper}`);
      if (!isRangeReply(range)) throw new Error(`range: ${JSON.stringify(range).slice(0, 200)}`);
      for (const entry of range) {
        const mine = sent.get(entry.symbol) ?? { initials: 0, followups: 0 };
        if (entry.count !== mine.initials || entry.followups !== mine.followups) {
          differences.push(
            `range ${entry.symbol}: count ${entry.count} followups ${entry.followups}, ` +
              `sent ${mine.initials} and ${mine.followups}`,
          );
        }
      }
      // Series buckets are whole minutes, so they also hold events from before the probe in its
      // first minute: the series is held to SQL over the log for the span it answered.
      const series = await getJson(`${baseUrl}/dashboard/series/${lower}/${upper}?grain=minute`);
      if (!isSeriesReply(series))
        throw new Error(`series: ${JSON.stringify(series).slice(0, 200)}`);
      const expected = await truth.seriesAggregates(
        parseTimestamp(series.lower)!,
        parseTimestamp(series.upper)!,
        "minute",
      );
      if (JSON.stringify(series) !== JSON.stringify(expected)) {
        differences.push(`series: ${JSON.stringify(series)}, SQL ${JSON.stringify(expected)}`);
      }
    } catch (error) {
      differences.push(error instanceof Error ? error.message : String(error));
    }
    const waitedSeconds = (performance.now() - started) / 1000;
    if (differences.length === 0) return { equal: true, waitedSeconds, differences };
    if (performance.now() - started > deadlineMs) {
      return { equal: false, waitedSeconds, differences };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function getJson(url: string): Promise<unknown> {
  const reply = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await reply.text();
  if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** The log as it stood before the probe: how many rows, up to which id, and their checksum. */
export interface LogState {
  logId: string | null;
  maxId: number;
  rows: number;
  checksum: string;
}

interface StateRow extends RowDataPacket {
  rows: number | string;
  checksum: number | string | null;
}

async function rowsUpTo(pool: Pool, maxId: number) {
  // A checksum of every column of every row up to maxId: the rows there before stay as they were.
  const [rows] = await pool.query<StateRow[]>(
    `SELECT COUNT(*) AS \`rows\`,
            BIT_XOR(CRC32(CONCAT_WS('|', id, writer_id, writer_seq, kind, uuid, symbol, guess,
                                    created_at, COALESCE(request_key, '')))) AS checksum
     FROM events WHERE id <= ?`,
    [maxId],
  );
  return { rows: Number(rows[0]!.rows), checksum: String(rows[0]!.checksum ?? 0) };
}

export async function readLogState(pool: Pool): Promise<LogState> {
  const [identity] = await pool.query<RowDataPacket[]>("SELECT log_id FROM log_identity");
  const [max] = await pool.query<RowDataPacket[]>("SELECT COALESCE(MAX(id), 0) AS id FROM events");
  const maxId = Number(max[0]!.id);
  return { logId: identity[0]?.log_id ?? null, maxId, ...(await rowsUpTo(pool, maxId)) };
}

export interface LogCheck {
  equal: boolean;
  /** Rows the probe's sessions should have: one initial each and their followups. */
  expectedRows: number;
  /** Rows logged since the probe began. */
  newRows: number;
  differences: string[];
}

interface EventRow extends RowDataPacket {
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
}

/**
 * SQL over the raw log against what the probe sent: the rows logged since `before` are
 * exactly the probe's sessions (one initial with its letter, then its followups), and the rows
 * that were there before are unchanged (same count, same checksum, same log id).
 */
export async function checkLog(pool: Pool, run: ProbeRun, before: LogState): Promise<LogCheck> {
  const differences: string[] = [];
  const after = await readLogState(pool);
  if (after.logId !== before.logId) {
    differences.push(`the log's id changed from ${before.logId} to ${after.logId}`);
  }
  const kept = await rowsUpTo(pool, before.maxId);
  if (kept.rows !== before.rows || kept.checksum !== before.checksum) {
    differences.push(
      `the ${before.rows} rows there before changed: now ${kept.rows}, ` +
        `checksum ${kept.checksum} (was ${before.checksum})`,
    );
  }
  const [rows] = await pool.query<EventRow[]>(
    "SELECT kind, uuid, symbol FROM events WHERE id > ? ORDER BY id",
    [before.maxId],
  );
  const logged = new Map<string, { symbol: string; initials: number; followups: number }>();
  for (const row of rows) {
    const entry = logged.get(row.uuid) ?? { symbol: row.symbol, initials: 0, followups: 0 };
    if (row.kind === "initial") entry.initials++;
    else entry.followups++;
    if (row.symbol !== entry.symbol)
      differences.push(`${row.uuid}: symbols ${entry.symbol}, ${row.symbol}`);
    logged.set(row.uuid, entry);
  }
  let expectedRows = 0;
  for (const session of run.sessions) {
    expectedRows += 1 + session.followups;
    const entry = logged.get(session.uuid);
    logged.delete(session.uuid);
    const want = `1 initial ${session.symbol}, ${session.followups} followups`;
    if (!entry) differences.push(`${session.uuid}: not in the log (sent ${want})`);
    else if (
      entry.initials !== 1 ||
      entry.symbol !== session.symbol ||
      entry.followups !== session.followups
    ) {
      differences.push(
        `${session.uuid}: ${entry.initials} initial ${entry.symbol}, ${entry.followups} followups; sent ${want}`,
      );
    }
  }
  const failed = new Set(run.unanswered);
  for (const [uuid, entry] of logged) {
    const whose = failed.has(uuid) ? "the probe's, whose initial failed" : "not the probe's";
    differences.push(`${uuid}: logged (${entry.initials} initial ${entry.symbol}), ${whose}`);
  }
  return {
    equal: differences.length === 0,
    expectedRows,
    newRows: rows.length,
    differences: differences.slice(0, MAX_SAMPLES),
  };
}
