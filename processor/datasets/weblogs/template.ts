import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

/**
 * Index template for `logs-weblogs.access-*`: explicit ECS mappings, `dynamic: strict` so a field the
 * enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed.
 */
export function weblogsTemplate(): IndexTemplate {
  return dataStreamTemplate('logs', 'weblogs.access', {
    ...ecsBaseMappings(),
    source: {
      properties: {
        ip: { type: 'ip' },
        address: keyword,
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
    },
    user: { properties: { name: keyword } },
    http: {
      properties: {
        version: keyword,
        request: { properties: { method: keyword, referrer: keyword } },
        response: {
          properties: {
            status_code: { type: 'long' },
            body: { properties: { bytes: { type: 'long' } } },
          },
        },
      },
    },
    url: {
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
    },
    user_agent: {
      properties: {
        original: { ...keyword, fields: { text: { type: 'text' } } },
        name: keyword,
        version: keyword,
        os: { properties: { name: keyword, version: keyword, full: keyword } },
        device: { properties: { name: keyword } },
      },
    },
    weblogs: { properties: { crawler: { type: 'boolean' } } },
  });
}
