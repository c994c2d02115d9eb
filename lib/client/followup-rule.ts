import type { RandomSource } from "../model/random.js";
import { isVowel } from "../model/symbols.js";

/**
 * The original client's mood: it follows up only when the server was right by its own
 * judgement (its own coin for `y`), then with probability 0.1 for a vowel and 0.2 otherwise,
 * the vowel test drawn afresh for that second step.
 */
export function decidesToFollowUp(symbol: string, serverSaysVowel: boolean, random: RandomSource) {
  // The coin inline, not a named const: the tests' transpiler (tsx, keepNames) would name a
  // fresh function on every call, which is most of the unit specs' 1.4 million calls.
  if (serverSaysVowel !== isVowel(symbol, () => random() < 0.5)) return false;
  return random() < (isVowel(symbol, () => random() < 0.5) ? 0.1 : 0.2);
}
