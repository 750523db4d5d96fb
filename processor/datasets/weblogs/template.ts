import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings, ecsEndpointMapping, ecsProcessMapping, ecsUrlMapping } from '../ecs-mappings.js';

/**
 * Index template for `logs-weblogs.access-*`: explicit ECS mappings, `dynamic: strict` so a field the
 * enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed.
 */
export function weblogsTemplate(): IndexTemplate {
  return dataStreamTemplate('logs', 'weblogs.access', {
    ...ecsBaseMappings(),
    source: ecsEndpointMapping(),
    client: ecsEndpointMapping(),
    server: { properties: { address: keyword, domain: keyword, ip: { type: 'ip' }, port: { type: 'long' } } },
    tls: { properties: { version_protocol: keyword, version: keyword, cipher: keyword } },
    process: ecsProcessMapping(),
    user: { properties: { name: keyword } },
    http: {
      properties: {
        version: keyword,
        request: { properties: { method: keyword, referrer: keyword, id: keyword, bytes: { type: 'long' }, mime_type: keyword } },
        response: {
          properties: {
            status_code: { type: 'long' },
            body: { properties: { bytes: { type: 'long' } } },
            bytes: { type: 'long' },
            mime_type: keyword,
          },
        },
      },
    },
    url: ecsUrlMapping(),
    user_agent: {
      properties: {
        original: { ...keyword, fields: { text: { type: 'text' } } },
        name: keyword,
        version: keyword,
        os: { properties: { name: keyword, version: keyword, full: keyword } },
        device: { properties: { name: keyword } },
      },
    },
    weblogs: {
      properties: {
        crawler: { type: 'boolean' },
        // X-Forwarded-For as sent: any text (`unknown`, obfuscated ids), so keyword, not ip.
        forwarded_for: keyword,
        upstream: {
          properties: {
            address: keyword,
            status_code: { type: 'long' },
            connect: { properties: { duration: { type: 'long' } } },
            header: { properties: { duration: { type: 'long' } } },
            response: { properties: { duration: { type: 'long' } } },
            cache_status: keyword,
          },
        },
        // Variables of a configured format outside the table (formats/variables.ts): kept in _source,
        // not indexed, so no set of names can grow the mapping.
        variables: { type: 'object', enabled: false },
      },
    },
  });
}
