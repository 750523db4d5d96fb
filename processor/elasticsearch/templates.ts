import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Dataset } from '../datasets/types.js';
import { withRetentionComponent } from './retention.js';

/** The part of a composable template body this module reads. */
interface TemplateBody {
  index_patterns: string[];
  _meta?: Record<string, unknown>;
  template?: { mappings?: { properties?: Record<string, unknown> } };
}

/**
 * Installs (or replaces) the composable index template of each dataset and of each of its windows,
 * then brings the mappings of data streams that already exist up to date.
 *
 * `PUT _index_template` is idempotent but only shapes backing indices created later: without the
 * second step, a data stream created by an earlier version keeps its old mapping until it rolls over,
 * and with `dynamic: strict` every document carrying a field added since (e.g. `url.port`,
 * `news.sentiment.probabilities`) would be rejected. So the template's properties are also put on the
 * existing streams of its pattern (`PUT <pattern>/_mapping`: write and older backing indices), which
 * adds new fields and changes nothing else. A mapping Elasticsearch refuses there (a field whose type
 * changed) does not stop the start: it is returned in `outdated` with the reason, and such streams
 * take the new mapping at their next rollover (`POST <stream>/_rollover`). Because one refusing backing
 * index fails the request for the whole pattern, a refused pattern is retried index by index: the others
 * still take the new fields, and `outdated` names the backing indices refused (or the pattern, when its
 * indices cannot be listed).
 *
 * Both steps are skipped for a template Elasticsearch already holds with the same content: each
 * template carries the SHA-1 of its body in `_meta.content_hash`, compared with one GET per template.
 * (Putting mappings on every backing index of a pattern is a cluster-state update per pattern: on a
 * cluster with ~1,000 indices it made each start wait 7–10 s.) The mappings go on the existing streams
 * before the template is stored, so a start that dies in between redoes both next time.
 * Each body is stored composed of the retention component template (`withRetentionComponent`), which
 * `applyRetention` writes when a retention is set.
 * @returns the template names, those already current (`unchanged`), and the backing indices (or
 *   patterns) that kept an old mapping, with Elasticsearch's reason.
 * @throws the client's ResponseError when Elasticsearch refuses a template (e.g. an unknown field type).
 */
export async function installIndexTemplates(
  client: Client,
  datasets: Iterable<Pick<Dataset<unknown>, 'indexTemplate' | 'windows'>>,
): Promise<{ names: string[]; unchanged: string[]; outdated: { pattern: string; reason: string }[] }> {
  // Every template is composed of the retention component (see elasticsearch/retention.ts; absent = keep everything).
  const templates = [...datasets]
    .flatMap((ds) => [ds.indexTemplate(), ...(ds.windows ?? []).map((w) => w.template())])
    .map((t) => ({ ...t, body: withRetentionComponent(t.body) }));
  const stored = await Promise.all(templates.map((t) => storedContentHash(client, t.name)));
  const names: string[] = [];
  const unchanged: string[] = [];
  const outdated: { pattern: string; reason: string }[] = [];
  for (const [i, t] of templates.entries()) {
    names.push(t.name);
    const body = t.body as unknown as TemplateBody;
    const hash = createHash('sha1').update(JSON.stringify(t.body)).digest('hex');
    if (stored[i] === hash) {
      unchanged.push(t.name);
      continue;
    }
    const properties = body.template?.mappings?.properties;
    for (const pattern of properties ? body.index_patterns : []) {
      try {
        await putProperties(client, pattern, properties!);
      } catch (err) {
        // One backing index Elasticsearch refuses fails the whole pattern's request: put the mapping
        // index by index, so the others still take the new fields, and report only those refused.
        const indices = await backingIndices(client, pattern).catch(() => undefined);
        if (!indices) {
          outdated.push({ pattern, reason: reasonOf(err) });
          continue;
        }
        for (const index of indices) {
          await putProperties(client, index, properties!).catch((e: unknown) => outdated.push({ pattern: index, reason: reasonOf(e) }));
        }
      }
    }
    const meta = { ...(body._meta ?? {}), content_hash: hash };
    await client.indices.putIndexTemplate({ name: t.name, ...t.body, _meta: meta } as Parameters<Client['indices']['putIndexTemplate']>[0]);
  }
  return { names, unchanged, outdated };
}

/** `PUT <target>/_mapping` with `properties`, over open and hidden indices (backing indices are hidden). */
async function putProperties(client: Client, target: string, properties: Record<string, unknown>): Promise<void> {
  await client.indices.putMapping({ index: target, allow_no_indices: true, expand_wildcards: ['open', 'hidden'], properties } as Parameters<
    Client['indices']['putMapping']
  >[0]);
}

/** Names of the open (hidden included) indices matching `pattern`, e.g. the backing indices of its data streams. */
async function backingIndices(client: Client, pattern: string): Promise<string[]> {
  const r = await client.indices.get({ index: pattern, expand_wildcards: ['open', 'hidden'], allow_no_indices: true, filter_path: ['*.settings.index.uuid'] });
  return Object.keys(r).sort();
}

/** Elasticsearch's reason for refusing a request, or the error as text. */
function reasonOf(err: unknown): string {
  return (err as { meta?: { body?: { error?: { reason?: string } } } }).meta?.body?.error?.reason ?? String(err);
}

/** `_meta.content_hash` of the stored template `name`, or undefined when there is none. */
async function storedContentHash(client: Client, name: string): Promise<string | undefined> {
  try {
    const r = await client.indices.getIndexTemplate({ name });
    const meta = r.index_templates[0]?.index_template._meta as { content_hash?: unknown } | undefined;
    return typeof meta?.content_hash === 'string' ? meta.content_hash : undefined;
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return undefined;
    throw err;
  }
}
