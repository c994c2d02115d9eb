import { isVowel } from "./symbols.js";
import type { RandomSource } from "./random.js";

/** Chance that the server's answer is inverted: the model is deliberately noisy. */
export const GUESS_ERROR_RATE = 0.1;

/** The server's "best guess" whether `symbol` is a vowel (SPEC: truth, then 10% inverted). */
export function guessIsVowel(symbol: string, random: RandomSource = Math.random): boolean {
  const truth = isVowel(symbol, () => random() < 0.5);
  return random() < GUESS_ERROR_RATE ? !truth : truth;
}
