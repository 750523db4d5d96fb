import type { IndexTemplate } from '../types.js';
import { dataStreamTemplate, keyword } from '../index-template.js';
import { ecsBaseMappings, ecsEndpointMapping, ecsProcessMapping, ecsUrlMapping } from '../ecs-mappings.js';

/**
 * Storage settings of the access-log backing indices, chosen by measurement (`npm run bench -- es-cost`,
 * docs/performance.md, "Elasticsearch cost per document", 2026-12-07; 100,000 documents of the real log,
 * primary store after a force-merge to one segment):
 * - `index.mode: logsdb`: 385–389 → 214 bytes per document (0.55×; 0.90× the 237-byte raw line). Its
 *   segments are sorted by `@timestamp` (descending; `_segments` shows the sort), stored fields are
 *   compressed with zstd (best_compression), doc values with the time-series codec, and no `_source` is
 *   stored: Elasticsearch rebuilds it from doc values and stored fields (synthetic `_source`; geo points
 *   come back quantised, 40.5158 as 40.51579998806119, dates in the mapped format). Synthetic `_source` is
 *   licensed (Enterprise) on Elastic's default distribution, whose x-pack logsdb module falls back to a
 *   stored `_source` under a basic licence: 271–272 bytes per document there (0.70×). This stack's
 *   distribution has no such module (basic licence) and keeps it synthetic.
 * - `index.mapping.ignore_malformed: false`: logsdb turns it on by default, which would store a
 *   document whose value does not fit its field without that value instead of rejecting it; this project
 *   dead-letters such a document with its raw line (README, "Bad input never stops the flow").
 * Settings shape new backing indices only: an existing stream takes them at its next rollover.
 */
export const WEBLOGS_STORAGE_SETTINGS: Readonly<Record<string, unknown>> = {
  'index.mode': 'logsdb',
  'index.mapping.ignore_malformed': false,
};

/**
 * Index template for `logs-weblogs.access-*`: explicit ECS mappings, `dynamic: strict` so a field the
 * enrichment adds without a mapping is rejected (and dead-lettered) instead of guessed, and the storage
 * settings of `WEBLOGS_STORAGE_SETTINGS` (logsdb). With both, a document of the real access log takes
 * 190.5 bytes after a force-merge to one segment (0.80× its raw line; 388 before 2026-12-07).
 */
export function weblogsTemplate(): IndexTemplate {
  const t = weblogsMappingTemplate();
  Object.assign(t.body.template.settings, WEBLOGS_STORAGE_SETTINGS);
  return t;
}

/** `mapping` (an object with `properties`) with no `fields` (multi-fields) on its `original` property. */
function withoutTextMultiField(mapping: Record<string, unknown>): Record<string, unknown> {
  const props = mapping.properties as Record<string, Record<string, unknown>>;
  const { fields: _dropped, ...original } = props.original!;
  return { ...mapping, properties: { ...props, original } };
}

/** The data stream template with the access-log mappings and the settings every dataset's template has. */
function weblogsMappingTemplate(): IndexTemplate {
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
    // url.original and user_agent.original without ECS's `.text` multi-fields: they cost 23 bytes per
    // document after a force-merge (213.6 → 190.5, 11 %) and Elasticsearch CPU (docs/performance.md,
    // 2026-12-07); both are keywords (exact, prefix and wildcard queries), and their parts have fields of
    // their own (url.path, url.query, user_agent.name, user_agent.os.*).
    // An existing stream keeps them (a mapping update never removes a multi-field) until it rolls over.
    url: withoutTextMultiField(ecsUrlMapping()),
    user_agent: {
      properties: {
        original: keyword,
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
