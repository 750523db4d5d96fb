/**
 * What keeps the dashboard's cost to Elasticsearch bounded whatever the browsers do:
 *
 * - {@link ConcurrencyLimit}: at most `max` view computations at once, a small FIFO queue behind
 *   them, {@link BusyError} (the server answers `503` + `Retry-After`) beyond it; a queued task whose
 *   signal fires leaves the queue without running.
 * - {@link SharedResults}: one computation per key (view + normalized parameters) however many
 *   clients ask at once (they share one promise), its result kept `ttlMs` (a short cache, so many
 *   viewers refreshing cost one search per key per `ttlMs`), and the computation aborted when the
 *   last client waiting for it has gone. With `staleMs`, the last result of each key is also kept that
 *   long, and {@link SharedResults.staleWhileBusy} hands it out when every computation slot is taken
 *   (nginx's `proxy_cache_use_stale updating`, RFC 5861's stale-if-error: an older answer, marked with
 *   its age, rather than a wait or a 503).
 *
 * The cache is `lru-cache` (bounded size, TTL); the sharing, reference counting and queue are small
 * and specific enough to be written here (no declared dependency offers a bounded queue that rejects
 * when full and drops aborted entries; `p-queue`/`p-limit` are not dependencies of the project).
 */
import { LRUCache } from 'lru-cache';

/** Too many computations running and queued: answer 503 with `Retry-After: retryAfterSeconds`. */
export class BusyError extends Error {
  override readonly name = 'BusyError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** The task's signal fired (every client waiting for it left) before or while it ran. */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

/** A cap on concurrent tasks with a bounded FIFO queue. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly queue: { start: () => void; abort: () => void }[] = [];

  /**
   * @param max tasks running at once (≥ 1)
   * @param queueSize tasks waiting at most; beyond, {@link run} throws {@link BusyError}
   */
  constructor(
    readonly max: number,
    readonly queueSize: number,
  ) {
    if (!(max >= 1)) throw new RangeError('max must be at least 1');
    if (!(queueSize >= 0)) throw new RangeError('queueSize must be at least 0');
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot now. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `task` now when fewer than `max` run, else after the tasks queued before it.
   * @throws {BusyError} at once when the queue is full; {@link AbortedError} when `signal` fires while queued.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new AbortedError('aborted before it started');
    if (this.active >= this.max) {
      if (this.queue.length >= this.queueSize) {
        throw new BusyError(`busy: ${this.active} view computations running and ${this.queue.length} queued; retry in a second`);
      }
      await new Promise<void>((resolve, reject) => {
        const entry = {
          start: () => {
            signal?.removeEventListener('abort', entry.abort);
            resolve();
          },
          abort: () => {
            const i = this.queue.indexOf(entry);
            if (i >= 0) this.queue.splice(i, 1);
            reject(new AbortedError('aborted while queued'));
          },
        };
        this.queue.push(entry);
        signal?.addEventListener('abort', entry.abort, { once: true });
      });
    } else {
      this.active++;
    }
    // A slot is held here (taken above, or handed over by the task that finished).
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next.start();
      else this.active--;
    }
  }
}

interface InFlight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/** Options of {@link SharedResults}. */
export interface SharedResultsOptions {
  /** How long a result is served to everyone asking the same key, ms (0: no cache, only in-flight sharing). */
  ttlMs: number;
  /** Keys kept at most (least recently used dropped first). */
  maxEntries?: number;
  /** Cap for the computations (none: unlimited). */
  limit?: ConcurrencyLimit;
  /** How long the last result of each key may be served stale while the limit is full, ms (0 or absent: never). */
  staleMs?: number;
}

/** Results computed once per key and shared: see the module comment. */
export class SharedResults<T extends {}> {
  private readonly cache: LRUCache<string, T> | undefined;
  private readonly recent: LRUCache<string, { value: T; at: number }> | undefined;
  private readonly inFlight = new Map<string, InFlight<T>>();

  constructor(private readonly opts: SharedResultsOptions) {
    this.cache = opts.ttlMs > 0 ? new LRUCache<string, T>({ max: opts.maxEntries ?? 500, ttl: opts.ttlMs }) : undefined;
    this.recent = opts.staleMs ? new LRUCache<string, { value: T; at: number }>({ max: opts.maxEntries ?? 500, ttl: opts.staleMs }) : undefined;
  }

  /**
   * The last result of `key` and its age in ms, when every slot of the limit is taken and a result at
   * most `staleMs` old exists (a fresh cached one is returned by {@link get} anyway); else undefined.
   */
  staleWhileBusy(key: string): { value: T; ageMs: number } | undefined {
    const limit = this.opts.limit;
    if (!this.recent || !limit || limit.running < limit.max || this.cache?.has(key) || this.inFlight.has(key)) return undefined;
    const r = this.recent.get(key);
    return r && { value: r.value, ageMs: Date.now() - r.at };
  }

  /** Computations running or queued now (distinct keys). */
  get computing(): number {
    return this.inFlight.size;
  }

  /**
   * The result for `key`: from the cache, else from the computation already running for it, else
   * from a new `compute(signal)` (run under the limit). `clientSignal` is this caller's: when every
   * caller of a running computation has aborted, the computation's signal fires.
   * @throws {BusyError} when the limit's queue is full; {@link AbortedError} when `clientSignal` fires;
   *   what `compute` throws (not cached).
   */
  get(key: string, compute: (signal: AbortSignal) => Promise<T>, clientSignal?: AbortSignal): Promise<T> {
    const cached = this.cache?.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    if (clientSignal?.aborted) return Promise.reject(new AbortedError('the client left'));
    let entry = this.inFlight.get(key);
    if (!entry) {
      const controller = new AbortController();
      const run = (): Promise<T> => compute(controller.signal);
      const created: InFlight<T> = {
        controller,
        waiters: 0,
        settled: false,
        promise: (this.opts.limit ? this.opts.limit.run(run, controller.signal) : run()).then(
          (value) => {
            created.settled = true;
            if (this.inFlight.get(key) === created) this.inFlight.delete(key);
            if (!controller.signal.aborted) {
              this.cache?.set(key, value);
              this.recent?.set(key, { value, at: Date.now() });
            }
            return value;
          },
          (err: unknown) => {
            created.settled = true;
            if (this.inFlight.get(key) === created) this.inFlight.delete(key);
            throw err;
          },
        ),
      };
      // Nobody may be listening when every client left: keep the rejection from being unhandled.
      created.promise.catch(() => undefined);
      entry = created;
      this.inFlight.set(key, entry);
    }
    const shared = entry;
    shared.waiters++;
    if (!clientSignal) return shared.promise;
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        shared.waiters--;
        if (shared.waiters === 0 && !shared.settled) {
          if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
          shared.controller.abort();
        }
        reject(new AbortedError('the client left'));
      };
      clientSignal.addEventListener('abort', leave, { once: true });
      shared.promise.then(
        (v) => {
          clientSignal.removeEventListener('abort', leave);
          resolve(v);
        },
        (err: unknown) => {
          clientSignal.removeEventListener('abort', leave);
          reject(err);
        },
      );
    });
  }
}
