import { keyword } from './index-template.js';
import { inputFieldMappings } from '../inputs/fields.js';

/** ECS version the documents follow (https://www.elastic.co/guide/en/ecs/8.17/). */
export const ECS_VERSION = '8.17.0';



/**
 * Mappings of the ECS fields every dataset's documents carry: `@timestamp`, `message`, `tags`,
 * `ecs.version`, `event.*`, `data_stream.*`, `log.file.path`, `log.offset`, and what an input adds to
 * every event (`labels.*`, `service.name`, `host.name`; inputs/fields.ts).
 * `data_stream.*` are `keyword` rather than ECS's `constant_keyword`, which lives in an x-pack module
 * that the OSS distribution used by the local stack does not ship.
 */
export function ecsBaseMappings(): Record<string, unknown> {
  return {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    tags: keyword,
    ecs: { properties: { version: keyword } },
    event: {
      properties: {
        kind: keyword,
        category: keyword,
        type: keyword,
        outcome: keyword,
        dataset: keyword,
        module: keyword,
        timezone: keyword,
        ingested: { type: 'date' },
        duration: { type: 'long' },
      },
    },
    data_stream: { properties: { type: keyword, dataset: keyword, namespace: keyword } },
    log: { properties: { file: { properties: { path: keyword } }, offset: { type: 'long' } } },
    ...inputFieldMappings(),
  };
}
