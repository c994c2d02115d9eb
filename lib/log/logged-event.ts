import type { Micros } from "../model/timestamp.js";

/** One row of the MariaDB event log, as the projection needs it. */
export interface LoggedEvent {
  /** The API process that logged it, and its place in that writer's gapless sequence. */
  writer: number;
  seq: number;
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: boolean;
  at: Micros;
  /** For a followup, the time of its session's initial: where the range dashboard counts it. */
  sessionAt: Micros;
}
