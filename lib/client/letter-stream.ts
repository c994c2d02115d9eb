import fs from "node:fs";
import type { RandomSource } from "../model/random.js";

/**
 * Letter counts of one pass over The Adventures of Sherlock Holmes, the text the original
 * client read; the built-in stream draws letters with these frequencies.
 */
export const SHERLOCK_LETTER_COUNTS: Readonly<Record<string, number>> = {
  e: 54944,
  t: 40511,
  a: 36142,
  o: 34869,
  i: 31248,
  n: 29731,
  h: 29579,
  s: 27965,
  r: 25684,
  d: 19100,
  l: 17636,
  u: 13636,
  m: 12155,
  w: 11534,
  c: 11103,
  y: 9760,
  f: 9363,
  g: 8299,
  p: 7284,
  b: 6638,
  v: 4572,
  k: 3681,
  x: 577,
  j: 544,
  q: 437,
  z: 153,
};

/** An endless source of letters a..z. */
export type LetterStream = () => string;

/** Draws letters independently with the Sherlock Holmes frequencies. */
export function frequencyLetterStream(random: RandomSource): LetterStream {
  const letters = Object.keys(SHERLOCK_LETTER_COUNTS);
  const cumulative: number[] = [];
  let total = 0;
  for (const letter of letters) {
    total += SHERLOCK_LETTER_COUNTS[letter]!;
    cumulative.push(total);
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return letters[low]!;
  };
}

/** The letters of a text, in order, lower-cased, over and over (as the original client read). */
export function textLetterStream(text: string): LetterStream {
  const letters = text.toLowerCase().replace(/[^a-z]/g, "");
  if (letters.length === 0) throw new Error("the text has no letters a-z");
  let position = 0;
  return () => {
    const letter = letters[position]!;
    position = (position + 1) % letters.length;
    return letter;
  };
}

export function fileLetterStream(file: string): LetterStream {
  return textLetterStream(fs.readFileSync(file, "utf8"));
}
