import type { Client } from '@elastic/elasticsearch';
import type { Dataset } from '../datasets/types.js';

/**
 * Installs (or replaces) the composable index template of each dataset and of each of its windows. `PUT _index_template` is
 * idempotent; existing backing indices keep their mapping until the next rollover.
 * @throws the client's ResponseError when Elasticsearch refuses a template (e.g. an unknown field type).
 */
export async function installIndexTemplates(client: Client, datasets: Iterable<Dataset<unknown>>): Promise<string[]> {
  const names: string[] = [];
  for (const ds of datasets) {
    for (const t of [ds.indexTemplate(), ...(ds.windows ?? []).map((w) => w.template())]) {
      await client.indices.putIndexTemplate({ name: t.name, ...t.body } as Parameters<Client['indices']['putIndexTemplate']>[0]);
      names.push(t.name);
    }
  }
  return names;
}
