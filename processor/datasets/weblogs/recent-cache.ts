import { detached } from '../../enrich/detached-string.js';

/**
 * A bounded cache of recently used entries by string key: two `Map` generations. `set` fills the
 * young one; when it holds `generation` entries it becomes the old one (the previous old one is
 * dropped) and a new young one starts; a `get` that finds an entry in the old generation copies it to
 * the young one. So at most 2 × `generation` entries are held, and an entry used at least once every
 * `generation` insertions is never dropped: an approximation of a least-recently-used cache at the cost
 * of one or two `Map.get` per lookup (`lru-cache`'s `get` measured ~0.3 µs on the per-record path).
 */
export class RecentCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  /** @param generation entries per generation (≥ 1). */
  constructor(private readonly generation: number) {}

  // The last key found or stored: consecutive lines often repeat it, and comparing two strings is
  // cheaper than hashing a new one for the Map.
  private lastKey: string | undefined;
  private lastValue: V | undefined;

  /** The value stored for `key`, or `undefined`. */
  get(key: string): V | undefined {
    if (key === this.lastKey) return this.lastValue;
    let v = this.young.get(key);
    if (v === undefined) {
      v = this.old.get(key);
      if (v === undefined) return undefined;
      this.set(key, v);
    }
    this.lastKey = key;
    this.lastValue = v;
    return v;
  }

  /**
   * The value stored for `key`, else `compute(key, arg)` (not `undefined`), stored. `arg` spares a
   * closure per call on hot paths. `compute` gets a detached copy of `key` (`detached`), so the strings
   * of a value it cuts from its key do not keep the line it came from alive either.
   */
  getOrSet<A>(key: string, compute: (key: string, arg: A) => V, arg: A): V {
    let v = this.get(key);
    if (v === undefined) {
      const own = detached(key);
      v = compute(own, arg);
      this.store(own, v);
    }
    return v;
  }

  /** Stores `value` (not `undefined`) for `key` (a detached copy of it: see `detached`). */
  set(key: string, value: V): void {
    this.store(detached(key), value);
  }

  /** `set` for a key that is detached already. */
  private store(key: string, value: V): void {
    this.lastKey = key;
    this.lastValue = value;
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

/**
 * The `RecentCache` of `owner` in `caches`, made with `generation` entries per generation on first use:
 * one cache per owner (a GeoIP lookup, a user-agent parser), dropped with it.
 */
export function recentCacheOf<O extends object, V>(caches: WeakMap<O, RecentCache<V>>, owner: O, generation: number): RecentCache<V> {
  let cache = caches.get(owner);
  if (cache === undefined) {
    cache = new RecentCache<V>(generation);
    caches.set(owner, cache);
  }
  return cache;
}
