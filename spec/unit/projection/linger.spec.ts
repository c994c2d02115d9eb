import { expect } from "chai";
import { Linger, pauseAfterPass } from "../../../lib/projection/linger.js";

const LIMITS = { pollMs: 50, lingerMs: 10_000, lingerEvents: 1000 };

/** Whether `pausing` settled while this turn of the event loop's queue drains. */
async function settled(pausing: Promise<void>): Promise<boolean> {
  let done = false;
  void pausing.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("the projector's pause between passes", () => {
  describe("how long", () => {
    it("when a pass filled its chunk, then the next runs at once", () => {
      expect(
        pauseAfterPass(LIMITS, { applied: 5000, chunk: 5000, readersWaiting: false }),
      ).to.deep.equal({ ms: 0, linger: false });
    });

    it("when a pass applied some events and no reader waits, then it lingers", () => {
      expect(
        pauseAfterPass(LIMITS, { applied: 10, chunk: 5000, readersWaiting: false }),
      ).to.deep.equal({ ms: 10_000, linger: true });
    });

    it("when a reader waits, then it polls instead of lingering", () => {
      expect(
        pauseAfterPass(LIMITS, { applied: 10, chunk: 5000, readersWaiting: true }),
      ).to.deep.equal({ ms: 50, linger: false });
    });

    it("when a pass found nothing, then it polls", () => {
      expect(
        pauseAfterPass(LIMITS, { applied: 0, chunk: 5000, readersWaiting: false }),
      ).to.deep.equal({ ms: 50, linger: false });
    });
  });

  describe("what cuts it short", () => {
    it("when lingering and fewer events than the threshold are committed, then it goes on waiting", async () => {
      const linger = new Linger(LIMITS);
      const pausing = linger.pause({ ms: 10_000, linger: true });
      linger.eventsCommitted(999);
      expect(await settled(pausing)).to.equal(false);
      linger.interrupt();
      await pausing;
    });

    it("when lingering and the threshold of events is committed, then it ends", async () => {
      const linger = new Linger(LIMITS);
      const pausing = linger.pause({ ms: 10_000, linger: true });
      linger.eventsCommitted(600);
      linger.eventsCommitted(400);
      expect(await settled(pausing)).to.equal(true);
    });

    it("when lingering and a reader waits, then it ends", async () => {
      const linger = new Linger(LIMITS);
      const pausing = linger.pause({ ms: 10_000, linger: true });
      linger.readerWaiting();
      expect(await settled(pausing)).to.equal(true);
    });

    it("when polling, then a single commit ends it but a reader alone does not", async () => {
      const linger = new Linger(LIMITS);
      const pausing = linger.pause({ ms: 10_000, linger: false });
      linger.readerWaiting();
      expect(await settled(pausing)).to.equal(false);
      linger.eventsCommitted(1);
      expect(await settled(pausing)).to.equal(true);
    });

    it("when events were committed before a pause, then they count towards the threshold after it", async () => {
      const linger = new Linger(LIMITS);
      await linger.pause({ ms: 0, linger: false });
      linger.eventsCommitted(900); // during the pass
      const pausing = linger.pause({ ms: 10_000, linger: true });
      linger.eventsCommitted(100);
      expect(await settled(pausing)).to.equal(true);
    });
  });
});
