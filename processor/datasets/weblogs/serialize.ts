import { objectJson, stringJson } from '../../enrich/json-text.js';
import type { GeoFields } from '../../enrich/geoip.js';
import type { UserAgentFields } from '../../enrich/user-agent.js';
import type { UrlFields } from './enrich.js';

/** The document `enrichAccessLine` builds, as the serialiser reads it. */
interface AccessDocument {
  '@timestamp': string;
  message: string;
  ecs: { version: string };
  event: { kind: string; category: string[]; type: string[]; outcome: string; dataset: string; module: string; timezone: string; ingested: string };
  source: { address: string; ip?: string; geo?: GeoFields };
  http: { response: { status_code: number; body: { bytes: number } }; request?: { method?: string; referrer?: string }; version?: string };
  user?: { name: string };
  url?: UrlFields;
  user_agent?: UserAgentFields;
  weblogs: { crawler: boolean };
  tags?: string[];
  log?: { file: { path: string }; offset: number };
  data_stream: object;
}

/** A flat object of string and number values (`url.*`), in its own key order. */
function flatJson(o: object): string {
  let s = '';
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    s += `${s === '' ? '{' : ','}"${k}":${typeof v === 'number' ? JSON.stringify(v) : stringJson(String(v))}`;
  }
  return s === '' ? '{}' : `${s}}`;
}

/**
 * The JSON of one access-log document from `enrichAccessLine`: the same text as `JSON.stringify(doc)`
 * (same keys, same order; a unit test compares them over the real sample and hostile lines), about
 * twice as fast, because the shared parts (GeoIP and user-agent results, `data_stream`) carry their
 * JSON from the cache (`withJsonText`), constant parts are literals, and only strings that need it
 * go through the escaping pass. A `tags` array added after enrichment (the windows' `late` tag) is
 * written in its usual place. A body with any other top-level key, or without one of the fixed ones,
 * is passed to `JSON.stringify` whole. Keep in step with `enrichAccessLine` when a field is added.
 */
export function accessDocumentJson(body: Record<string, unknown>): string {
  const d = body as unknown as AccessDocument;
  // Anything but the shape written below (a field this function does not know, a body from elsewhere)
  // is serialised by JSON.stringify: nothing is ever dropped.
  let keys = 0;
  for (const _ in body) keys++;
  const known =
    8 + +(d.user !== undefined) + +(d.url !== undefined) + +(d.user_agent !== undefined) + +(d.tags !== undefined) + +(d.log !== undefined);
  if (keys !== known || typeof d['@timestamp'] !== 'string' || !d.event || !d.source || !d.http?.response?.body || !d.weblogs || !d.ecs || !d.data_stream || !('message' in body)) {
    return JSON.stringify(body);
  }
  const e = d.event;
  let s =
    `{"@timestamp":${stringJson(d['@timestamp'])},"message":${JSON.stringify(d.message)},"ecs":${objectJson(d.ecs)}` +
    `,"event":{"kind":${stringJson(e.kind)},"category":${objectJson(e.category)},"type":${objectJson(e.type)}` +
    `,"outcome":${stringJson(e.outcome)},"dataset":${stringJson(e.dataset)},"module":${stringJson(e.module)}` +
    `,"timezone":${stringJson(e.timezone)},"ingested":${stringJson(e.ingested)}}`;
  const src = d.source;
  s += `,"source":{"address":${stringJson(src.address)}`;
  if (src.ip !== undefined) s += `,"ip":${stringJson(src.ip)}`;
  if (src.geo !== undefined) s += `,"geo":${objectJson(src.geo)}`;
  const h = d.http;
  s += `},"http":{"response":{"status_code":${h.response.status_code},"body":{"bytes":${h.response.body.bytes}}}`;
  if (h.request !== undefined) {
    const r = h.request;
    s += ',"request":{';
    if (r.method !== undefined) s += `"method":${stringJson(r.method)}${r.referrer !== undefined ? ',' : ''}`;
    if (r.referrer !== undefined) s += `"referrer":${stringJson(r.referrer)}`;
    s += '}';
  }
  if (h.version !== undefined) s += `,"version":${stringJson(h.version)}`;
  s += '}';
  if (d.user !== undefined) s += `,"user":{"name":${stringJson(d.user.name)}}`;
  if (d.url !== undefined) s += `,"url":${flatJson(d.url)}`;
  if (d.user_agent !== undefined) s += `,"user_agent":${objectJson(d.user_agent)}`;
  s += `,"weblogs":{"crawler":${d.weblogs.crawler}}`;
  if (d.tags !== undefined) s += `,"tags":${JSON.stringify(d.tags)}`;
  if (d.log !== undefined) s += `,"log":{"file":{"path":${stringJson(d.log.file.path)}},"offset":${d.log.offset}}`;
  return `${s},"data_stream":${objectJson(d.data_stream)}}`;
}
