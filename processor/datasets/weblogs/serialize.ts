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

/**
 * `url.*` in the key order `urlFields` inserts them (original, scheme, domain, port, fragment, query,
 * path, extension: what `JSON.stringify` writes). An object with any other key, or an `undefined`
 * value, goes to `JSON.stringify` whole, so nothing is dropped.
 */
function urlJson(u: UrlFields): string {
  let keys = 0;
  for (const _ in u) keys++;
  let written = 1;
  let s = `{"original":${stringJson(u.original)}`;
  if (u.scheme !== undefined) (s += `,"scheme":${stringJson(u.scheme)}`), written++;
  if (u.domain !== undefined) (s += `,"domain":${stringJson(u.domain)}`), written++;
  if (u.port !== undefined) (s += `,"port":${JSON.stringify(u.port)}`), written++;
  if (u.fragment !== undefined) (s += `,"fragment":${stringJson(u.fragment)}`), written++;
  if (u.query !== undefined) (s += `,"query":${stringJson(u.query)}`), written++;
  if (u.path !== undefined) (s += `,"path":${stringJson(u.path)}`), written++;
  if (u.extension !== undefined) (s += `,"extension":${stringJson(u.extension)}`), written++;
  return written === keys && typeof u.original === 'string' ? `${s}}` : JSON.stringify(u);
}

type EventFields = AccessDocument['event'];
// The `event` object's JSON of the last two distinct events (a success and a failure, mostly): every
// field but `ingested` is constant for a dataset, and `ingested` changes once a millisecond, so
// consecutive documents mostly share it. Compared field by field, so a changed value is never reused.
let recentEvent: EventFields | undefined;
let recentText = '';
let olderEvent: EventFields | undefined;
let olderText = '';
const sameEvent = (a: EventFields, b: EventFields): boolean =>
  a.ingested === b.ingested && a.type === b.type && a.outcome === b.outcome && a.timezone === b.timezone &&
  a.dataset === b.dataset && a.kind === b.kind && a.category === b.category && a.module === b.module;

function eventJson(e: EventFields): string {
  if (recentEvent !== undefined && sameEvent(e, recentEvent)) return recentText;
  if (olderEvent !== undefined && sameEvent(e, olderEvent)) return olderText;
  const text =
    `{"kind":${stringJson(e.kind)},"category":${objectJson(e.category)},"type":${objectJson(e.type)}` +
    `,"outcome":${stringJson(e.outcome)},"dataset":${stringJson(e.dataset)},"module":${stringJson(e.module)}` +
    `,"timezone":${stringJson(e.timezone)},"ingested":${stringJson(e.ingested)}}`;
  text.charCodeAt(0); // flat once, not in every document that reuses it
  olderEvent = recentEvent;
  olderText = recentText;
  recentEvent = e;
  recentText = text;
  return text;
}

/**
 * The JSON of one access-log document from `enrichAccessLine`: the same text as `JSON.stringify(doc)`
 * (same keys, same order; a unit test compares them over the real sample and hostile lines), about
 * twice as fast, because the shared parts (GeoIP and user-agent results, `data_stream`) carry their
 * JSON from the cache (`withJsonText`), the `event` object's JSON is reused while it stays the same
 * (`eventJson`), `url` is written field by field (`urlJson`), constant parts are literals, and only
 * strings that need it go through the escaping pass. A `tags` array added after enrichment (the windows' `late` tag) is
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
  let s =
    `{"@timestamp":${stringJson(d['@timestamp'])},"message":${JSON.stringify(d.message)},"ecs":${objectJson(d.ecs)}` +
    `,"event":${eventJson(d.event)}`;
  const src = d.source;
  const address = stringJson(src.address);
  s += `,"source":{"address":${address}`;
  if (src.ip !== undefined) s += `,"ip":${src.ip === src.address ? address : stringJson(src.ip)}`;
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
  if (d.url !== undefined) s += `,"url":${urlJson(d.url)}`;
  if (d.user_agent !== undefined) s += `,"user_agent":${objectJson(d.user_agent)}`;
  s += `,"weblogs":{"crawler":${d.weblogs.crawler}}`;
  if (d.tags !== undefined) s += `,"tags":${JSON.stringify(d.tags)}`;
  if (d.log !== undefined) s += `,"log":{"file":{"path":${stringJson(d.log.file.path)}},"offset":${d.log.offset}}`;
  return `${s},"data_stream":${objectJson(d.data_stream)}}`;
}
