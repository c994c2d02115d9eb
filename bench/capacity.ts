import { ingestRow, micros, num } from "./targets.js";
import type { BenchResults, CpuPerRequest } from "./results.js";
import { TARGET_CONCURRENCY } from "./settings.js";

/**
 * The capacity model: from the CPU each tier spent per accepted event at c64 (the graph
 * backend as `npm start` runs it), what one core of each tier sustains and what a rate of
 * events takes. Every event costs each tier once: an API process handles it, every MariaDB
 * node (Galera replicates the row to all) and every Neo4j server (each holds a full
 * projection) applies it; so API cores add up across hosts, while MariaDB and Neo4j cores are
 * per node and do not shrink as nodes are added.
 */

export interface TierCost {
  tier: "API" | "MariaDB" | "Neo4j";
  /** CPU milliseconds per accepted event. */
  msPerEvent: number;
}

export interface CapacityRow {
  eventsPerSecond: number;
  /** Cores each tier needs at that rate: API in total, MariaDB and Neo4j on every node. */
  cores: Record<TierCost["tier"], number>;
}

export const CAPACITY_RATES = [1e3, 1e4, 1e5, 1e6] as const;

export function tierCosts(cpu: CpuPerRequest): TierCost[] {
  return [
    { tier: "API", msPerEvent: cpu.api },
    { tier: "MariaDB", msPerEvent: cpu.mariadb ?? Number.NaN },
    { tier: "Neo4j", msPerEvent: cpu.neo4j ?? Number.NaN },
  ];
}

export function capacityRows(costs: readonly TierCost[]): CapacityRow[] {
  return CAPACITY_RATES.map((eventsPerSecond) => ({
    eventsPerSecond,
    cores: Object.fromEntries(
      costs.map((c) => [c.tier, (eventsPerSecond * c.msPerEvent) / 1000]),
    ) as CapacityRow["cores"],
  }));
}

const cores = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : num(n)) : "–");

/** The report's capacity section, or null when the run has no graph CPU at c64. */
export function capacitySection(results: BenchResults): string | null {
  const row = ingestRow(results, "graph", TARGET_CONCURRENCY);
  if (!row?.cpu_ms_per_request) return null;
  const costs = tierCosts(row.cpu_ms_per_request);
  const first = [...costs]
    .filter((c) => c.tier !== "API" && Number.isFinite(c.msPerEvent))
    .sort((a, b) => b.msPerEvent - a.msPerEvent)[0];
  const lines = [
    "## Capacity model",
    "",
    `From this run's CPU per accepted event of \`graph\` at c${TARGET_CONCURRENCY} (wrk, the client's mix): ` +
      costs
        .map(
          (c) =>
            `${c.tier} ${micros(c.msPerEvent)} µs, so one core sustains ${Number.isFinite(c.msPerEvent) ? num(1000 / c.msPerEvent) : "–"} events/s`,
        )
        .join("; ") +
      ". API cores add up across hosts (any API process takes any request). Every MariaDB " +
      "(Galera) node and every Neo4j server applies every event, so their cores per node do not " +
      "shrink as nodes are added: more of them buy availability and read capacity, not write " +
      `throughput. ${first ? `The first to saturate a node as traffic grows: ${first.tier}.` : ""} ` +
      "MariaDB's figure is the node that takes the writes; a Galera node applying replicated " +
      "rows spends less (not measured here).",
    "",
    "| events/s | API cores (in all) | MariaDB cores (each node) | Neo4j cores (each server) |",
    "| ---: | ---: | ---: | ---: |",
    ...capacityRows(costs).map(
      (r) =>
        `| ${num(r.eventsPerSecond)} | ${cores(r.cores.API)} | ${cores(r.cores.MariaDB)} | ${cores(r.cores.Neo4j)} |`,
    ),
  ];
  return lines.join("\n");
}
