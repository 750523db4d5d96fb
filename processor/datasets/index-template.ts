import { DOCUMENT_IDS_META } from '../pipeline/document-id.js';
import type { IndexTemplate } from './types.js';

/** A `keyword` that leaves values over 1024 characters unindexed (kept in `_source`), as ECS does. */
export const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * The composable index template of the data streams `{type}-{dataset}-*`: explicit `properties`,
 * `dynamic: strict` (a field the enrichment adds without a mapping is rejected and dead-lettered, not
 * guessed), no date detection, the `_id` layout in `_meta`, a 1 s refresh and replicas auto-expanding 0–1. Priority 200 puts it
 * above Elasticsearch's built-in `logs-*-*`/`metrics-*-*` templates (priority 100) where x-pack has them.
 */
export function dataStreamTemplate(type: 'logs' | 'metrics', dataset: string, properties: Record<string, unknown>): IndexTemplate {
  return {
    name: `${type}-${dataset}`,
    body: {
      index_patterns: [`${type}-${dataset}-*`],
      data_stream: {},
      priority: 200,
      _meta: { managed_by: 'realtime-analytics-stack', dataset },
      template: {
        settings: { 'index.refresh_interval': '1s', 'index.auto_expand_replicas': '0-1' },
        // `labels` is the one dynamic object (user-chosen keys from the inputs' `fields`): its values are keywords.
        // `_meta.document_ids`: the `_id` layout of the documents of every backing index made from here
        // (pipeline/document-id.ts, `layoutOfWriteIndex`); mapping updates of existing indices send properties only.
        mappings: {
          _meta: { [DOCUMENT_IDS_META]: 'ordered' },
          dynamic: 'strict',
          date_detection: false,
          dynamic_templates: [{ labels: { path_match: 'labels.*', mapping: keyword } }],
          properties,
        },
      },
    },
  };
}
