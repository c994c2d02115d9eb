import type { Micros } from "../model/timestamp.js";

/** One row of the MariaDB event log, as the projection needs it. */
export interface LoggedEvent {
  /** Position in the log (events.id), strictly increasing in commit order. */
  id: number;
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: boolean;
  at: Micros;
  /** For a followup, the time of its session's initial: where the range dashboard counts it. */
  sessionAt: Micros;
}
