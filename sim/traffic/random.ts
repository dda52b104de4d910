/**
 * Deterministic randomness: the same seed and key always give the same
 * number, so a simulated day can be replayed exactly and the ground truth
 * re-derived by anyone holding the seed.
 */

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A well-mixed 32-bit hash of two integers (lowbias32 on their combination). */
export function mix(a: number, b: number): number {
  let x = (a ^ Math.imul(b | 0, 0x9e3779b1)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A number in [0, 1) fixed by (seed, key). */
export function unit(seed: number, key: number): number {
  return mix(seed, key) / 4294967296;
}

/** Smooth noise in [0, 1): values at integer points, cosine-interpolated between them. */
export function smoothNoise(seed: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const w = (1 - Math.cos(f * Math.PI)) / 2;
  return unit(seed, i) * (1 - w) + unit(seed, i + 1) * w;
}

/** A number in [lo, hi) fixed by a seed and a text key. */
export function pick(seed: number, key: string, lo: number, hi: number): number {
  return lo + unit(seed, hashString(key)) * (hi - lo);
}
