import { keyword } from './index-template.js';
import { inputFieldMappings } from '../inputs/fields.js';

/** ECS version the documents follow (https://www.elastic.co/guide/en/ecs/8.17/). */
export const ECS_VERSION = '8.17.0';



/**
 * Mappings of the ECS fields every dataset's documents carry: `@timestamp`, `message`, `tags`,
 * `ecs.version`, `event.*` (`event.original` as ECS maps it), `data_stream.*`, `log.file.path`, `log.offset`, and what an input adds to
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
        // ECS's own mapping: kept as sent, neither searched nor aggregated (`--keep-original`).
        original: { type: 'keyword', index: false, doc_values: false },
      },
    },
    data_stream: { properties: { type: keyword, dataset: keyword, namespace: keyword } },
    log: { properties: { file: { properties: { path: keyword } }, offset: { type: 'long' } } },
    ...inputFieldMappings(),
  };
}

/** ECS `source.*` / `client.*`: address, IP, port and the GeoIP location the enrichment writes. */
export function ecsEndpointMapping(): Record<string, unknown> {
  return {
    properties: {
      ip: { type: 'ip' },
      address: keyword,
      port: { type: 'long' },
      geo: {
        properties: {
          country_iso_code: keyword,
          country_name: keyword,
          region_name: keyword,
          city_name: keyword,
          location: { type: 'geo_point' },
        },
      },
    },
  };
}

/** ECS `url.*` as `urlFields` (weblogs/enrich.ts) writes it; `url.original` also as text. */
export function ecsUrlMapping(): Record<string, unknown> {
  return {
    properties: {
      original: { ...keyword, ignore_above: 8191, fields: { text: { type: 'text' } } },
      scheme: keyword,
      domain: keyword,
      port: { type: 'long' },
      path: keyword,
      query: keyword,
      fragment: keyword,
      extension: keyword,
    },
  };
}

/** ECS `process.pid` and `process.thread.id`. */
export function ecsProcessMapping(): Record<string, unknown> {
  return { properties: { pid: { type: 'long' }, thread: { properties: { id: { type: 'long' } } } } };
}
