/**
 * When the projector runs its next pass. Neo4j's cost per transaction is high next to its cost
 * per event, so after a transaction that applied some events the projector lets more gather
 * for up to `lingerMs`, unless `lingerEvents` were committed meanwhile or a reader waits; an
 * idle projector looks for other processes' commits every `pollMs`, and a commit here wakes it.
 */
export interface LingerLimits {
  pollMs: number;
  lingerMs: number;
  lingerEvents: number;
}

export const DEFAULT_LINGER: LingerLimits = { pollMs: 50, lingerMs: 100, lingerEvents: 1000 };

/** How long to pause after a pass that applied `applied` events of at most `chunk`. */
export function pauseAfterPass(
  limits: LingerLimits,
  pass: { applied: number; chunk: number; readersWaiting: boolean },
): { ms: number; linger: boolean } {
  if (pass.applied >= pass.chunk) return { ms: 0, linger: false };
  if (pass.applied > 0 && !pass.readersWaiting) return { ms: limits.lingerMs, linger: true };
  return { ms: limits.pollMs, linger: false };
}

/** The projector's pause between passes, and what may cut it short. */
export class Linger {
  private wake: () => void = () => {};
  private lingering = false;
  private committed = 0;

  constructor(private readonly limits: LingerLimits = DEFAULT_LINGER) {}

  /** Waits `ms`, or until woken: by anything at all, or while lingering only by enough. */
  async pause({ ms, linger }: { ms: number; linger: boolean }): Promise<void> {
    if (ms > 0) await this.sleep(ms, linger);
    // Counted from here: what the next pass will find, committed during it or the next pause.
    this.committed = 0;
  }

  private async sleep(ms: number, linger: boolean) {
    this.lingering = linger;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = () => {};
    this.lingering = false;
  }

  /** `count` events were committed (here, or told by another process). */
  eventsCommitted(count: number): void {
    this.committed += count;
    if (!this.lingering || this.committed >= this.limits.lingerEvents) this.wake();
  }

  /** A reader waits for the next pass. */
  readerWaiting(): void {
    if (this.lingering) this.wake();
  }

  /** Ends any pause now (closing, or a failure to report at once). */
  interrupt(): void {
    this.wake();
  }
}
