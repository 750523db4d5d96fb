/**
 * Helpers for integration tests against the real Elasticsearch of the local stack (`npm test` starts
 * it) or `ES_URL`. Each test writes into its own data stream namespace, so tests never see each
 * other's documents.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createEsClient, defaultEsUrl } from '../../processor/elasticsearch/client.js';

export const esUrl = defaultEsUrl();
export const es = createEsClient(esUrl);
export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A fresh namespace such as `t3f9a1c2`, so the data stream is new for this test. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `rtas-${prefix}-`));
}

/** Refreshes and counts the documents of `index` (0 when it does not exist yet). */
export async function countDocs(index: string, query?: Record<string, unknown>): Promise<number> {
  try {
    await es.indices.refresh({ index });
    const r = await es.count({ index, ...(query ? { query } : {}) });
    return r.count;
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return 0;
    throw err;
  }
}

/** Every document of a small `index` (at most 10,000, e.g. a window stream), sorted by `@timestamp`; refreshes first. */
export async function allDocuments<T>(index: string): Promise<T[]> {
  await es.indices.refresh({ index });
  const r = await es.search<T>({ index, size: 10_000, sort: [{ '@timestamp': 'asc' }] });
  return r.hits.hits.map((h) => h._source!);
}

/** All `_id`s of `index` (a data stream or pattern), sorted; refreshes first. */
export async function idsOf(index: string): Promise<string[]> {
  await es.indices.refresh({ index });
  const ids: string[] = [];
  let r = await es.search({ index, size: 5000, _source: false, scroll: '1m', query: { match_all: {} } });
  while (r.hits.hits.length > 0) {
    ids.push(...r.hits.hits.map((h) => h._id!));
    r = await es.scroll({ scroll_id: r._scroll_id!, scroll: '1m' });
  }
  if (r._scroll_id) await es.clearScroll({ scroll_id: r._scroll_id });
  return ids.sort();
}

/**
 * Every document of `index` by `_id`, without the fields that differ between two runs over the same
 * input (`event.ingested`, `data_stream`): for comparing what two processor runs indexed.
 */
export async function comparableDocuments(index: string): Promise<Map<string, unknown>> {
  await es.indices.refresh({ index });
  const out = new Map<string, unknown>();
  let res = await es.search<Record<string, any>>({ index, size: 5000, scroll: '1m', query: { match_all: {} } });
  while (res.hits.hits.length > 0) {
    for (const h of res.hits.hits) {
      const { event, data_stream: _ds, ...rest } = h._source!;
      const { ingested: _i, ...eventRest } = event as Record<string, unknown>;
      out.set(h._id!, { ...rest, event: eventRest });
    }
    res = await es.scroll<Record<string, any>>({ scroll_id: res._scroll_id!, scroll: '1m' });
  }
  if (res._scroll_id) await es.clearScroll({ scroll_id: res._scroll_id });
  return out;
}

/** Polls `probe` every 250 ms until it returns true. @throws after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The repository root (tests spawn the CLIs from there). */
export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The real Apache access log shipped in `data/samples`. */
export const realAccessLog = path.resolve(repoRoot, 'data/samples/weblogs/apache_logs');
