import { describeRebuild, rebuildScratchGraph } from "./bench-stores.js";
import { verifyScratchGraph } from "./phase-dashboards.js";
import { say } from "./processes.js";
import type { BenchResults } from "./results.js";
import { VERIFY_UP_TO } from "./settings.js";

/**
 * The rebuild phase: `npm run graph:rebuild -- --json` (bulk import into the test server) over
 * the largest data set, timed by its own JSON report.
 */
export async function rebuildPhase(results: BenchResults, largest: number) {
  say(`rebuilding the graph from the log (${largest.toLocaleString("en-US")} events)`);
  let lastSaid = performance.now();
  const started = performance.now();
  const report = await rebuildScratchGraph({
    onStderr: (text: string) => {
      if (performance.now() - lastSaid < 15_000) return;
      lastSaid = performance.now();
      const progress = text
        .split("\r")
        .filter((part) => part.trim())
        .at(-1);
      if (progress) say(`  ${progress.trim()}`);
    },
  });
  const wall = (performance.now() - started) / 1000;
  results.rebuild = { events: report.events, seconds: report.seconds, phases: report.phases };
  results.rebuild_events_per_s = Math.round(report.events / report.seconds);
  say(`rebuild: ${describeRebuild(report)}; ${wall.toFixed(1)} s with process start`);
  if (largest <= VERIFY_UP_TO) {
    results.checks.push(`after the rebuild: ${await verifyScratchGraph()}`);
  }
}
