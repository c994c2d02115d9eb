import Database from "better-sqlite3";
import type { Pool, PoolConnection } from "mysql2/promise";
import { decidesToFollowUp } from "../lib/client/followup-rule.js";
import { frequencyLetterStream, SHERLOCK_LETTER_COUNTS } from "../lib/client/letter-stream.js";
import { CREATE_TABLE, INSERT_EVENT } from "../lib/baselines/sqlite-backend.js";
import { migrate } from "../lib/stores/mariadb.js";
import { guessIsVowel } from "../lib/model/guess.js";
import type { RandomSource } from "../lib/model/random.js";
import {
  formatMicros,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  type Micros,
} from "../lib/model/timestamp.js";

/** One generated event, as the service would have received it. */
export interface BenchEvent {
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  /** The session's guess (a followup repeats its initial's, as the MariaDB log stores it). */
  guess: boolean;
  at: Micros;
}

/** A version-4 UUID drawn from `random`, so that a seed gives the same data set every time. */
function seededUuid(random: RandomSource): string {
  let hex = "";
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  const variant = "89ab"[Math.floor(random() * 4)]!;
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-` +
    `${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  );
}

/** Followups arrive between 2 s and 4 h after their initial, log-uniformly: seconds to hours. */
const FOLLOWUP_DELAY_S = { min: 2, max: 4 * 3600 };

/** A followup's delay after its initial, in (fractional) microseconds. */
function followupDelay(random: RandomSource): number {
  const [logMin, logMax] = [Math.log(FOLLOWUP_DELAY_S.min), Math.log(FOLLOWUP_DELAY_S.max)];
  return Math.exp(logMin + random() * (logMax - logMin)) * MICROS_PER_SECOND;
}

/**
 * The followups per initial that the client's rule gives with its letter frequencies (SPEC:
 * about 0.143): 0.9 × 0.1 for a e i o u, 0.9 × 0.2 for other consonants, 0.075 for y.
 */
function expectedFollowupRate(): number {
  let total = 0;
  let weighted = 0;
  for (const [symbol, count] of Object.entries(SHERLOCK_LETTER_COUNTS)) {
    const rate = "aeiou".includes(symbol) ? 0.09 : symbol === "y" ? 0.075 : 0.18;
    total += count;
    weighted += count * rate;
  }
  return weighted / total;
}

/** A min-heap of pending followups by time (a few hundred at a time, even at 10^7 events). */
class FollowupQueue {
  private readonly items: BenchEvent[] = [];

  get size() {
    return this.items.length;
  }

  peek(): BenchEvent | undefined {
    return this.items[0];
  }

  push(item: BenchEvent) {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= item.at) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): BenchEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.at < items[left]!.at ? right : left;
      if (items[child]!.at >= last.at) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * A session's initial at `at` (rounded to a microsecond): its letter, the server's guess, its
 * uuid; its followup, when the client's rule gives one, goes into `followups` for later.
 */
function newSession(
  at: number,
  letters: () => string,
  random: RandomSource,
  followups: FollowupQueue,
): BenchEvent {
  const symbol = letters();
  const guess = guessIsVowel(symbol, random);
  const event: BenchEvent = {
    kind: "initial",
    uuid: seededUuid(random),
    symbol,
    guess,
    at: Math.round(at),
  };
  if (decidesToFollowUp(symbol, guess, random)) {
    followups.push({ ...event, kind: "followup", at: Math.round(at + followupDelay(random)) });
  }
  return event;
}

/**
 * `count` events in time order over [from, from + spanMicros), made with the service's own
 * model: letters with the client's built-in frequencies, the server's guess (lib/model/guess.ts),
 * the client's followup rule (lib/client/followup-rule.ts), a followup seconds to hours after
 * its initial. Initials arrive as a Poisson process whose rate fills the span with `count`
 * events; yields chunks of `chunkSize`, each in time order after the previous.
 */
