import { covers, eventsBehind, type LogPositions } from "../log/log-positions.js";
import { Applier, type ApplierOptions } from "./applier.js";

/**
 * Applies the log to a graph until it holds `target`, lease or not: what a rebuild does after
 * its import or wipe. Safe beside a running projector, since each transaction checks the
 * positions it moves. `onProgress` hears the events still to go after each transaction.
 */
export async function catchUp(
  options: ApplierOptions,
  target: LogPositions,
  onProgress?: (behind: number) => void,
): Promise<void> {
  const applier = new Applier(options);
  await applier.fromGraph();
  while (!covers(applier.positions, target)) {
    await applier.pass();
    onProgress?.(eventsBehind(applier.positions, target));
  }
}
