import type { DataInterface } from "../../lib/backend/data-interface.js";
import type { GeneratedEvent } from "./event-stream.js";

/**
 * Sends generated events to a backend in stream order, `window` at a time. Each call reads the
 * backend's (replay) clock synchronously, so times are stamped in order even though the calls
 * overlap; a followup is never sent before its initial's call.
 */
export async function feedEvents(
  data: DataInterface,
  events: readonly GeneratedEvent[],
  window = 256,
) {
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events
        .slice(i, i + window)
        .map((e) =>
          e.kind === "initial"
            ? data.logInitial(e.uuid, e.symbol, e.guess)
            : data.logFollowup(e.uuid),
        ),
    );
  }
}
