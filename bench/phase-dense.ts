import type { Config } from "../lib/config.js";
import { measureDenseRange } from "./dense-range.js";
import { say } from "./processes.js";
import type { BenchResults } from "./results.js";
import type { Settings } from "./settings.js";

/**
 * The dense-traffic phase: bench/dense-range.ts's data set (a minute of dense traffic over a
 * sparse 30 days) fed through the graph backend, for what the fine bucket grains cost writes
 * and storage, and range latency around the dense minute, in the same run as the rest.
 */
export async function densePhase(
  dense: NonNullable<Settings["dense"]>,
  seed: number,
  results: BenchResults,
  config: Config,
) {
  say(
    `dense traffic: ${dense.initials.toLocaleString("en-US")} initials in one minute, ` +
      `${dense.background.toLocaleString("en-US")} sessions over 30 days`,
  );
  const result = await measureDenseRange({
    config,
    denseInitials: dense.initials,
    backgroundSessions: dense.background,
    samples: dense.samples,
    warmup: Math.ceil(dense.samples / 5),
    seed,
    log: (line) => say(`  ${line}`),
  });
  results.dense = result;
  results.checks.push(
    `dense traffic: ${result.checkedAgainstSql} range answers equal SQL over the raw log`,
  );
}
