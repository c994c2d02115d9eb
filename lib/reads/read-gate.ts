import { StoreUnavailableError } from "../backend/data-errors.js";
import { covers, type LogPositions } from "../log/log-positions.js";
import type { AppliedPositions } from "../projection/applied-positions.js";
import { NO_TELEMETRY, type Telemetry } from "../telemetry/telemetry.js";

/**
 * How often a reader whose process does not project asks the graph how far it is, unless the
 * projector's news comes sooner.
 */
const READ_POLL_MS = 10;
/** How long a reader waits for the projector's next news before it looks again. */
const NEWS_WAIT_MS = 250;

export interface ReadGateOptions {
  /** The server's address, for messages. */
  server: string;
  positions: AppliedPositions;
  /** Null when the graph can be reached; else why not (the read is then 503 at once). */
  unreachable: () => string | null;
  /** Asks the graph itself how far it has applied the log. */
  askGraph: () => Promise<LogPositions>;
  /** Tells the projector, here or in another process, that a reader waits: no lingering. */
  hurry: () => void;
  telemetry?: Telemetry;
}

/**
 * Read-your-writes for one graph: a dashboard read first waits here until the graph holds
 * every event the log had committed when the read arrived (`need`), or its deadline passes
 * (503). Where this process projects, its projector's positions say so without asking;
 * elsewhere the projector's news (fresh, about this graph) says so, and without news the reader
 * asks the graph itself.
 */
export class ReadGate {
  private waiting = 0;

  constructor(private readonly options: ReadGateOptions) {}

  /** Waits until the graph holds every event of `need`, until `deadline` (epoch ms); then 503. */
  async waitFor(need: LogPositions, deadline: number): Promise<void> {
    const { positions, server } = this.options;
    for (;;) {
      const problem = this.options.unreachable();
      if (problem !== null) throw new StoreUnavailableError("Neo4j", `${server}: ${problem}`);
      const known = positions.known();
      if (known && covers(known.positions, need)) return;
      if (positions.projectingHere) {
        await this.nextChange(deadline, need);
      } else if (known) {
        // The projector elsewhere tells after each pass: wait for its word, not the graph's.
        await this.nextChange(Math.min(deadline, Date.now() + NEWS_WAIT_MS), need);
      } else {
        this.options.hurry();
        if (covers(await this.options.askGraph(), need)) return;
        await this.nextChange(Math.min(deadline, Date.now() + READ_POLL_MS));
        const news = positions.known();
        if (news && covers(news.positions, need)) return;
      }
      if (Date.now() >= deadline) {
        throw new StoreUnavailableError("Neo4j", `${server} is still catching up with the log`);
      }
    }
  }

  /**
   * Readers waiting here for the projector (of this process, or whose news this process hears)
   * to apply their events: each holds one listener and one timer while it waits, however many
   * passes it waits through.
   */
  get readersWaiting(): number {
    return this.waiting;
  }

  /**
   * Until `until` (epoch ms), or the known positions change: if `need` is given, until they
   * cover it, or stop being known, or whoever projects moved into or out of this process.
   */
  private nextChange(until: number, need?: LogPositions): Promise<void> {
    const { positions, telemetry = NO_TELEMETRY } = this.options;
    const here = positions.projectingHere;
    if (need) {
      this.waiting++;
      telemetry.readersWaiting(1);
      this.options.hurry();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        if (need) {
          this.waiting--;
          telemetry.readersWaiting(-1);
        }
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      const stop = positions.onChange(() => {
        const known = positions.known();
        if (!need || !known || positions.projectingHere !== here || covers(known.positions, need)) {
          done();
        }
      });
    });
  }
}
