import path from "node:path";
import { parseArgs } from "node:util";
import { MICROS_PER_DAY, parseTimestamp } from "../../lib/model/timestamp.js";

/** What `npm run export` is asked for, and which days it writes: the pure part. */

export const EXPORT_FORMATS = ["parquet", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_USAGE = `usage: npm run export -- --from DATE --to DATE [--format parquet|csv] [--out DIR] [--overwrite]

Writes the raw events of the MariaDB log from DATE (included) to DATE (excluded), UTC days
YYYY-MM-DD, as one file per day: DIR/date=YYYY-MM-DD/events.parquet (or events.csv), read from
one consistent snapshot. Days that have not ended yet are refused (--to at most today).
Resumable: a day already written is skipped, a half-written one is written again.
  --format      parquet (default) or csv
  --out DIR     where (default EXPORT_DIR, data/export)
  --overwrite   write every day again, even those already written
  --json        one JSON line: {"rows":…,"days":…,"skipped":…,"seconds":…,"rows_per_s":…,"peak_rss_mb":…}
Schema and recipes: docs/analysis.md.`;

export class ExportUsageError extends Error {}

export interface ExportArgs {
  help: boolean;
  from: string;
  to: string;
  format: ExportFormat;
  out: string;
  overwrite: boolean;
  json: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day, checked: it must exist in the calendar (2026-02-30 does not). */
function day(name: string, value: string | undefined): string {
  if (value === undefined)
    throw new ExportUsageError(`--${name} DATE is required (YYYY-MM-DD, UTC)`);
  const micros = DAY.test(value) ? parseTimestamp(value) : undefined;
  if (micros === undefined || new Date(micros / 1000).toISOString().slice(0, 10) !== value) {
    throw new ExportUsageError(`--${name} wants a day as YYYY-MM-DD (UTC), got "${value}"`);
  }
  return value;
}

export function parseExportArgs(argv: string[], defaultOut: string, now = new Date()): ExportArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        format: { type: "string", default: "parquet" },
        out: { type: "string" },
        overwrite: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ExportUsageError((error as Error).message);
  }
  const out = path.resolve(values.out ?? defaultOut);
  if (values.help) {
    return { help: true, from: "", to: "", format: "parquet", out, overwrite: false, json: false };
  }
  const from = day("from", values.from);
  const to = day("to", values.to);
  if (from >= to)
    throw new ExportUsageError(`--from ${from} must come before --to ${to} (excluded)`);
  const today = now.toISOString().slice(0, 10);
  if (to > today) {
    throw new ExportUsageError(
      `--to ${to} is after today (${today}, UTC): a day is exported once it has ended, so that ` +
        "a written day never changes; use --to " +
        today,
    );
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format!)) {
    throw new ExportUsageError(`--format is parquet or csv, got "${values.format}"`);
  }
  return {
    help: false,
    from,
    to,
    format: values.format as ExportFormat,
    out,
    overwrite: values.overwrite === true,
    json: values.json === true,
  };
}

/** Every UTC day of [from, to). */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = parseTimestamp(from)!; at < parseTimestamp(to)!; at += MICROS_PER_DAY) {
    days.push(new Date(at / 1000).toISOString().slice(0, 10));
  }
  return days;
}

/** The UTC day after `day`. */
export const nextDay = (day: string) =>
  new Date((parseTimestamp(day)! + MICROS_PER_DAY) / 1000).toISOString().slice(0, 10);

/** A day's partition directory and its file, relative to the output directory. */
export const partitionDir = (day: string) => `date=${day}`;
export const partitionFile = (day: string, format: ExportFormat) =>
  path.join(partitionDir(day), `events.${format}`);

/**
 * The days to write: every day of the range without its finished file, or every day with
 * `overwrite`. `finished` holds the days whose file exists (a file appears only by the rename
 * that ends a day, so it is whole).
 */
export function daysToWrite(
  days: readonly string[],
  finished: ReadonlySet<string>,
  overwrite: boolean,
): { write: string[]; skip: string[] } {
  const write = days.filter((d) => overwrite || !finished.has(d));
  return { write, skip: days.filter((d) => !write.includes(d)) };
}
