import type { Client } from '@elastic/elasticsearch';
import { esConnectionFromOptions, explainEsError, redactedNodes, type EsConnection } from './connection.js';

// The client factory and the connection options live in connection.ts (shared by every command).
export { createEsClient, defaultEsUrl, defaultEsUrls } from './connection.js';

/**
 * Waits until the cluster answers `_cluster/health` with at least yellow. Errors that retrying cannot
 * fix (untrusted certificate, refused credentials, missing privilege) fail at once; others (connection
 * refused, timeouts) are retried every second.
 * @param conn the connection (or its URL, or a comma-separated list) the client was made for; used only for
 *   messages, which never contain a secret. With several nodes, the client asks whichever node is live.
 * @throws Error with a clear, secret-free message at the first unfixable error, or naming the URL when
 *   the cluster is not healthy within `timeoutMs` (ms).
 */
export async function waitForEs(client: Client, conn: string | EsConnection, timeoutMs = 60_000): Promise<void> {
  const c = typeof conn === 'string' ? esConnectionFromOptions({ esUrl: conn }) : conn;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
      return;
    } catch (err) {
      const fatal = explainEsError(err, c);
      if (fatal) throw new Error(fatal);
      last = err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(
    `Elasticsearch at ${redactedNodes(c)} did not become healthy within ${timeoutMs / 1000}s (${String(last)}); ` +
      'start the local stack with `npm run stack -- up` or set ES_URL',
  );
}
