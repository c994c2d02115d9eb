import { expect } from "chai";
import type { BenchResults, IngestRow, UnderLoadResult } from "../../../bench/results.js";
import { capacityRows, capacitySection, tierCosts } from "../../../bench/capacity.js";
import { computeTargets, type Target } from "../../../bench/targets.js";

/** A run's results with only what the targets read; every number chosen by the test. */
function results(parts: Partial<BenchResults>): BenchResults {
  return {
    started_at: "",
    finished_at: "",
    duration_s: 0,
    mode: "full",
    revision: "test",
    sizes: [1e4, 1e7],
    backends: ["null", "sqlite", "graph"],
    machine: {
      cores: 2,
      memory_gb: 8,
      cpu_model: "test",
      node_version: "v20",
      platform: "linux",
      load_average: { start: 0, end: 0 },
    },
    settings: {
      ingest_seconds: 1,
      ingest_warmup_seconds: 1,
      concurrencies: [64],
      data_span_days: 30,
      dashboard_samples: { symbol: 1, range: 1, budget_s: 1 },
      seed: 1,
    },
    ingest: [],
    dashboard: [],
    skipped: [],
    loads: [],
    rebuild_events_per_s: null,
    rebuild: null,
    peak_rss_mb: {},
    checks: [],
    ...parts,
  };
}

function ingest(row: Partial<IngestRow> & Pick<IngestRow, "backend" | "rps">): IngestRow {
  return {
    concurrency: 64,
    generator: "wrk",
    p50_ms: 1,
    p99_ms: 2,
    requests: 1,
    errors: 0,
    machine_busy_cores: 2,
    other_cores: 0,
    ...row,
  };
}

const cpu = (api: number, mariadb: number, neo4j: number) => ({
  api,
  mariadb,
  neo4j,
  generator: 0.01,
});

function named(targets: Target[], name: string): Target {
  const target = targets.find((t) => t.name === name);
  if (!target)
    throw new Error(`no target "${name}" among: ${targets.map((t) => t.name).join("; ")}`);
  return target;
}

