import { Client } from '@elastic/elasticsearch';

/** Default Elasticsearch URL: the local stack (`npm run stack -- up`) or `ES_URL`. */
export function defaultEsUrl(): string {
  return process.env.ES_URL ?? 'http://127.0.0.1:9200';
}

/**
 * Creates the official client for `url`. Connection errors are retried by the client 3 times; the
 * sink adds its own unbounded backoff on top so an outage pauses ingest instead of losing data.
 * `ES_USERNAME`/`ES_PASSWORD` or `ES_API_KEY` are used when set (the compose stack with security).
 */
export function createEsClient(url = defaultEsUrl()): Client {
  const auth = process.env.ES_API_KEY
    ? { apiKey: process.env.ES_API_KEY }
    : process.env.ES_USERNAME
      ? { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' }
      : undefined;
  return new Client({ node: url, maxRetries: 3, requestTimeout: 60_000, ...(auth ? { auth } : {}) });
}

/**
 * Waits until the cluster answers `_cluster/health` with at least yellow.
 * @throws Error naming the URL when it does not within `timeoutMs` (ms).
 */
export async function waitForEs(client: Client, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(
    `Elasticsearch at ${url} did not become healthy within ${timeoutMs / 1000}s (${String(last)}); ` +
      'start the local stack with `npm run stack -- up` or set ES_URL',
  );
}
