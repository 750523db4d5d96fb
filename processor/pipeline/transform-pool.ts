/**
 * Where a batch's decode → validate → enrich runs: on the main thread (`inlineTransformer`) or on a
 * pool of worker threads (`createTransformPool`, `piscina`). Both return the same documents and dead
 * letters, in record order, referring to the caller's own `SourceRecord` objects, so the pipeline's
 * ordered commits do not depend on which one is used.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { getDataset } from '../datasets/registry.js';
import type { EnrichContext } from '../datasets/types.js';
import type { GeoIpDatabases } from '../enrich/geoip.js';
import { registeredInputs } from '../inputs/settings.js';
import { transformBatch, type TransformResult } from './transform.js';
import type { SourceRecord } from './types.js';
import type { WorkerResult, WorkerTask } from './transform-worker.js';

/** Defined (as `true`) only in the bundles of scripts/build/build.ts; undefined under tsx and ts-jest. */
declare const RTAS_COMPILED: boolean | undefined;

/**
 * The worker module piscina loads: the TypeScript source beside this file, or, in a compiled run, the
 * bundle `dist/transform-worker.js` (there `import.meta.url` still names this source file).
 */
function transformWorkerUrl(): string {
  return typeof RTAS_COMPILED === 'undefined'
    ? new URL('./transform-worker.ts', import.meta.url).href
    : new URL('../../dist/transform-worker.js', import.meta.url).href;
}

/** Turns a batch of records into documents and dead letters. */
export interface Transformer {
  /** Worker threads used (0: the main thread). */
  readonly threads: number;
  transform(records: SourceRecord[], namespace: string): Promise<TransformResult>;
  close(): Promise<void>;
}

/** Runs `transformBatch` on the main thread. */
export function inlineTransformer(ctx: EnrichContext): Transformer {
  return {
    threads: 0,
    transform: async (records, namespace) => transformBatch(records, ctx, namespace),
    close: async () => undefined,
  };
}

/**
 * Default worker threads for this machine: the cores beyond two (`os.availableParallelism() - 2`,
 * at most 4). On two cores shared with Elasticsearch the pool was measured to cost more than it
 * gives (README, "Performance"), so there it is 0 and batches are transformed on the main thread.
 */
export function defaultTransformThreads(): number {
  return Math.max(0, Math.min(4, os.availableParallelism() - 2));
}

/**
 * A pool of `threads` worker threads, each with its own user-agent cache and a view of the same GeoIP
 * databases (`dbs` should be loaded with `shared`: SharedArrayBuffers are not copied into workers).
 * A batch is split into one contiguous slice per thread; results are stitched back in record order.
 * Batches containing a stateful dataset (whose enrichment depends on earlier records, e.g. per-symbol
 * indicators) are transformed on the main thread with `ctx`, in order, exactly as without a pool.
 * From the sources the workers run `transform-worker.ts` (under `tsx` they inherit its loader through
 * `execArgv`); in the compiled run (`npm run build`) they run the bundle `dist/transform-worker.js`.
 */
export function createTransformPool(threads: number, ctx: EnrichContext, dbs: GeoIpDatabases): Transformer {
  const pool = new Piscina<WorkerTask, WorkerResult>({
    filename: transformWorkerUrl(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData: { dbs, inputs: registeredInputs(), keepOriginal: ctx.keepOriginal === true },
  });
  const inline = inlineTransformer(ctx);
  return {
    threads,
    async transform(records, namespace) {
      if (records.some((r) => !getDataset(r.dataset).stateless)) return inline.transform(records, namespace);
      const size = Math.ceil(records.length / threads);
      const slices: SourceRecord[][] = [];
      for (let i = 0; i < records.length; i += size) slices.push(records.slice(i, i + size));
      const results = await Promise.all(
        slices.map((slice) => pool.run({ records: slice.map((r) => ({ dataset: r.dataset, raw: r.raw, position: r.position, id: r.id, input: r.input })), namespace })),
      );
      const out: TransformResult = { docs: [], deadLetters: [] };
      results.forEach((res, s) => {
        const slice = slices[s]!;
        for (const d of res.docs) out.docs.push({ id: d.id, index: d.index, body: d.body, record: slice[d.at]! });
        for (const l of res.deadLetters) out.deadLetters.push({ record: slice[l.at]!, stage: l.stage, reason: l.reason });
      });
      return out;
    },
    close: () => pool.destroy(),
  };
}
