import type { DenseSpan } from "./dashboard-latency.js";
import type { DenseRangeResult } from "./dense-range.js";
import type { RoundTrips } from "./round-trips.js";

/** The shape of bench/results/*.json: one run, every number measured in it. */

export type Backend = "null" | "sqlite" | "graph";
export type IngestBackend = Backend | "bare-express";
export type Endpoint = "symbol" | "range";
export type Span = "-" | "day" | "week" | "all" | DenseSpan;

/** Where a graph server's projector ran (PROJECTOR), when a row set it. */
export type ProjectorPlace = "process" | "worker";

/** How a server was started beyond its backend: WORKERS and PROJECTOR, null when unset. */
export interface ServerVariant {
  workers?: number | null;
  projector?: ProjectorPlace | null;
}

/** "graph", or "graph WORKERS=2 PROJECTOR=worker" for a row measured with those set. */
export const ingestLabel = (row: { backend: IngestBackend } & ServerVariant) =>
  [
    row.backend,
    ...((row.workers ?? null) === null ? [] : [`WORKERS=${row.workers}`]),
    ...((row.projector ?? null) === null ? [] : [`PROJECTOR=${row.projector}`]),
  ].join(" ");

/** Whether two rows were measured on the same kind of server. */
export const sameVariant = (a: ServerVariant, b: ServerVariant) =>
  (a.workers ?? null) === (b.workers ?? null) && (a.projector ?? null) === (b.projector ?? null);

/** Who drove the load: wrk with bench/wrk/client-mix.lua, or the project's Node client. */
export type Generator = "wrk" | "node";

/** CPU milliseconds per request answered, by process: from /proc/<pid>/stat utime + stime. */
export interface CpuPerRequest {
  /** The API server: its process and every descendant (cluster workers). */
  api: number;
  /** mariadbd (shared with whatever else uses that server meanwhile). */
  mariadb: number | null;
  /** The Neo4j JVM of the scratch graph. */
  neo4j: number | null;
  /** wrk, or the Node client's process. */
  generator: number;
}

/** One measured run of one ingest point. */
export interface IngestRun {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  initials: number;
  followups: number;
  errors: number;
  seconds: number;
  cpu_ms_per_request: CpuPerRequest;
  /** How many API processes were counted (main + workers). */
  api_processes: number;
  /** Cores the whole machine kept busy meanwhile (of `machine.cores`). */
  machine_busy_cores: number;
  /** Of those, what no watched process (nor the bench) used: other work on the machine. */
  other_cores: number;
  error_samples?: string[];
}

/** One ingest point: the median of its runs (spread in min/max), every run kept. */
export interface IngestRow extends ServerVariant {
  backend: IngestBackend;
  generator?: Generator;
  concurrency: number;
  /** Medians over the runs. */
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  rps_min?: number;
  rps_max?: number;
  cpu_ms_per_request?: CpuPerRequest;
  machine_busy_cores?: number;
  other_cores?: number;
  runs?: IngestRun[];
  /** The first few error descriptions, when there were errors. */
  error_samples?: string[];
}

/** Dashboard reads on one connection while nothing else runs, or while wrk drives c64 ingest. */
export interface UnderLoadCell {
  endpoint: Endpoint | "read-your-writes";
  load: "idle" | "c64 ingest";
  p50_ms: number;
  p99_ms: number;
  samples: number;
}

/** The dashboards-under-write-load measurement of one graph server. */
export interface UnderLoadResult extends ServerVariant {
  backend: IngestBackend;
  cells: UnderLoadCell[];
  /** Probe reads after a POST's 200 that did not include it yet (read-your-writes broken). */
  stale_reads: number;
  /** Reads and probe writes answered other than 200 (a 503 under load, say), idle and loaded. */
  failed_reads?: { idle: number; loaded: number };
  failure_samples?: string[];
  /** Probes whose write was never seen before the probe gave up. */
  lost_probes: number;
  /** What wrk achieved meanwhile, and the CPU per request of each process. */
  ingest_rps: number;
  cpu_ms_per_request: CpuPerRequest | null;
  machine_busy_cores: number | null;
  seconds: number;
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
  /** The graph's store files on disk right after the bulk import (transaction logs apart). */
  graph_store_mb?: number | null;
  sqlite_load_s: number | null;
  /** Of `added`, the initials of one minute of dense traffic (the largest size has one). */
  dense_minute_initials?: number;
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
    /** The scratch Neo4j server's configured page cache (server.memory.pagecache.size). */
    neo4j_page_cache?: string | null;
  };
  settings: {
    ingest_seconds: number;
    ingest_warmup_seconds: number;
    /** Measured runs per ingest point (median and min–max reported). */
    ingest_repeats?: number;
    /** wrk's version, or why it was not used. */
    wrk?: string;
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
  /** rebuild-cli's JSON line: events, seconds, and the seconds of each phase. */
  rebuild: { events: number; seconds: number; phases?: Record<string, number> } | null;
  /** Why the rebuild failed, when it did. */
  rebuild_error?: string;
  /** Why the run stopped early, when it did; the numbers measured before stand. */
  error?: string;
  /** Dashboards under c64 ingest (graph servers), when measured. */
  under_load?: UnderLoadResult[];
  /** Servers whose dashboards-under-load measurement failed, and why. */
  under_load_errors?: string[];
  /** A trivial query's round trip to each store, at each size, right after the graph's cells. */
  round_trips?: RoundTrips[];
  /** The dense-traffic data set fed through the graph backend (bench/dense-range.ts). */
  dense?: DenseRangeResult;
  dense_error?: string;
  peak_rss_mb: Record<string, number>;
  checks: string[];
}