describe("the bench's targets", () => {
  it("when a symbol read takes 1.5× a Neo4j RETURN 1 and a range 3.5×, then the first is met and the second missed by its ratio", () => {
    const targets = computeTargets(
      results({
        round_trips: [
          {
            events: 1e4,
            neo4j_p50_ms: 1,
            neo4j_p99_ms: 2,
            mariadb_p50_ms: 0.2,
            mariadb_p99_ms: 0.4,
          },
        ],
        dashboard: [
          {
            backend: "graph",
            events: 1e4,
            endpoint: "symbol",
            span: "-",
            p50_ms: 1.5,
            p99_ms: 3,
            samples: 9,
          },
          {
            backend: "graph",
            events: 1e4,
            endpoint: "range",
            span: "day",
            p50_ms: 3.5,
            p99_ms: 5,
            samples: 9,
          },
        ],
      }),
    );
    const symbol = named(targets, "reads @10^4: graph symbol p50 vs Neo4j RETURN 1");
    expect([symbol.met, symbol.ratio]).to.deep.equal([true, 1.5]);
    const day = named(targets, "reads @10^4: graph range (day) p50 vs Neo4j RETURN 1");
    expect([day.met, day.ratio]).to.deep.equal([false, 3.5]);
    expect(day.shortfall).to.contain("1.17× over the bound");
    const week = named(targets, "reads @10^4: graph range (week) p50 vs Neo4j RETURN 1");
    expect(week.met).to.equal(null);
  });

  it("when the CPU per event of graph is 1.5× null's and WORKERS=2 ingests 1.6× WORKERS=1, then the CPU target is missed and the scaling met", () => {
    const targets = computeTargets(
      results({
        ingest: [
          ingest({ backend: "null", rps: 5000, cpu_ms_per_request: cpu(0.2, 0, 0) }),
          ingest({ backend: "graph", rps: 3000, cpu_ms_per_request: cpu(0.1, 0.1, 0.1) }),
          ingest({
            backend: "graph",
            workers: 1,
            rps: 1000,
            cpu_ms_per_request: cpu(0.1, 0.1, 0.1),
          }),
          ingest({
            backend: "graph",
            workers: 2,
            rps: 1600,
            cpu_ms_per_request: cpu(0.1, 0.1, 0.1),
          }),
          ingest({
            backend: "graph",
            projector: "worker",
            rps: 2500,
            cpu_ms_per_request: cpu(0.2, 0.1, 0.1),
          }),
        ],
      }),
    );
    const graph = named(targets, "CPU per event at c64: graph vs null");
    expect(graph.met).to.equal(false);
    expect(graph.ratio).to.be.closeTo(1.5, 1e-9);
    const worker = named(targets, "CPU per event at c64: graph PROJECTOR=worker vs null");
    expect(worker.ratio).to.be.closeTo(2, 1e-9);
    const scaling = named(targets, "ingest c64: graph WORKERS=2 vs WORKERS=1");
    expect([scaling.met, scaling.ratio]).to.deep.equal([true, 1.6]);
  });

  it("when reads under load have stale answers and a lag p99 of 300 ms, then both targets are missed", () => {
    const underLoad: UnderLoadResult = {
      backend: "graph",
      workers: null,
      projector: "worker",
      cells: [
        { endpoint: "symbol", load: "idle", p50_ms: 1, p99_ms: 10, samples: 9 },
        { endpoint: "symbol", load: "c64 ingest", p50_ms: 5, p99_ms: 40, samples: 9 },
        { endpoint: "read-your-writes", load: "c64 ingest", p50_ms: 100, p99_ms: 300, samples: 9 },
      ],
      stale_reads: 2,
      lost_probes: 0,
      ingest_rps: 1000,
      cpu_ms_per_request: null,
      machine_busy_cores: null,
      seconds: 1,
    };
    const targets = computeTargets(results({ under_load: [underLoad] }));
    const symbol = named(targets, "graph PROJECTOR=worker: symbol p99 under c64 ingest vs idle");
    expect([symbol.met, symbol.ratio]).to.deep.equal([true, 4]);
    expect(named(targets, "graph PROJECTOR=worker: stale reads under c64 ingest").met).to.equal(
      false,
    );
    const lag = named(targets, "graph PROJECTOR=worker: read-your-writes lag p99 under c64 ingest");
    expect([lag.met, lag.ratio]).to.deep.equal([false, 1.2]);
  });

  it("when the rebuild runs at 50,000 events/s, then it is missed by 2×", () => {
    const targets = computeTargets(
      results({ rebuild_events_per_s: 50_000, rebuild: { events: 1e7, seconds: 200 } }),
    );
    const rebuild = named(targets, "graph rebuild of 10^7");
    expect([rebuild.met, rebuild.ratio]).to.deep.equal([false, 0.5]);
    expect(rebuild.shortfall).to.contain("needs 2.00×");
  });
});

describe("the bench's capacity model", () => {
  it("when each tier's CPU per event is known, then each rate's cores are rate × CPU, per tier", () => {
    const rows = capacityRows(tierCosts({ api: 0.4, mariadb: 0.1, neo4j: 0.2, generator: 0 }));
    expect(rows.map((r) => r.eventsPerSecond)).to.deep.equal([1e3, 1e4, 1e5, 1e6]);
    const at1e4 = rows[1]!.cores;
    expect(at1e4.API).to.be.closeTo(4, 1e-9);
    expect(at1e4.MariaDB).to.be.closeTo(1, 1e-9);
    expect(at1e4.Neo4j).to.be.closeTo(2, 1e-9);
  });

  it("when the run measured graph's CPU at c64, then the section names the tier that saturates first", () => {
    const section = capacitySection(
      results({
        ingest: [ingest({ backend: "graph", rps: 3000, cpu_ms_per_request: cpu(0.4, 0.09, 0.1) })],
      }),
    );
    expect(section).to.contain("The first to saturate a node as traffic grows: Neo4j.");
    expect(section).to.contain("| 100,000 | 40 | 9.0 | 10 |");
    expect(capacitySection(results({}))).to.equal(null);
  });
});
