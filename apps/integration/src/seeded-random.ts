/**
 * A small seeded PRNG (mulberry32) for fault-injection schedules: the seed is
 * printed with every run, so a failing schedule can be replayed exactly.
 */

/** A random source in [0, 1) plus helpers, fully determined by `seed`. */
export interface SeededRandom {
  readonly seed: number;
  /** Next value in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
}

/** Creates a generator from a 32-bit seed. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    seed: seed >>> 0,
    next,
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
}

/** The seed from `value` (e.g. an environment variable) or a fresh random one. */
export function seedFrom(value: string | undefined): number {
  if (value !== undefined && value.trim() !== "") {
    const seed = Number(value);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in 0..4294967295, got "${value}"`);
    }
    return seed;
  }
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}
