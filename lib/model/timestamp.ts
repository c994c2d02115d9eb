/**
 * Times are integers of microseconds since the Unix epoch (UTC). Within MIN_MICROS..MAX_MICROS
 * (years 1684 to 2255) a JS number holds them exactly and they survive MariaDB DATETIME(6) and
 * Neo4j integers.
 */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

/**
 * The times held exactly: a JS number is an exact integer up to 2^53 - 1, so microseconds since
 * 1970 are exact from 1684-07-28 00:12:25.259009 to 2255-06-05 23:47:34.740991 UTC. Anything
 * outside would be rounded (year 9999's last two microseconds are one number, shown as 10000).
 */
export const MIN_MICROS: Micros = -Number.MAX_SAFE_INTEGER;
export const MAX_MICROS: Micros = Number.MAX_SAFE_INTEGER;

/** Where a receipt clock reads the time: the system's wall clock and a monotonic clock. */
export interface ClockSource {
  /** The wall clock, in milliseconds since the epoch (steps when the system clock is set). */
  wallMillis(): number;
  /** A monotonic clock in microseconds from any origin (never steps; may run at its own rate). */
  monotonicMicros(): number;
}

export const SYSTEM_CLOCK: ClockSource = {
  wallMillis: Date.now,
  monotonicMicros: () => Number(process.hrtime.bigint() / 1000n),
};

/**
 * How far a reading may stray from Date.now() before the clock is set to it again. Date.now()
 * is the wall clock cut down to the millisecond, so a reading within 1 ms either side of it is
 * within 2 ms of the true wall-clock time.
 */
export const RECEIPT_CLOCK_TOLERANCE_MICROS = 1000;

/**
 * A clock for receipt times: the wall clock, with microseconds from the monotonic clock between
 * its millisecond ticks; set again to the wall clock whenever the two part by more than the
 * tolerance (a clock step, a VM resumed after suspend, a monotonic clock at another rate). It
 * never goes backwards: after the wall clock steps back, each reading is the last one plus 1 µs
 * until the wall clock has caught up.
 */
export function receiptClock(source: ClockSource = SYSTEM_CLOCK): () => Micros {
  let anchorWall = source.wallMillis() * 1000;
  let anchorMonotonic = source.monotonicMicros();
  let last = -Infinity;
  return () => {
    const wall = source.wallMillis() * 1000;
    const monotonic = source.monotonicMicros();
    let reading = anchorWall + (monotonic - anchorMonotonic);
    const ahead = reading - wall;
    if (Math.abs(ahead) > RECEIPT_CLOCK_TOLERANCE_MICROS) {
      anchorWall = wall;
      anchorMonotonic = monotonic;
      reading = wall;
    }
    last = Math.max(reading, last + 1);
    return last;
  };
}

/** The current server time in microseconds: the process's one receipt clock. */
export const nowMicros: () => Micros = receiptClock();

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** `YYYY-MM-DD HH:MM:SS.ffffff`, the one format every response and SQL parameter uses. */
export function formatMicros(micros: Micros): string {
  if (!Number.isSafeInteger(micros)) {
    throw new RangeError(`${micros} is not an exact time in microseconds (${SUPPORTED_TIMES})`);
  }
  const millis = Math.floor(micros / 1000);
  const date = new Date(millis);
  const fraction = micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.` +
    pad(fraction, 6)
  );
}

/** The range of times this service takes, for error messages. */
export const SUPPORTED_TIMES = `times from ${formatMicros(MIN_MICROS)} to ${formatMicros(MAX_MICROS)} UTC are supported`;

const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z)?)?$/;

/** A time read from text: its value, or why there is none. */
export type TimestampReading =
  | { micros: Micros }
  /** `format`: not a date and time in a known form, or no such day; `range`: not exact. */
  | { problem: "format" | "range" };

/**
 * Reads `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.ffffff]` or ISO `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]`
 * as UTC. Impossible dates like 2017-02-30 are a `format` problem; a real time outside
 * MIN_MICROS..MAX_MICROS, which a number cannot hold exactly, is a `range` problem.
 */
export function readTimestamp(text: string): TimestampReading {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return { problem: "format" };
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = ""] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return { problem: "format" };
  }
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as given.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  const millis = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || year < 1) {
    return { problem: "format" };
  }
  // Milliseconds of years 1-9999 are exact; their microseconds are checked before they round.
  const exact = BigInt(millis) * 1000n + BigInt(frac.padEnd(6, "0"));
  if (exact < BigInt(MIN_MICROS) || exact > BigInt(MAX_MICROS)) return { problem: "range" };
  return { micros: Number(exact) };
}

/** readTimestamp's value, or undefined for text that is not an exact supported time. */
export function parseTimestamp(text: string): Micros | undefined {
  const reading = readTimestamp(text);
  return "micros" in reading ? reading.micros : undefined;
}
