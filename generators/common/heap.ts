/**
 * Minimal binary min-heap keyed by a numeric priority, used by generators to
 * schedule simulated sessions by their next due time.
 *
 * @module generators/common/heap
 */

/** Binary min-heap; `key(item)` must not change while the item is inside, except via {@link MinHeap.updateTop}. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  /** @param key priority of an item (smaller = earlier). */
  constructor(private readonly key: (item: T) => number) {}

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** Smallest item, or undefined when empty. O(1). */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts an item. O(log n). */
  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  /** Removes and returns the smallest item. O(log n). */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Re-establishes heap order after the key of the top item increased. O(log n). */
  updateTop(): void {
    if (this.items.length > 1) this.siftDown(0);
  }

  private siftUp(i: number): void {
    const items = this.items;
    const item = items[i] as T;
    const k = this.key(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (this.key(p) <= k) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  private siftDown(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i] as T;
    const k = this.key(item);
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let ck = this.key(items[l] as T);
      if (r < n) {
        const rk = this.key(items[r] as T);
        if (rk < ck) {
          c = r;
          ck = rk;
        }
      }
      if (ck >= k) break;
      items[i] = items[c] as T;
      i = c;
    }
    items[i] = item;
  }
}
