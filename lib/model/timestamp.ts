/**
 * Times are integers of microseconds since the Unix epoch (UTC). 2^53 µs is year 2255,
 * so a JS number holds them exactly and they survive MariaDB DATETIME(6) and Neo4j integers.
 */
export type Micros = number;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

// performance.now() has sub-millisecond resolution; anchoring it once to the wall clock gives
// microsecond timestamps that never run backwards within a process.
const originMicros = Math.round(performance.timeOrigin * 1000);

/** The current server time in microseconds. */
export function nowMicros(): Micros {
  return originMicros + Math.round(performance.now() * 1000);
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** `YYYY-MM-DD HH:MM:SS.ffffff`, the one format every response and SQL parameter uses. */
export function formatMicros(micros: Micros): string {
  const millis = Math.floor(micros / 1000);
  const date = new Date(millis);
  const fraction = micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.` +
    pad(fraction, 6)
  );
}

const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2}):(\d{2}))?)?$/;

/** The widest UTC offset accepted, as in ISO 8601 practice (java.time's ZoneOffset too): ±18:00. */
const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.ffffff]` or ISO `YYYY-MM-DDTHH:MM:SS[.ffffff]`, in
 * UTC, or with `Z` or a UTC offset `±HH:MM` after the time (`2026-11-28T00:00:00+01:00` is
 * 2026-11-27 23:00 UTC). Returns undefined for anything else, including impossible dates like
 * 2017-02-30 and offsets beyond ±18:00.
 */
export function parseTimestamp(text: string): Micros | undefined {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", , sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const magnitude = Number(oh) * 60 + Number(om);
    if (Number(om) > 59 || magnitude > MAX_OFFSET_MINUTES) return undefined;
    offsetMinutes = sign === "-" ? -magnitude : magnitude;
  }
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as given.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  const millis = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || year < 1) {
    return undefined;
  }
  // Local time = UTC + offset, so the instant is the local reading minus the offset.
  return (millis - offsetMinutes * 60_000) * 1000 + Number(frac.padEnd(6, "0"));
}
