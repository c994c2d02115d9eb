import { expect } from "chai";
import { decidesToFollowUp } from "../../../lib/client/followup-rule.js";
import {
  frequencyLetterStream,
  SHERLOCK_LETTER_COUNTS,
} from "../../../lib/client/letter-stream.js";
import { guessIsVowel } from "../../../lib/model/guess.js";
import { seededRandom } from "../../../lib/model/random.js";

const TRIALS = 200_000;

/** The observed rate of `event` over TRIALS draws, and the 5-sigma band around `p`. */
function rate(event: () => boolean) {
  let hits = 0;
  for (let i = 0; i < TRIALS; i++) if (event()) hits++;
  return hits / TRIALS;
}
const tolerance = (p: number) => 5 * Math.sqrt((p * (1 - p)) / TRIALS);

describe("the guess model", () => {
  it("when asked about a vowel, then answers True 90% of the time", () => {
    const random = seededRandom(1);
    const p = rate(() => guessIsVowel("e", random));
    expect(p).to.be.closeTo(0.9, tolerance(0.9));
  });

  it("when asked about a consonant, then answers True 10% of the time", () => {
    const random = seededRandom(2);
    expect(rate(() => guessIsVowel("t", random))).to.be.closeTo(0.1, tolerance(0.1));
  });

  it("when asked about y, then answers True half of the time", () => {
    const random = seededRandom(3);
    expect(rate(() => guessIsVowel("y", random))).to.be.closeTo(0.5, tolerance(0.5));
  });

  it("when given the same seed, then gives the same answers", () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const answers = (r: () => number) => Array.from({ length: 50 }, () => guessIsVowel("y", r));
    expect(answers(first)).to.deep.equal(answers(second));
  });
});

describe("the client's followup rule", () => {
  /** A whole client step: the server guesses, the client judges and maybe follows up. */
  const followupRate = (symbol: string, seed: number) => {
    const server = seededRandom(seed);
    const client = seededRandom(seed + 1000);
    return rate(() => decidesToFollowUp(symbol, guessIsVowel(symbol, server), client));
  };

  for (const [symbol, expected] of [
    ["a", 0.09],
    ["u", 0.09],
    ["t", 0.18],
    ["z", 0.18],
    ["y", 0.075],
  ] as const) {
    it(`when the symbol is ${symbol}, then follows up at rate ${expected}`, () => {
      expect(followupRate(symbol, symbol.charCodeAt(0))).to.be.closeTo(
        expected,
        tolerance(expected),
      );
    });
  }

  it("when the server was wrong about a plain vowel or consonant, then never follows up", () => {
    const random = seededRandom(7);
    for (let i = 0; i < 10_000; i++) {
      expect(decidesToFollowUp("e", false, random)).to.equal(false);
      expect(decidesToFollowUp("t", true, random)).to.equal(false);
    }
  });

  it("when letters come from the built-in stream, then the overall followup rate is about 0.143", () => {
    const random = seededRandom(11);
    const letters = frequencyLetterStream(random);
    const p = rate(() => {
      const symbol = letters();
      return decidesToFollowUp(symbol, guessIsVowel(symbol, random), random);
    });
    expect(p).to.be.closeTo(0.143, tolerance(0.143) + 0.001);
  });
});

describe("the built-in letter stream", () => {
  it("when drawn many times, then matches the Sherlock Holmes letter frequencies", () => {
    const letters = frequencyLetterStream(seededRandom(5));
    const total = Object.values(SHERLOCK_LETTER_COUNTS).reduce((a, b) => a + b, 0);
    const seen: Record<string, number> = {};
    for (let i = 0; i < TRIALS; i++) {
      const letter = letters();
      seen[letter] = (seen[letter] ?? 0) + 1;
    }
    for (const [letter, count] of Object.entries(SHERLOCK_LETTER_COUNTS)) {
      const p = count / total;
      expect((seen[letter] ?? 0) / TRIALS, letter).to.be.closeTo(p, tolerance(p) + 1e-4);
    }
  });
});
