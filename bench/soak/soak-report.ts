import { checkLabel, errorCount, type Check, type MinuteRow } from "./soak-stats.js";

/** The soak's Markdown table and SVG chart, from its JSON. */

export interface SoakResults {
  started_at: string;
  finished_at: string;
  revision: string;
  minutes: number;
  warmup_minutes: number;
  rate: number;
  rate_source: string;
  machine: {
    cores: number;
    memory_gb: number;
    load_average_start: number;
    load_average_end: number;
  };
  rows: MinuteRow[];
  verify: { questions: number; differences: number; equal: boolean } | null;
  checks: Check[];
  error?: string;
}

const n = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits);

export const SOAK_TABLE_HEADER =
  "| min | req/s | ingest p50 / p99 ms | reads/s | read p50 / p99 ms | errors | lag events / s | RSS api / mariadb / neo4j MiB | disk mariadb / neo4j MiB |\n" +
  "| --: | ----: | ------------------: | ------: | ----------------: | -----: | -------------: | ----------------------------: | -----------------------: |";

export function soakTable(rows: readonly MinuteRow[]): string {
  const lines = rows.map((r) => {
    const errors = errorCount(r);
    return (
      `| ${r.minute} | ${n(r.ingest.count / 60, 0)} | ${n(r.ingest.p50_ms)} / ${n(r.ingest.p99_ms)} | ` +
      `${n(r.reads.count / 60, 0)} | ${n(r.reads.p50_ms)} / ${n(r.reads.p99_ms)} | ${errors} | ` +
      `${n(r.lag.events, 0)} / ${n(r.lag.seconds, 2)} | ` +
      `${n(r.rss_mb.api, 0)} / ${n(r.rss_mb.mariadb, 0)} / ${n(r.rss_mb.neo4j, 0)} | ` +
      `${n(r.disk_mb.mariadb, 0)} / ${n(r.disk_mb.neo4j, 0)} |`
    );
  });
  return [SOAK_TABLE_HEADER, ...lines].join("\n");
}

export function soakMarkdown(results: SoakResults): string {
  const checks = results.checks.map(
    (c) =>
      `- ${c.judged === false ? checkLabel(c) : c.met ? "met" : "**MISSED**"}: ${c.name}: ${c.detail}`,
  );
  const verify = results.verify
    ? `graph vs log: ${results.verify.differences} differences in ${results.verify.questions} answers`
    : "graph vs log: not verified";
  return [
    `# Soak, ${results.started_at.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `${results.minutes} minutes at ${results.rate} req/s (${results.rate_source}); warm-up ` +
      `${results.warmup_minutes} min; revision ${results.revision}; ${results.machine.cores} cores, ` +
      `load average ${n(results.machine.load_average_start, 2)} → ${n(results.machine.load_average_end, 2)}.`,
    "",
    soakTable(results.rows),
    "",
    "Checks:",
    "",
    ...checks,
    `- ${verify}`,
    ...(results.error ? ["", `Error: ${results.error}`] : []),
    "",
  ].join("\n");
}

const WIDTH = 860;
const PANEL = 220;
const MARGIN = { left: 70, right: 160, top: 40, gap: 50 };
const COLORS: Record<string, string> = {
  api: "#1f6fd1",
  mariadb: "#d1342f",
  neo4j: "#2a9d4b",
  ingest: "#1f6fd1",
  reads: "#d17a1f",
};

/** Two panels over the minutes: RSS of each process group, and ingest and read p99. */
export function soakChart(rows: readonly MinuteRow[]): string {
  const height = MARGIN.top + 2 * PANEL + MARGIN.gap + 40;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const last = Math.max(1, rows.length);
  const x = (minute: number) => MARGIN.left + ((minute - 1) / Math.max(1, last - 1)) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">Soak: RSS and p99 per minute</text>`,
  ];
  const panel = (top: number, title: string, unit: string, series: Record<string, number[]>) => {
    const values = Object.values(series)
      .flat()
      .filter((v) => Number.isFinite(v));
    const max = Math.max(1, ...values) * 1.1;
    const y = (v: number) => top + PANEL - (v / max) * PANEL;
    out.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${PANEL}" fill="none" stroke="#444"/>`,
      `<text x="${MARGIN.left}" y="${top - 8}" font-weight="bold">${title}</text>`,
      `<text x="${MARGIN.left - 8}" y="${top + 4}" text-anchor="end">${max.toFixed(0)} ${unit}</text>`,
      `<text x="${MARGIN.left - 8}" y="${top + PANEL}" text-anchor="end">0</text>`,
    );
    let legend = top + 10;
    for (const [name, points] of Object.entries(series)) {
      const path = points
        .map((v, i) =>
          Number.isFinite(v)
            ? `${i === 0 ? "M" : "L"}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`
            : "",
        )
        .join(" ");
      out.push(
        `<path d="${path}" fill="none" stroke="${COLORS[name] ?? "#555"}" stroke-width="2"/>`,
        `<text x="${MARGIN.left + plotW + 12}" y="${legend}" fill="${COLORS[name] ?? "#555"}">${name}</text>`,
      );
      legend += 18;
    }
  };
  panel(MARGIN.top + 20, "RSS (MiB)", "MiB", {
    api: rows.map((r) => r.rss_mb.api ?? NaN),
    mariadb: rows.map((r) => r.rss_mb.mariadb ?? NaN),
    neo4j: rows.map((r) => r.rss_mb.neo4j ?? NaN),
  });
  panel(MARGIN.top + 20 + PANEL + MARGIN.gap, "p99 latency (ms)", "ms", {
    ingest: rows.map((r) => r.ingest.p99_ms),
    reads: rows.map((r) => r.reads.p99_ms),
  });
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">minute (1–${last})</text>`,
    "</svg>",
    "",
  );
  return out.join("\n");
}
