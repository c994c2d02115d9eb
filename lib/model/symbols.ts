/** The 26 symbols the service knows, in dashboard order. */
export const SYMBOLS = "abcdefghijklmnopqrstuvwxyz".split("");

const TRUE_VOWELS = new Set(["a", "e", "i", "o", "u"]);

/** Whether a symbol is a vowel; `y` is ambiguous and decided by `coin` (true = vowel). */
export function isVowel(symbol: string, coin: () => boolean): boolean {
  if (TRUE_VOWELS.has(symbol)) return true;
  return symbol === "y" ? coin() : false;
}