export function* generateEvents(
  count: number,
  from: Micros,
  spanMicros: number,
  random: RandomSource,
  chunkSize = 5000,
): Generator<BenchEvent[]> {
  const letters = frequencyLetterStream(random);
  const initialsPerMicro = count / (1 + expectedFollowupRate()) / spanMicros;
  const followups = new FollowupQueue();
  let clock = from;
  let nextInitial = from - Math.log(1 - random()) / initialsPerMicro;
  let emitted = 0;
  let chunk: BenchEvent[] = [];
  while (emitted < count) {
    const due = followups.peek();
    let event: BenchEvent;
    if (due && due.at <= nextInitial) {
      event = followups.pop()!;
    } else {
      clock = nextInitial;
      nextInitial = clock - Math.log(1 - random()) / initialsPerMicro;
      event = newSession(clock, letters, random, followups);
    }
    chunk.push(event);
    emitted++;
    if (chunk.length === chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * `initials` initials at uniformly random moments of the minute starting at `minute` (a burst
 * of dense traffic), made with the same model as `generateEvents`, with their followups seconds
 * to hours later; in time order, in chunks of `chunkSize`.
 */
export function* denseMinuteEvents(
  initials: number,
  minute: Micros,
  random: RandomSource,
  chunkSize = 5000,
): Generator<BenchEvent[]> {
  const letters = frequencyLetterStream(random);
  const moments = Array.from({ length: initials }, () =>
    Math.floor(minute + random() * MICROS_PER_MINUTE),
  ).sort((a, b) => a - b);
  const followups = new FollowupQueue();
  let chunk: BenchEvent[] = [];
  const emit = function* (event: BenchEvent) {
    chunk.push(event);
    if (chunk.length === chunkSize) {
      yield chunk;
      chunk = [];
    }
  };
  for (const at of moments) {
    while (followups.size > 0 && followups.peek()!.at <= at) yield* emit(followups.pop()!);
    const event = newSession(at, letters, random, followups);
    yield* emit(event);
  }
  while (followups.size > 0) yield* emit(followups.pop()!);
  if (chunk.length > 0) yield chunk;
}

/** What a load wrote: counts and the initials' time span. */
export interface LoadedTotals {
  initials: number;
  followups: number;
  firstInitial: Micros;
  lastInitial: Micros;
}

function tally(totals: LoadedTotals, chunk: readonly BenchEvent[]) {
  for (const event of chunk) {
    if (event.kind === "followup") {
      totals.followups++;
      continue;
    }
    totals.initials++;
    if (event.at < totals.firstInitial) totals.firstInitial = event.at;
    if (event.at > totals.lastInitial) totals.lastInitial = event.at;
  }
}

/** Where generated events go; `write` is called with consecutive chunks in log order. */
export interface BulkLoader {
  write(chunk: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The graph backend's bulk path: rows straight into the MariaDB `events` table (the service's
 * schema, created by its own migration), as the service's group commit writes them: a
 * multi-row INSERT per chunk, each committed on its own; a followup row repeats its session's
 * symbol and guess. One connection, so ids follow the generated (time) order and every
 * followup comes after its initial in the log. The graph then catches up from the log.
 */
export class MariadbBulkLoader implements BulkLoader {
  private constructor(
    private readonly connection: PoolConnection,
    private seq: number,
  ) {}

  static async open(pool: Pool): Promise<MariadbBulkLoader> {
    await migrate(pool);
    const connection = await pool.getConnection();
    // Bulk rows are writer 0's, the writer of rows logged before writers existed (no API
    // process leases it), numbered on from what it already holds.
    const [rows] = await connection.query(
      "SELECT COALESCE(MAX(writer_seq), 0) AS seq FROM events WHERE writer_id = 0",
    );
    return new MariadbBulkLoader(connection, Number((rows as { seq: number }[])[0]!.seq));
  }

  async write(chunk: readonly BenchEvent[]) {
    const rows = chunk.map((e) => [
      0,
      ++this.seq,
      e.kind,
      e.uuid,
      e.symbol,
      e.guess,
      formatMicros(e.at),
    ]);
    await this.connection.query(
      "INSERT INTO events (writer_id, writer_seq, kind, uuid, symbol, guess, created_at) VALUES ?",
      [rows],
    );
  }

  async close() {
    this.connection.release();
  }
}

/**
 * The sqlite baseline's bulk path: rows into its api_events table (the backend's own schema and
 * insert), one transaction per chunk. The service itself commits one event at a time.
 */
export class SqliteBulkLoader implements BulkLoader {
  private readonly db: Database.Database;
  private readonly insertChunk: (chunk: readonly BenchEvent[]) => void;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.exec(CREATE_TABLE);
    const insert = this.db.prepare(INSERT_EVENT);
    this.insertChunk = this.db.transaction((chunk: readonly BenchEvent[]) => {
      for (const e of chunk) {
        const date = formatMicros(e.at);
        if (e.kind === "initial") insert.run(e.uuid, e.symbol, e.guess ? 1 : 0, "/initial", date);
        else insert.run(e.uuid, null, null, "/followup", date);
      }
    });
  }

  async write(chunk: readonly BenchEvent[]) {
    this.insertChunk(chunk);
  }

  async close() {
    this.db.close();
  }
}

/**
 * Writes every generated chunk to every loader; the next chunk is generated while the stores
 * write the previous one. Returns the seconds taken.
 */
export async function loadEvents(
  events: Iterable<BenchEvent[]>,
  loaders: readonly BulkLoader[],
  totals: LoadedTotals,
  onProgress?: (written: number) => void,
): Promise<number> {
  const started = performance.now();
  let written = 0;
  let pending: Promise<unknown> = Promise.resolve();
  for (const chunk of events) {
    await pending;
    tally(totals, chunk);
    written += chunk.length;
    const done = written;
    pending = Promise.all(loaders.map((loader) => loader.write(chunk))).then(() =>
      onProgress?.(done),
    );
  }
  await pending;
  return (performance.now() - started) / 1000;
}
