import type { Micros } from "../model/timestamp.js";

const EMPTY = -1;
const INITIAL_CAPACITY = 64;

/**
 * Totals by integer key in typed arrays (open addressing, linear probing): 40 bytes a slot and
 * 4/3 to 8/3 slots a key, outside the JS heap, where a Map of objects takes ~110 bytes a key
 * inside it. A bulk rebuild of 10^7 events sums ~4.5 × 10^7 buckets (at a few events a second
 * a session's sub-second buckets are its own), which as Maps would pass Node's 4 GiB heap.
 * Keys are integers of magnitude below 2^53, never -1; earliest and latest are NaN until an
 * initial comes.
 */
export class TotalsTable {
  private keys = new Float64Array(INITIAL_CAPACITY).fill(EMPTY);
  private values = new Float64Array(INITIAL_CAPACITY * 4);
  private count = 0;

  get size() {
    return this.count;
  }

  /** Adds one initial at `initialAt`, or one followup when it is null. */
  add(key: number, initialAt: Micros | null): void {
    if (4 * (this.count + 1) > 3 * this.keys.length) this.grow();
    const slot = this.slotOf(key);
    const v = this.values;
    const at = slot * 4;
    if (this.keys[slot] === EMPTY) {
      this.keys[slot] = key;
      v[at] = 0;
      v[at + 1] = 0;
      v[at + 2] = NaN;
      v[at + 3] = NaN;
      this.count++;
    }
    if (initialAt === null) {
      v[at + 1]!++;
      return;
    }
    v[at]!++;
    if (!(initialAt >= v[at + 2]!)) v[at + 2] = initialAt;
    if (!(initialAt <= v[at + 3]!)) v[at + 3] = initialAt;
  }

  /** Every key with its initials, followups, earliest and latest (NaN: none). */
  *entries(): Generator<[number, number, number, number, number]> {
    const v = this.values;
    for (let slot = 0; slot < this.keys.length; slot++) {
      const key = this.keys[slot]!;
      if (key === EMPTY) continue;
      const at = slot * 4;
      yield [key, v[at]!, v[at + 1]!, v[at + 2]!, v[at + 3]!];
    }
  }

  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    // Mixes both 32-bit halves; the keys of a grain differ mostly in their low bits.
    const high = Math.floor(key / 2 ** 32);
    let slot = (Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul(high, 0x85ebca77)) & mask;
    while (this.keys[slot] !== EMPTY && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow() {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.values = new Float64Array(keys.length * 8);
    for (let old = 0; old < keys.length; old++) {
      if (keys[old] === EMPTY) continue;
      const slot = this.slotOf(keys[old]!);
      this.keys[slot] = keys[old]!;
      this.values.set(values.subarray(old * 4, old * 4 + 4), slot * 4);
    }
  }
}
