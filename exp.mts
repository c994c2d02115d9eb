import { openEmptyGraphBackend } from "./spec/support/graph-stores.js";
import { generateEventStream, replayClock } from "./spec/support/event-stream.js";
import { feedEvents } from "./spec/support/feed-events.js";
import fs from "node:fs";
const pid = Number(process.argv[2]);
const ticks = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); return Number(f[11]) + Number(f[12]); };
for (const window of [64, 1000]) {
  const events = generateEventStream({ sessions: 8000, days: 2, seed: window });
  const b = await openEmptyGraphBackend(replayClock(events));
  const t0 = performance.now(); const c0 = ticks();
  await feedEvents(b, events, window);
  await b.symbolAggregates("a");
  const secs = (performance.now() - t0) / 1000; const cpu = (ticks() - c0) / 100;
  console.log(`window ${window}: ${events.length} events in ${secs.toFixed(1)} s; neo4j cpu ${cpu.toFixed(1)} s = ${(cpu / events.length * 1e6).toFixed(0)} us/event`);
  await b.close();
}
