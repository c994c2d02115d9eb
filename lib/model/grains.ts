import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
} from "./timestamp.js";

const MICROS_PER_MILLI = 1000;

/**
 * The bucket grains the projection maintains, coarsest first, each a whole number of the next,
 * all aligned to the epoch. More grains mean more bucket updates per write batch but fewer
 * buckets per range: each ragged end of a range needs at most (ratio to the coarser grain - 1)
 * buckets of a grain — 9 ten-days, 9 days, 3 six-hours, 5 hours, 5 ten-minutes, 9 minutes,
 * 5 ten-seconds, 9 seconds, 9 hundred-milliseconds — and what is left at each end is shorter
 * than 100 ms, counted from its sessions. The grains above a day keep wide ranges short (30
 * whole days: at most 12 buckets a letter, not 30) and cost little, since a write batch
 * touches one such bucket per letter. The sub-minute ones are there for dense traffic: at 10^5
 * initials a minute, 100 ms holds about 170 of them, where a minute-fine edge would be up to
 * two minutes of them. There are no finer grains: 10 ms and 1 ms buckets mostly hold one
 * session each at that density, and they doubled the projection's cost per event
 * (docs/decisions: time buckets).
 */
export const GRAINS = [
  { grain: "100d", micros: 100 * MICROS_PER_DAY },
  { grain: "10d", micros: 10 * MICROS_PER_DAY },
  { grain: "day", micros: MICROS_PER_DAY },
  { grain: "6h", micros: 6 * MICROS_PER_HOUR },
  { grain: "hour", micros: MICROS_PER_HOUR },
  { grain: "10min", micros: 10 * MICROS_PER_MINUTE },
  { grain: "minute", micros: MICROS_PER_MINUTE },
  { grain: "10s", micros: 10 * MICROS_PER_SECOND },
  { grain: "second", micros: MICROS_PER_SECOND },
  { grain: "100ms", micros: 100 * MICROS_PER_MILLI },
] as const;

export type Grain = (typeof GRAINS)[number]["grain"];
