import { keyJson, objectJson, stringJson } from '../../enrich/json-text.js';
import type { GeoFields } from '../../enrich/geoip.js';
import type { UserAgentFields } from '../../enrich/user-agent.js';
import type { UrlFields } from './enrich.js';

/** The document `enrichAccessLine` builds, as the serialiser reads it. */
interface AccessDocument {
  '@timestamp': string;
  ecs: { version: string };
  event: { kind: string; category: string[]; type: string[]; outcome: string; dataset: string; module: string; timezone: string; ingested: string; duration?: number; original?: string };
  source: { address: string; ip?: string; geo?: GeoFields };
  http: { response: { status_code: number; body: { bytes: number } }; request?: { method?: string; referrer?: string }; version?: string };
  user?: { name: string };
  url?: UrlFields;
  user_agent?: UserAgentFields;
  weblogs: { crawler: boolean };
  client?: object;
  server?: object;
  tls?: object;
  process?: object;
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
  let original: string | undefined;
  let originalJson = '';
  for (const k in u) {
    const v = u[k as keyof UrlFields];
    switch (k) {
      case 'original':
      case 'path':
        // The path is mostly the target itself (no query, no fragment): its JSON is written once.
        if (typeof v !== 'string') return JSON.stringify(u);
        if (v !== original || original === undefined) {
          original = v;
          originalJson = stringJson(v);
        }
        s += `${s === '' ? '{' : ','}"${k}":${originalJson}`;
        break;
      case 'scheme':
      case 'domain':
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
  /** `text` without its closing brace, then `,"duration":` (a configured format's event), made on first use. */
  durationHead: string | undefined;
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
    module: e.module, timezone: e.timezone, ingested: e.ingested, text, durationHead: undefined,
  };
  return text;
}

/** `eventJson(e)` without its closing brace, then `,"duration":`: the head of an event with a duration. */
function eventDurationHead(e: EventFields): string {
  const text = eventJson(e);
  const seen = recentEvent?.text === text ? recentEvent : olderEvent?.text === text ? olderEvent : undefined;
  if (seen?.durationHead !== undefined) return seen.durationHead;
  const head = `${text.slice(0, -1)},"duration":`;
  head.charCodeAt(0); // flat once
  if (seen) seen.durationHead = head;
  return head;
}

/** JSON of `source.*` / `client.*` (`address`, `ip`, `geo`, `port`) in the object's own key order; anything else → JSON.stringify. */
function endpointJson(e: Record<string, unknown>): string {
  let s = '';
  let address: string | undefined;
  let addressJson = '';
  for (const k in e) {
    const v = e[k];
    let text: string;
    if ((k === 'address' || k === 'ip') && typeof v === 'string') {
      // `ip` is mostly the address itself: its JSON is written once.
      if (k === 'address') {
        address = v;
        text = addressJson = stringJson(v);
      } else text = v === address ? addressJson : stringJson(v);
    } else if (k === 'geo' && typeof v === 'object' && v !== null && !Array.isArray(v)) text = objectJson(v);
    else if (k === 'port' && typeof v === 'number' && Number.isFinite(v)) text = String(v);
    else return JSON.stringify(e);
    s += `${s === '' ? '{' : ','}"${k}":${text}`;
  }
  return s === '' ? '{}' : `${s}}`;
}

/** JSON of `http.*`: the combined format's fields written directly, anything else of an object through JSON.stringify. */
function httpJson(h: AccessDocument['http']): string {
  let s = '';
  for (const k in h) {
    const v = (h as Record<string, unknown>)[k];
    let text: string;
    if (k === 'response' && typeof v === 'object' && v !== null) {
      const r = v as Record<string, unknown>;
      const body = r.body as { bytes?: unknown } | undefined;
      text =
        inOrder(r, RESPONSE_KEYS) && typeof r.status_code === 'number' && Number.isFinite(r.status_code) &&
        typeof body === 'object' && body !== null && keyCount(body) === 1 && typeof body.bytes === 'number' && Number.isFinite(body.bytes)
          ? `{"status_code":${r.status_code},"body":{"bytes":${body.bytes}}}`
          : JSON.stringify(r);
    } else {
      const t = JSON.stringify(v) as string | undefined; // undefined for what JSON leaves out
      if (t === undefined) continue;
      text = t;
    }
    s += `${s === '' ? '{' : ','}${keyJson(k)}:${text}`;
  }
  return s === '' ? '{}' : `${s}}`;
}

/** JSON of an array of strings as JSON.stringify writes it; undefined for anything else in it. */
function stringsJson(a: unknown): string | undefined {
  if (!Array.isArray(a)) return undefined;
  if (Object.isFrozen(a)) return objectJson(a); // a decoder's shared list, with its JSON
  let s = '[';
  for (let i = 0; i < a.length; i++) {
    const v: unknown = a[i];
    if (typeof v !== 'string') return undefined;
    s += i === 0 ? stringJson(v) : `,${stringJson(v)}`;
  }
  return `${s}]`;
}

/** JSON of an array of finite numbers as JSON.stringify writes it; undefined for anything else in it. */
function numbersJson(a: unknown): string | undefined {
  if (!Array.isArray(a)) return undefined;
  if (Object.isFrozen(a)) return objectJson(a); // a decoder's shared list, with its JSON
  let s = '[';
  for (let i = 0; i < a.length; i++) {
    const v: unknown = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    s += i === 0 ? String(v) : `,${v}`;
  }
  return `${s}]`;
}

/** `{"duration":n}` for an object holding only a finite `duration`; undefined otherwise. */
function durationJson(o: unknown): string | undefined {
  if (!isObj(o)) return undefined;
  if (Object.isFrozen(o)) return objectJson(o); // enrich's shared `{duration}`, with its JSON
  if (!inOrder(o, DURATION_KEYS)) return undefined;
  const d = (o as { duration: unknown }).duration;
  return typeof d === 'number' && Number.isFinite(d) ? `{"duration":${d}}` : undefined;
}

/**
 * JSON of `o` written field by field in its own key order, each value by `field(key, value)`; the whole
 * object through `JSON.stringify` as soon as `field` returns undefined (a key or a shape it does not
 * write), so the bytes never differ. `field` answers only for keys that need no escaping.
 */
function fieldsJson(o: Record<string, unknown>, field: (k: string, v: unknown) => string | undefined): string {
  let s = '';
  for (const k in o) {
    const text = field(k, o[k]);
    if (text === undefined) return JSON.stringify(o);
    s += `${s === '' ? '{' : ','}"${k}":${text}`;
  }
  return s === '' ? '{}' : `${s}}`;
}

/** A field of `http.request`: method, referrer and a configured format's id, bytes, MIME type. */
function requestField(k: string, v: unknown): string | undefined {
  if ((k === 'method' || k === 'referrer' || k === 'id' || k === 'mime_type') && typeof v === 'string') return stringJson(v);
  if (k === 'bytes' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A field of `weblogs.upstream`: address(es), status code(s), the three durations, cache status. */
function upstreamField(k: string, v: unknown): string | undefined {
  if (k === 'address') return stringsJson(v);
  if (k === 'status_code') return numbersJson(v);
  if (k === 'connect' || k === 'header' || k === 'response') return durationJson(v);
  if (k === 'cache_status' && typeof v === 'string') return stringJson(v);
  return undefined;
}

/** A field of `weblogs.*`: `crawler`, and a configured format's `forwarded_for` and `upstream` (`variables` and anything else: undefined). */
function weblogsField(k: string, v: unknown): string | undefined {
  if (k === 'crawler' && typeof v === 'boolean') return v ? 'true' : 'false';
  if (k === 'forwarded_for') return stringsJson(v);
  if (k === 'upstream' && isObj(v)) return fieldsJson(v as Record<string, unknown>, upstreamField);
  return undefined;
}

/** JSON of `http.request` as JSON.stringify writes it (`requestField`). */
const requestJson = (r: Record<string, unknown>): string => fieldsJson(r, requestField);
/** JSON of `weblogs.*` as JSON.stringify writes it (`weblogsField`). */
const weblogsJson = (w: Record<string, unknown>): string => fieldsJson(w, weblogsField);

/**
 * The JSON of one access-log document from `enrichAccessLine`: the same text as `JSON.stringify(doc)`
 * (same keys, same order; a unit test compares the bytes over the real sample, hostile lines and lines
 * of configured formats with their extras), about twice as fast, because the shared parts (GeoIP and
 * user-agent results, `data_stream`) carry their JSON from the cache (`withJsonText`), the `event`
 * object's JSON is reused while it stays the same (`eventJson`), and only strings that need it go
 * through the escaping pass.
 *
 * Two writers: `plainDocumentJson` for documents exactly as enrich builds them (fixed keys in a fixed
 * order, the common case, checked first: the combined format's fields and a configured format's usual
 * extras — `event.duration`, `http.request.id`, `client`, `weblogs.upstream` …), and
 * `orderedDocumentJson` for every other shape (an input's fields before `data_stream`, a key moved), which
 * writes the keys in the object's own order and any key or shape it does not know with
 * `JSON.stringify`, so nothing is ever dropped or reordered.
 */
export function accessDocumentJson(body: Record<string, unknown>): string {
  return plainDocumentJson(body) ?? orderedDocumentJson(body);
}

/** `orderedDocumentJson`: keys in the object's own order, known ones written field by field. */
function orderedDocumentJson(body: Record<string, unknown>): string {
  let s = '';
  for (const k in body) {
    const v = body[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify skips them
    let text: string;
    switch (k) {
      case '@timestamp':
        text = typeof v === 'string' ? stringJson(v) : JSON.stringify(v);
        break;
      case 'ecs':
      case 'user_agent':
      case 'data_stream':
        text = isObj(v) ? objectJson(v) : JSON.stringify(v);
        break;
      case 'event':
        text = (isObj(v) && fullEventJson(v as EventFields)) || JSON.stringify(v);
        break;
      case 'source':
      case 'client':
        // Enrich's shared (frozen) object of an address carries its JSON.
        text = typeof v === 'object' && v !== null && !Array.isArray(v) ? (Object.isFrozen(v) ? objectJson(v) : endpointJson(v as Record<string, unknown>)) : JSON.stringify(v);
        break;
      case 'http':
        text = typeof v === 'object' && v !== null && !Array.isArray(v) ? httpJson(v as AccessDocument['http']) : JSON.stringify(v);
        break;
      case 'url':
        text = typeof v === 'object' && v !== null && !Array.isArray(v) ? urlJson(v as UrlFields) : JSON.stringify(v);
        break;
      case 'weblogs': {
        const w = v as { crawler?: unknown };
        text = typeof v === 'object' && v !== null && keyCount(v) === 1 && typeof w.crawler === 'boolean' ? `{"crawler":${w.crawler}}` : JSON.stringify(v);
        break;
      }
      default:
        text = JSON.stringify(v);
    }
    s += `${s === '' ? '{' : ','}${keyJson(k)}:${text}`;
  }
  return s === '' ? '{}' : `${s}}`;
}


/** `JSON.stringify(v)` for a value expected to be a string, without the escaping pass when it is a plain one. */
function jsonOf(v: unknown): string {
  return typeof v === 'string' ? stringJson(v) : JSON.stringify(v);
}

/** A plain object (not null, not an array): what the field-by-field writers expect. */
function isObj(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/**
 * The `event` fields `eventJson` writes are there with their types (the category/type arrays are
 * compared by identity there). With exactly eight keys, these are all of them.
 */
function isPlainEvent(e: EventFields): boolean {
  return (
    typeof e.kind === 'string' && typeof e.outcome === 'string' && typeof e.dataset === 'string' && typeof e.module === 'string' &&
    typeof e.timezone === 'string' && typeof e.ingested === 'string' && Array.isArray(e.category) && Array.isArray(e.type)
  );
}
const EVENT_KEYS = ['kind', 'category', 'type', 'outcome', 'dataset', 'module', 'timezone', 'ingested'];
const EVENT_KEYS_WITH_EXTRAS = [...EVENT_KEYS, 'duration', 'original'];
const EVENT_KEYS_WITH_DURATION = [...EVENT_KEYS, 'duration'];

/**
 * JSON of an `event` as enrich builds it: the shared fields (`eventJson`), then a configured format's
 * `duration` (finite number) and the raw line `original` (string, with `--keep-original`), each when
 * present, in that order. `undefined` for any other key, order or type (the caller then uses
 * `JSON.stringify`).
 */
function fullEventJson(e: EventFields & { duration?: unknown; original?: unknown }): string | undefined {
  if (Object.isFrozen(e)) return objectJson(e); // enrich's shared `event`, with its JSON
  if (!isPlainEvent(e)) return undefined;
  if (e.duration === undefined) {
    if (inOrder(e, EVENT_KEYS)) return eventJson(e);
  } else if (inOrder(e, EVENT_KEYS_WITH_DURATION)) {
    // A configured format's event: the shared fields and its duration.
    return typeof e.duration === 'number' && Number.isFinite(e.duration) ? `${eventDurationHead(e)}${e.duration}}` : undefined;
  }
  if (!keysAmong(e, EVENT_KEYS_WITH_EXTRAS)) return undefined;
  const extras = (e.duration !== undefined ? 1 : 0) + (e.original !== undefined ? 1 : 0);
  if (keyCount(e) !== EVENT_KEYS.length + extras) return undefined; // a shared field missing
  if (e.duration !== undefined && !(typeof e.duration === 'number' && Number.isFinite(e.duration))) return undefined;
  if (e.original !== undefined && typeof e.original !== 'string') return undefined;
  let s = eventJson(e).slice(0, -1);
  if (e.duration !== undefined) s += `,"duration":${e.duration}`;
  if (e.original !== undefined) s += `,"original":${JSON.stringify(e.original)}`;
  return `${s}}`;
}
const RESPONSE_KEYS = ['status_code', 'body'];
const BODY_KEYS = ['bytes'];
const SOURCE_KEYS = ['address', 'ip', 'geo'];
const HTTP_KEYS = ['response', 'request', 'version'];
const REQUEST_KEYS = ['method', 'referrer', 'id'];
const WEBLOGS_KEYS = ['crawler'];
const DURATION_KEYS = ['duration'];
const USER_KEYS = ['name'];
const LOG_KEYS = ['file', 'offset'];
const FILE_KEYS = ['path'];
/** The top-level keys of enrich's documents, in its order (`client` … `process` from a configured format's extras). */
const TOP_KEYS = ['@timestamp', 'ecs', 'event', 'source', 'http', 'user', 'url', 'user_agent', 'client', 'server', 'tls', 'process', 'weblogs', 'tags', 'log', 'data_stream'];
const TOP_KEY_SET = new Set(TOP_KEYS);

/** Whether `o`'s keys all appear in `keys`, in that order (each at most once; some may be missing). */
function keysAmong(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    while (i < keys.length && keys[i] !== k) i++;
    if (i === keys.length) return false;
    i++;
  }
  return true;
}

/** Whether `o`'s keys are exactly `keys`, in that order. */
function inOrder(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (keys[i++] !== k) return false;
  return i === keys.length;
}

/**
 * A document as enrich builds it, written as one template: `undefined` when the body has any other
 * key, the keys in another order, or an object written field by field below with any other field.
 * A configured format's extras: `client` as `source`, `http.request` and `weblogs` field by field
 * (`requestJson`, `weblogsJson`: any other key or shape falls back to `JSON.stringify` of that object),
 * `server`, `tls`, `process` through `JSON.stringify`; keys after `data_stream` (an input's labels,
 * service and host, a tag added after enrichment) are written after it, in their order.
 */
function plainDocumentJson(body: Record<string, unknown>): string | undefined {
  const d = body as unknown as AccessDocument;
  // Top-level keys in enrich's order up to `data_stream`; keys after it (an input's labels, service and
  // host, a tag added after enrichment) are written after it, in their order, as JSON.stringify does.
  let at = 0;
  let trailing: string[] | undefined;
  let afterDataStream = false;
  for (const k in body) {
    if (afterDataStream) {
      // One of enrich's own keys moved after `data_stream` (deleted and set again): written at its place
      // below it would come out twice. `tags` alone is handled (`tagsBefore`).
      if (k !== 'tags' && TOP_KEY_SET.has(k)) return undefined;
      (trailing ??= []).push(k);
      continue;
    }
    while (at < TOP_KEYS.length && TOP_KEYS[at] !== k) at++; // keys compare by identity: internalized strings
    if (at === TOP_KEYS.length) return undefined;
    at++;
    if (k === 'data_stream') afterDataStream = true;
  }
  const tagsBefore = d.tags !== undefined && !trailing?.includes('tags');
  let eventText: string | undefined;
  const src = d.source;
  const h = d.http;
  // Every object written field by field below: a plain object holding only the fields written there, in
  // that order; numbers finite (JSON.stringify writes NaN and Infinity as null), strings strings.
  if (
    !afterDataStream || typeof d['@timestamp'] !== 'string' || !isObj(d.ecs) || !isObj(d.data_stream) ||
    !isObj(d.event) || (eventText = fullEventJson(d.event)) === undefined ||
    !isObj(src) || (!Object.isFrozen(src) && (!keysAmong(src, SOURCE_KEYS) || typeof src.address !== 'string' || (src.geo !== undefined && !isObj(src.geo)))) ||
    !isObj(h) || !keysAmong(h, HTTP_KEYS) || !isObj(h.response) || !inOrder(h.response, RESPONSE_KEYS) ||
    !Number.isFinite(h.response.status_code) || !isObj(h.response.body) || !inOrder(h.response.body, BODY_KEYS) || !Number.isFinite(h.response.body.bytes) ||
    (h.request !== undefined && !isObj(h.request)) ||
    !isObj(d.weblogs) ||
    (d.client !== undefined && !isObj(d.client)) ||
    (d.user !== undefined && (!isObj(d.user) || !inOrder(d.user, USER_KEYS) || typeof d.user.name !== 'string')) ||
    (d.url !== undefined && !isObj(d.url)) || (d.user_agent !== undefined && !isObj(d.user_agent)) ||
    (d.log !== undefined &&
      (!isObj(d.log) || !inOrder(d.log, LOG_KEYS) || !Number.isFinite(d.log.offset) || !isObj(d.log.file) || !inOrder(d.log.file, FILE_KEYS) || typeof d.log.file.path !== 'string'))
  ) {
    return undefined;
  }
  let s = `${headJson(d['@timestamp'], objectJson(d.ecs))}${eventText}`;
  if (Object.isFrozen(src)) {
    s += `,"source":${objectJson(src)}`; // enrich's shared `source` of an address, with its JSON
  } else {
    const address = stringJson(src.address);
    s += `,"source":{"address":${address}`;
    if (src.ip !== undefined) s += `,"ip":${src.ip === src.address ? address : jsonOf(src.ip)}`;
    if (src.geo !== undefined) s += `,"geo":${objectJson(src.geo)}`;
    s += '}';
  }
  s += `,"http":{"response":{"status_code":${h.response.status_code},"body":{"bytes":${h.response.body.bytes}}}`;
  if (h.request !== undefined) {
    const r = h.request;
    if (keysAmong(r, REQUEST_KEYS)) {
      // method, referrer and a configured format's request id, each when present, in this order.
      const id = (r as { id?: unknown }).id;
      let fields = r.method !== undefined ? `"method":${jsonOf(r.method)}` : '';
      if (r.referrer !== undefined) fields += `${fields === '' ? '' : ','}"referrer":${jsonOf(r.referrer)}`;
      if (id !== undefined) fields += `${fields === '' ? '' : ','}"id":${jsonOf(id)}`;
      s += `,"request":{${fields}}`;
    } else s += `,"request":${requestJson(r as Record<string, unknown>)}`; // a configured format's bytes, MIME type
  }
  if (h.version !== undefined) s += `,"version":${jsonOf(h.version)}`;
  s += '}';
  if (d.user !== undefined) s += `,"user":{"name":${stringJson(d.user.name)}}`;
  if (d.url !== undefined) s += `,"url":${urlJson(d.url)}`;
  const file = d.log?.file;
  if (
    d.user_agent !== undefined && d.client === undefined && d.server === undefined && d.tls === undefined && d.process === undefined &&
    !tagsBefore && file !== undefined && Object.isFrozen(file) && Object.isFrozen(d.weblogs)
  ) {
    // The common case: `user_agent` … `"offset":` in one piece, cached while they stay the same.
    s += `${tailJson(objectJson(d.user_agent), objectJson(d.weblogs), objectJson(file))}${d.log!.offset}}`;
    s += dataStreamJson(objectJson(d.data_stream));
    return trailing ? withTrailing(s, body, trailing) : `${s}}`;
  }
  if (d.user_agent !== undefined) s += `,"user_agent":${objectJson(d.user_agent)}`;
  // A configured format's extras: `client` as `source`, the rest small objects JSON.stringify writes as is.
  if (d.client !== undefined) s += `,"client":${Object.isFrozen(d.client) ? objectJson(d.client) : endpointJson(d.client as Record<string, unknown>)}`;
  if (d.server !== undefined) s += `,"server":${JSON.stringify(d.server)}`;
  if (d.tls !== undefined) s += `,"tls":${JSON.stringify(d.tls)}`;
  if (d.process !== undefined) s += `,"process":${JSON.stringify(d.process)}`;
  s += `,"weblogs":${inOrder(d.weblogs, WEBLOGS_KEYS) && typeof d.weblogs.crawler === 'boolean' ? `{"crawler":${d.weblogs.crawler}}` : weblogsJson(d.weblogs as Record<string, unknown>)}`;
  if (tagsBefore) s += `,"tags":${JSON.stringify(d.tags)}`; // defined: checked above
  if (file !== undefined) {
    s += `,"log":{"file":${Object.isFrozen(file) ? objectJson(file) : `{"path":${stringJson(file.path)}}`},"offset":${d.log!.offset}}`;
  }
  s += dataStreamJson(objectJson(d.data_stream));
  return trailing ? withTrailing(s, body, trailing) : `${s}}`;
}

/** `s` (a document's JSON up to its `data_stream`, without the closing brace) with `body`'s `trailing` keys and the brace. */
function withTrailing(s: string, body: Record<string, unknown>, trailing: string[]): string {
  for (const k of trailing) {
    const v = body[k];
    // An input's shared fields (inputs/fields.ts) are frozen and carry their JSON.
    const text = (typeof v === 'object' && v !== null && Object.isFrozen(v) ? objectJson(v) : JSON.stringify(v)) as string | undefined;
    if (text !== undefined) s += `,${keyJson(k)}:${text}`;
  }
  return `${s}}`;
}

// One-entry memos of the pieces consecutive documents mostly share, each one flat string: fewer pieces
// in a document's string, fewer to copy when it is flattened. Keyed by the identity of their parts
// (the ISO time of one second is one string: decode.ts; the other parts are the shared, cached JSON).
let headTimestamp: string | undefined;
let headEcs = '';
let headText = '';
/** `{"@timestamp":…,"ecs":…,"event":` */
function headJson(timestamp: string, ecsText: string): string {
  if (timestamp !== headTimestamp || ecsText !== headEcs) {
    headTimestamp = timestamp;
    headEcs = ecsText;
    headText = `{"@timestamp":${stringJson(timestamp)},"ecs":${ecsText},"event":`;
    headText.charCodeAt(0); // flat once
  }
  return headText;
}

let tailAgent = '';
let tailWeblogs = '';
let tailFile = '';
let tailText = '';
/** `,"user_agent":…,"weblogs":…,"log":{"file":…,"offset":` */
function tailJson(agentText: string, weblogsText: string, fileText: string): string {
  if (agentText !== tailAgent || weblogsText !== tailWeblogs || fileText !== tailFile) {
    tailAgent = agentText;
    tailWeblogs = weblogsText;
    tailFile = fileText;
    tailText = `,"user_agent":${agentText},"weblogs":${weblogsText},"log":{"file":${fileText},"offset":`;
    tailText.charCodeAt(0);
  }
  return tailText;
}

let lastDataStream = '';
let lastDataStreamText = '';
/** `,"data_stream":…` */
function dataStreamJson(text: string): string {
  if (text !== lastDataStream) {
    lastDataStream = text;
    lastDataStreamText = `,"data_stream":${text}`;
    lastDataStreamText.charCodeAt(0);
  }
  return lastDataStreamText;
}
