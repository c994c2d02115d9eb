/**
 * How many events the projector's next transaction may apply. A transaction that ran out of
 * time is tried again with half as many events, down to `min`: a server too slow for a full
 * chunk within its time limit (a small heap on a busy host, a cold JVM after a restart) would
 * otherwise fail the same catch-up for ever. The size doubles again, up to `max`, after a
 * transaction that took under a quarter of the limit.
 */
export class ChunkSize {
  private size: number;

  constructor(private readonly limits: { max: number; min: number; timeLimitMs: number }) {
    this.size = limits.max;
  }

  /** Events the next transaction may apply. */
  get now(): number {
    return this.size;
  }

  /** A transaction applied, in `ms`. */
  applied(ms: number): void {
    if (ms < this.limits.timeLimitMs / 4) this.size = Math.min(this.limits.max, this.size * 2);
  }

  /**
   * A transaction of `events` ran out of time; true when a smaller one is worth trying (the
   * next size is then half of it), false when it was already as small as allowed.
   */
  ranOutOfTime(events: number): boolean {
    if (events <= this.limits.min) return false;
    this.size = Math.max(this.limits.min, Math.floor(events / 2));
    return true;
  }
}
