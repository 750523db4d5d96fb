/**
 * The seeded randomness of the sentiment trainer's development split, shared with the evaluation
 * scripts that must reproduce that split exactly (scripts/eval/sentiment-gate.ts).
 */

/**
 * mulberry32: a small seeded PRNG (32-bit state) giving floats in [0, 1); the same seed gives the same
 * sequence on every platform. Source: Tommy Ettinger's mulberry32 (public domain).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `a` in place with `rand`; returns `a`. */
export function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
