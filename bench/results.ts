/** The shape of bench/results/*.json: one run, every number measured in it. */

export type Backend = "null" | "sqlite" | "graph";
export type IngestBackend = Backend | "bare-express";
export type Endpoint = "symbol" | "range";
export type Span = "-" | "day" | "week" | "all";

export interface IngestRow {
  backend: IngestBackend;
  concurrency: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  /** The first few error descriptions, when there were errors. */
  error_samples?: string[];
}

export interface DashboardRow {
  backend: Backend;
  events: number;
  endpoint: Endpoint;
  span: Span;
  p50_ms: number;
  p99_ms: number;
  samples: number;
}

/** A size the sqlite baseline was not measured at, and why. */
export interface SkippedCell {
  backend: Backend;
  events: number;
  reason: string;
}

/** One step of growing the data set. */
export interface LoadRow {
  events: number;
  added: number;
  initials: number;
  followups: number;
  mariadb_load_s: number | null;
  mariadb_rows_per_s: number | null;
  /** From spawning the graph server until the graph's position reached the log's newest event. */
  graph_start_s: number | null;
  graph_catch_up_events_per_s: number | null;
  graph_peak_rss_mb: number | null;
  sqlite_load_s: number | null;
}

export interface BenchResults {
  started_at: string;
  finished_at: string;
  duration_s: number;
  mode: "full" | "quick";
  /** The commit measured, with "+dirty" when lib/, sql/ or cypher/ differed from it. */
  revision: string;
  sizes: number[];
  backends: Backend[];
  machine: {
    cores: number;
    memory_gb: number;
    cpu_model: string;
    node_version: string;
    platform: string;
    /** 1-minute load average at the start and at the end: other work on the machine skews a run. */
    load_average: { start: number; end: number | null };
    mariadb_version?: string;
    neo4j_version?: string;
  };
  settings: {
    ingest_seconds: number;
    ingest_warmup_seconds: number;
    concurrencies: number[];
    data_span_days: number;
    /** Samples per cell, unless `budget_s` ran out first (after 10, or 3 for sqlite). */
    dashboard_samples: { symbol: number; range: number; budget_s: number };
    seed: number;
  };
  ingest: IngestRow[];
  dashboard: DashboardRow[];
  skipped: SkippedCell[];
  loads: LoadRow[];
  rebuild_events_per_s: number | null;
  rebuild: { events: number; seconds: number } | null;
  /** Why the rebuild failed, when it did. */
  rebuild_error?: string;
  /** Why the run stopped early, when it did; the numbers measured before stand. */
  error?: string;
  peak_rss_mb: Partial<Record<IngestBackend, number>>;
  checks: string[];
}
