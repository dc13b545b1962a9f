/**
 * Seeded pseudo-random numbers. Every random choice in hwer takes one of these,
 * so the same seed gives the same model, split and benchmark input.
 *
 * @module
 */

/**
 * A small, fast, seedable generator (SplitMix32 seeding into xoshiro128**).
 * Not for cryptography.
 *
 * @example
 * ```ts
 * import { Rng } from "./random.ts";
 * const rng = new Rng(42);
 * const x = rng.next(); // in [0, 1)
 * const i = rng.int(10); // integer in [0, 10)
 * console.log(x < 1 && i < 10); // true
 * ```
 */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates a generator from a seed.
   *
   * @param seed any integer; equal seeds give equal sequences.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    }
    let x = Math.trunc(seed) >>> 0;
    const splitmix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = splitmix();
    this.#s1 = splitmix();
    this.#s2 = splitmix();
    this.#s3 = splitmix();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * The next 32 random bits as an unsigned integer.
   *
   * @returns an integer in [0, 2³²)
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.log(new Rng(1).uint32() >= 0); // true
   * ```
   */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    this.#s2 >>>= 0;
    return result;
  }

  /**
   * A uniform float in [0, 1) with 32 bits of randomness.
   *
   * @returns a number in [0, 1)
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const u = new Rng(7).next();
   * console.log(u >= 0 && u < 1); // true
   * ```
   */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /**
   * A uniform integer in [0, n).
   *
   * @param n exclusive upper bound, a positive integer ≤ 2³²
   * @returns an integer in [0, n)
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.log(new Rng(3).int(6) < 6); // true
   * ```
   */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) {
      throw new RangeError(`Rng.int bound must be a positive integer, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /**
   * A standard normal sample (Box–Muller).
   *
   * @returns a number drawn from N(0, 1)
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.log(Number.isFinite(new Rng(5).normal())); // true
   * ```
   */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * Shuffles an array in place (Fisher–Yates) and returns it.
   *
   * @param items the array to shuffle
   * @returns the same array, shuffled
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const a = new Rng(9).shuffle([1, 2, 3, 4]);
   * console.log(a.length); // 4
   * ```
   */
  shuffle<T, A extends { length: number; [i: number]: T }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * A Float32Array of uniform values in [lo, hi).
   *
   * @param length number of values
   * @param lo lower bound (inclusive)
   * @param hi upper bound (exclusive)
   * @returns the new array
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * console.log(new Rng(2).uniformArray(3, -1, 1).length); // 3
   * ```
   */
  uniformArray(length: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(length);
    const span = hi - lo;
    for (let i = 0; i < length; i++) out[i] = lo + span * this.next();
    return out;
  }

  /**
   * A new generator seeded from this one, for an independent stream
   * (e.g. one per epoch or per worker) that stays deterministic.
   *
   * @returns a new Rng
   * @example
   * ```ts
   * import { Rng } from "./random.ts";
   * const child = new Rng(1).fork();
   * console.log(child.next() < 1); // true
   * ```
   */
  fork(): Rng {
    return new Rng(this.uint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
