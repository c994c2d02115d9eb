import { randomUUID } from "node:crypto";
import { seededRandom } from "../../lib/model/random.js";
import { SYMBOLS } from "../../lib/model/symbols.js";
import { MICROS_PER_DAY, parseTimestamp, type Micros } from "../../lib/model/timestamp.js";

export interface GeneratedEvent {
  kind: "initial" | "followup";
  uuid: string;
  symbol: string;
  guess: boolean;
  at: Micros;
}

export interface StreamOptions {
  sessions: number;
  days: number;
  seed: number;
  start?: string;
  /** Symbols that get no events at all, to check the empty shape. */
  absentSymbols?: string[];
}

/**
 * A random history: sessions spread over `days`, each with 0-3 followups some time after it,
 * in time order, as a server would have stamped them.
 */
export function generateEventStream(options: StreamOptions): GeneratedEvent[] {
  const random = seededRandom(options.seed);
  const start = parseTimestamp(options.start ?? "2017-06-28")!;
  const span = options.days * MICROS_PER_DAY;
  const symbols = SYMBOLS.filter((s) => !options.absentSymbols?.includes(s));
  const events: GeneratedEvent[] = [];
  for (let i = 0; i < options.sessions; i++) {
    const at = start + Math.floor(random() * span);
    const symbol = symbols[Math.floor(random() * symbols.length)]!;
    const session = { uuid: randomUUID(), symbol, guess: random() < 0.5 };
    events.push({ kind: "initial", ...session, at });
    const followups = random() < 0.7 ? 0 : Math.floor(random() * 3) + 1;
    for (let f = 0; f < followups; f++) {
      // Some followups land days later, past any range the initial is in.
      events.push({
        kind: "followup",
        ...session,
        at: at + 1 + Math.floor(random() * 3 * MICROS_PER_DAY),
      });
    }
  }
  return events.sort((x, y) => x.at - y.at);
}

/** A clock that hands out the generated times in order, standing in for the server's clock. */
export function replayClock(events: readonly GeneratedEvent[]): () => Micros {
  let next = 0;
  return () => {
    const event = events[next++];
    if (!event) throw new Error("the replay clock ran past the generated events");
    return event.at;
  };
}
