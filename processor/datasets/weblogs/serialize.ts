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
 * `url.*` as `JSON.stringify` writes it: each key in the object's own order, with the string and
 * number values `urlFields` sets. An object with any other key, or an `undefined` value, goes to
 * `JSON.stringify` whole, so nothing is dropped or reordered.
 */
function urlJson(u: UrlFields): string {
  let s = '';
  for (const k in u) {
    const v = u[k as keyof UrlFields];
    switch (k) {
      case 'original':
      case 'scheme':
      case 'domain':
      case 'path':
      case 'query':
      case 'fragment':
      case 'extension':
        if (typeof v !== 'string') return JSON.stringify(u);
        s += `${s === '' ? '{' : ','}"${k}":${stringJson(v)}`;
        break;
      case 'port':
        if (typeof v !== 'number') return JSON.stringify(u);
        s += `${s === '' ? '{' : ','}"port":${JSON.stringify(v)}`;
        break;
      default:
        return JSON.stringify(u);
    }
  }
  return s === '' ? '{}' : `${s}}`;
}

type EventFields = AccessDocument['event'];
/** An `event` object's field values (copied, not the object: a mutated object must not match) and its JSON. */
interface SeenEvent extends EventFields {
  text: string;
}
// The JSON of the last two distinct `event` objects (a success and a failure, mostly): every field but
// `ingested` is constant for a dataset, and `ingested` changes once a millisecond, so consecutive
// documents mostly share it. Compared field by field against copies of the values; the shared
// `category` and `type` arrays are frozen (enrich.ts), so comparing them by identity is comparing them.
let recentEvent: SeenEvent | undefined;
let olderEvent: SeenEvent | undefined;
const sameEvent = (a: EventFields, b: SeenEvent): boolean =>
  a.ingested === b.ingested && a.type === b.type && a.outcome === b.outcome && a.timezone === b.timezone &&
  a.dataset === b.dataset && a.kind === b.kind && a.category === b.category && a.module === b.module;

function eventJson(e: EventFields): string {
  if (recentEvent !== undefined && sameEvent(e, recentEvent)) return recentEvent.text;
  if (olderEvent !== undefined && sameEvent(e, olderEvent)) return olderEvent.text;
  const text =
    `{"kind":${stringJson(e.kind)},"category":${objectJson(e.category)},"type":${objectJson(e.type)}` +
    `,"outcome":${stringJson(e.outcome)},"dataset":${stringJson(e.dataset)},"module":${stringJson(e.module)}` +
    `,"timezone":${stringJson(e.timezone)},"ingested":${stringJson(e.ingested)}}`;
  text.charCodeAt(0); // flat once, not in every document that reuses it
  const unfrozenArray = !Object.isFrozen(e.category) || !Object.isFrozen(e.type);
  if (unfrozenArray) return text; // an array that could change in place is never cached
  olderEvent = recentEvent;
  recentEvent = {
    kind: e.kind, category: e.category, type: e.type, outcome: e.outcome, dataset: e.dataset,
    module: e.module, timezone: e.timezone, ingested: e.ingested, text,
  };
  return text;
}

function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
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
  // The objects written field by field below must hold exactly those fields: a configured format's
  // extras (event.duration, source.port, http.request.id, weblogs.upstream, …) take JSON.stringify.
  if (
    keyCount(d.event) !== 8 ||
    keyCount(d.source) !== 1 + +(d.source.ip !== undefined) + +(d.source.geo !== undefined) ||
    keyCount(d.http) !== 1 + +(d.http.request !== undefined) + +(d.http.version !== undefined) ||
    keyCount(d.http.response) !== 2 ||
    keyCount(d.http.response.body) !== 1 ||
    (d.http.request !== undefined && keyCount(d.http.request) !== +(d.http.request.method !== undefined) + +(d.http.request.referrer !== undefined)) ||
    keyCount(d.weblogs) !== 1
  ) {
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
