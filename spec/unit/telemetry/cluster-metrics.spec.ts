import { expect } from "chai";
import { aggregateReports } from "../../../lib/telemetry/cluster-metrics.js";
import {
  LAG_MEASURED_AT,
  PrometheusTelemetry,
} from "../../../lib/telemetry/prometheus-telemetry.js";

/** A worker's report, as the main process gets it, with its lag measured at `measuredAt`. */
async function report(telemetry: PrometheusTelemetry, measuredAt: number) {
  const metrics = await telemetry.registry.getMetricsAsJSON();
  for (const metric of metrics) {
    if (metric.name === LAG_MEASURED_AT) metric.values[0]!.value = measuredAt;
  }
  return metrics;
}

/** The value of a sample in Prometheus text, by its name and labels as rendered. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("the workers' metrics merged", () => {
  it("when two workers report, then counters and histograms are summed, readers waiting too, and the lag is the freshest measurement whatever the order", async () => {
    const older = new PrometheusTelemetry({ processMetrics: false });
    const newer = new PrometheusTelemetry({ processMetrics: false });
    older.batchCommitted(10, 0.002);
    older.storeError("Neo4j", "unavailable");
    older.projectionLag(500, 12);
    older.readersWaiting(2);
    newer.batchCommitted(30, 0.004);
    newer.batchCommitted(1, 0.001);
    newer.storeError("Neo4j", "unavailable");
    newer.storeError("MariaDB", "unavailable");
    newer.projectionLag(3, 0.5);
    newer.readersWaiting(1);
    const reports = [await report(older, 1000), await report(newer, 2000)];

    for (const order of [reports, [...reports].reverse()]) {
      const text = await aggregateReports(order);
      expect(sample(text, "vowelgraph_log_batch_events_count")).to.equal(3);
      expect(sample(text, "vowelgraph_log_batch_events_sum")).to.equal(41);
      expect(sample(text, 'vowelgraph_log_batch_events_bucket{le="16"}')).to.equal(2);
      expect(
        sample(text, 'vowelgraph_store_errors_total{store="Neo4j",kind="unavailable"}'),
      ).to.equal(2);
      expect(
        sample(text, 'vowelgraph_store_errors_total{store="MariaDB",kind="unavailable"}'),
      ).to.equal(1);
      expect(sample(text, "vowelgraph_readers_waiting")).to.equal(3);
      expect(sample(text, "vowelgraph_projection_lag_events")).to.equal(3);
      expect(sample(text, "vowelgraph_projection_lag_seconds")).to.equal(0.5);
      expect(sample(text, LAG_MEASURED_AT)).to.equal(2000);
    }
  });
});
