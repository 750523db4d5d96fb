import type { IndexTemplate } from '../types.js';
import { ecsBaseMappings } from '../ecs-mappings.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/**
 * Index template for `logs-weblogs.access-*`: explicit ECS mappings, `dynamic: strict` so a field the
 * enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed.
 */
export function weblogsTemplate(): IndexTemplate {
  return {
    name: 'logs-weblogs.access',
    body: {
      index_patterns: ['logs-weblogs.access-*'],
      data_stream: {},
      // Above Elasticsearch's built-in `logs-*-*` template (priority 100) when x-pack is present.
      priority: 200,
      _meta: { managed_by: 'realtime-analytics-stack', dataset: 'weblogs.access' },
      template: {
        settings: { 'index.refresh_interval': '1s', 'index.auto_expand_replicas': '0-1' },
        mappings: {
          dynamic: 'strict',
          date_detection: false,
          properties: {
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
          },
        },
      },
    },
  };
}
