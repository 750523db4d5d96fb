import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings, ecsEndpointMapping, ecsProcessMapping, ecsUrlMapping } from '../ecs-mappings.js';

/**
 * Index template for `logs-weblogs.error-*`: the ECS base (with the input fields `labels`, `service`,
 * `host`: `ecsBaseMappings`) plus the error-log fields, `dynamic: strict`. `event.original` (the raw
 * entry) is kept in `_source` only (ECS: not indexed).
 */
export function errorlogsTemplate(): IndexTemplate {
  const base = ecsBaseMappings() as { event: { properties: Record<string, unknown> }; log: { properties: Record<string, unknown> } };
  return dataStreamTemplate('logs', 'weblogs.error', {
    ...base,
    event: { properties: { ...base.event.properties, original: { type: 'keyword', index: false, doc_values: false } } },
    log: {
      properties: {
        ...base.log.properties,
        level: keyword,
        logger: keyword,
        origin: { properties: { file: { properties: { name: keyword, line: { type: 'long' } } } } },
      },
    },
    process: ecsProcessMapping(),
    source: ecsEndpointMapping(),
    error: { properties: { code: keyword } },
    http: { properties: { version: keyword, request: { properties: { method: keyword, referrer: keyword } } } },
    url: ecsUrlMapping(),
    server: { properties: { domain: keyword } },
    weblogs: {
      properties: {
        error: {
          properties: {
            connection_id: { type: 'long' },
            upstream: keyword,
            errno: { type: 'long' },
            errno_text: keyword,
          },
        },
      },
    },
  });
}
