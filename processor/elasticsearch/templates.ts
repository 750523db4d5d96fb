import type { Client } from '@elastic/elasticsearch';
import type { Dataset } from '../datasets/types.js';

/** The part of a composable template body this module reads. */
interface TemplateBody {
  index_patterns: string[];
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
 * take the new mapping at their next rollover (`POST <stream>/_rollover`).
 * @returns the installed template names, and the patterns whose existing streams kept an old mapping.
 * @throws the client's ResponseError when Elasticsearch refuses a template (e.g. an unknown field type).
 */
export async function installIndexTemplates(
  client: Client,
  datasets: Iterable<Dataset<unknown>>,
): Promise<{ names: string[]; outdated: { pattern: string; reason: string }[] }> {
  const names: string[] = [];
  const outdated: { pattern: string; reason: string }[] = [];
  for (const ds of datasets) {
    for (const t of [ds.indexTemplate(), ...(ds.windows ?? []).map((w) => w.template())]) {
      await client.indices.putIndexTemplate({ name: t.name, ...t.body } as Parameters<Client['indices']['putIndexTemplate']>[0]);
      names.push(t.name);
      const body = t.body as unknown as TemplateBody;
      const properties = body.template?.mappings?.properties;
      if (!properties) continue;
      for (const pattern of body.index_patterns) {
        try {
          await client.indices.putMapping({ index: pattern, allow_no_indices: true, expand_wildcards: ['open', 'hidden'], properties } as Parameters<
            Client['indices']['putMapping']
          >[0]);
        } catch (err) {
          const reason = (err as { meta?: { body?: { error?: { reason?: string } } } }).meta?.body?.error?.reason ?? String(err);
          outdated.push({ pattern, reason });
        }
      }
    }
  }
  return { names, outdated };
}
