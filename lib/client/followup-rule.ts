import type { RandomSource } from "../model/random.js";
import { isVowel } from "../model/symbols.js";

/**
 * The original client's mood: it follows up only when the server was right by its own
 * judgement (its own coin for `y`), then with probability 0.1 for a vowel and 0.2 otherwise,
 * the vowel test drawn afresh for that second step.
 */
export function decidesToFollowUp(symbol: string, serverSaysVowel: boolean, random: RandomSource) {
  const coin = () => random() < 0.5;
  if (serverSaysVowel !== isVowel(symbol, coin)) return false;
  return random() < (isVowel(symbol, coin) ? 0.1 : 0.2);
}
