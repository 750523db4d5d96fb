import { isIP } from 'node:net';
import type { EnrichContext, EnrichMeta } from '../types.js';
import type { InputSettings } from '../../inputs/settings.js';
import { realClient, trustedProxies } from '../../enrich/real-client.js';
import type { AccessExtras } from './formats/decoded.js';
import type { AccessLine } from './schema.js';
import { ECS_VERSION } from '../ecs-mappings.js';
import { withJsonText } from '../../enrich/json-text.js';
import type { ParsedUserAgent } from '../../enrich/user-agent.js';
import { recentCacheOf, type RecentCache } from './recent-cache.js';

// Parts every document shares (never mutated; they carry their JSON for `accessDocumentJson`).
const ECS = withJsonText({ version: ECS_VERSION });
// Frozen: `accessDocumentJson` reuses the JSON of an `event` whose arrays are these very objects.
const CATEGORY = Object.freeze(withJsonText(['web']));
const TYPE_SUCCESS = Object.freeze(withJsonText(['access']));
const TYPE_FAILURE = Object.freeze(withJsonText(['access', 'error']));

/** ECS `url.*` parts of a request target; `port` is a number, everything else a string. */
export interface UrlFields {
  original: string;
  scheme?: string;
  domain?: string;
  port?: number;
  path?: string;
  query?: string;
  fragment?: string;
  extension?: string;
}

const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/;
// RFC 9112 §3.2.3 authority-form, used only by CONNECT: `host:port` (an IPv6 host in brackets).
const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@:[\]]+):(\d{1,5})$/;
const HOST_PORT = /^(.*?)(?::(\d{1,5}))?$/;
const EXTENSION = /\.([A-Za-z0-9]{1,10})$/;

/** Splits an authority `[userinfo@]host[:port]` into ECS `domain` and `port` (ports 0–65535 only). */
function setAuthority(url: UrlFields, authority: string): void {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const m = HOST_PORT.exec(hostPort)!;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port <= 65535) {
    url.domain = m[1]!;
    url.port = port;
  } else {
    url.domain = hostPort;
  }
  if (url.domain === '') delete url.domain;
}

/**
 * ECS `url.*` parts of a request target (RFC 9112 §3.2): origin-form `/p?q#f`, absolute-form
 * `http://host:8080/p?q` (scheme, domain, and the port in `url.port`), or authority-form `host:443`,
 * which is what a `CONNECT` request names (domain and port, no path). IPv6 hosts keep their brackets
 * in `url.domain`, as ECS asks.
 */
export function urlFields(target: string, method?: string): UrlFields {
  const url: UrlFields = { original: target };
  if (method === 'CONNECT') {
    const a = AUTHORITY.exec(target);
    if (a && Number(a[2]) <= 65535) {
      url.domain = a[1]!;
      url.port = Number(a[2]);
      return url;
    }
  }
  let pathAndQuery = target;
  const absolute = target.charCodeAt(0) === 47 /* '/' */ ? null : ABSOLUTE.exec(target);
  if (absolute) {
    url.scheme = absolute[1]!.toLowerCase();
    setAuthority(url, absolute[2]!);
    pathAndQuery = absolute[3] || '/';
  }
  const hash = pathAndQuery.indexOf('#');
  if (hash >= 0) {
    url.fragment = pathAndQuery.slice(hash + 1);
    pathAndQuery = pathAndQuery.slice(0, hash);
  }
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  if (q >= 0 && q < pathAndQuery.length - 1) url.query = pathAndQuery.slice(q + 1);
  if (path) url.path = path;
  // ECS: "The field value must not contain the leading period." Only short alphanumeric suffixes of
  // the last segment count, so `/v1.2/` or `/a.b/c` yield no extension.
  const dot = path.lastIndexOf('.');
  if (dot > path.lastIndexOf('/')) {
    const ext = EXTENSION.exec(path.slice(dot));
    if (ext) url.extension = ext[1]!.toLowerCase();
  }
  return url;
}

// `event.ingested` for records enriched within the same millisecond is formatted once.
let lastIngestedMs = Number.NaN;
let lastIngested = '';
function ingestedNow(ctx: EnrichContext): string {
  const ms = ctx.now().getTime();
  if (ms !== lastIngestedMs) {
    lastIngestedMs = ms;
    lastIngested = new Date(ms).toISOString();
  }
  return lastIngested;
}

/**
 * Builds the ECS document for one validated access-log line.
 * Output shape: `@timestamp`, `event.*` (`event.original`, the raw line, only with `ctx.keepOriginal`,
 * as Elastic's nginx and Apache integrations keep it only when asked), `source.*` (with `geo` when the address is
 * public and known), `user.name`, `http.*`, `url.*`, `user_agent.*`, `weblogs.crawler`,
 * `log.file.path`/`log.offset` (file sources), `data_stream.*`, `ecs.version`, `tags`
 * (`truncated_user_agent`, `non_utf8_escapes`).
 * Objects shared between documents, frozen and carrying their JSON for `accessDocumentJson` (replace
 * them, never mutate them): `ecs`, `event` (unless `event.original` or a configured format's
 * `event.duration` is added), `source` (unless a configured format adds its port), `weblogs`
 * (combined/common), `log.file`; `user_agent` and `source.geo` are the parsers' cached results.
 */
export function enrichAccessLine(
  line: AccessLine,
  ctx: EnrichContext,
  meta: EnrichMeta,
): Record<string, unknown> {
  const extra = line.extra;
  // With realip/remoteip the server logged the client as `$remote_addr` and the peer separately.
  const peer = extra?.peer ?? line.client;
  // A configured format's source port is added to `source`: an object of its own then.
  const source = extra?.sourcePort === undefined ? sharedAddressFields(peer, ctx) : addressFields(peer, ctx);
  const response = Number.isNaN(line.bytes) ? { status_code: line.status } : { status_code: line.status, body: { bytes: line.bytes } };
  const failure = line.status >= 400;
  if (!extra && line.method && line.httpVersion && line.target && line.userAgent && !line.user && !line.userAgentTruncated && !line.nonUtf8Escapes && meta.position.kind === 'file') {
    // The usual line: the document written as one literal (same keys, same order as below), so its
    // properties live in the object itself instead of a property array grown key by key.
    const ua = parseUserAgent(line.userAgent, ctx);
    const doc: Record<string, unknown> = {
      '@timestamp': line.timestampIso || line.timestamp.toISOString(),
      ecs: ECS,
      event: ctx.keepOriginal
        ? eventFields(failure, meta.dataStream.dataset, line.timezone, ingestedNow(ctx))
        : sharedEventFields(failure, meta.dataStream.dataset, line.timezone, ingestedNow(ctx)),
      source,
      http: line.referrer
        ? { response, request: { method: line.method, referrer: line.referrer }, version: line.httpVersion }
        : { response, request: { method: line.method }, version: line.httpVersion },
      url: urlFields(line.target, line.method),
      user_agent: ua.fields,
      weblogs: ua.crawler ? CRAWLER : NOT_CRAWLER,
      log: { file: logFile(meta.position.path), offset: meta.position.offset },
      data_stream: meta.dataStream,
    };
    if (ctx.keepOriginal) (doc.event as Record<string, unknown>).original = meta.raw;
    return doc;
  }
  const http: Record<string, unknown> = { response };
  if (line.method || line.referrer) {
    const request: Record<string, unknown> = {};
    if (line.method) request.method = line.method;
    if (line.referrer) request.referrer = line.referrer;
    http.request = request;
  }
  if (line.httpVersion) http.version = line.httpVersion;
  if (extra) addExtraHttpFields(http, extra);

  // The event is shared unless something is added to it: a configured format's duration, or the raw line.
  const duration = extra?.durationNs;
  const ingested = ingestedNow(ctx);
  const event =
    duration === undefined && !ctx.keepOriginal
      ? sharedEventFields(failure, meta.dataStream.dataset, line.timezone, ingested)
      : eventFields(failure, meta.dataStream.dataset, line.timezone, ingested);
  if (duration !== undefined) event.duration = duration;
  const doc: Record<string, unknown> = {
    '@timestamp': line.timestampIso || line.timestamp.toISOString(),
    ecs: ECS,
    event,
    source,
    http,
  };
  if (line.user) doc.user = { name: line.user };
  if (line.target) doc.url = urlFields(line.target, line.method);
  if (extra && (extra.host !== undefined || extra.scheme !== undefined)) addUrlExtras((doc.url ??= {}) as Record<string, unknown>, extra);
  let crawler = false;
  if (line.userAgent) {
    const ua = parseUserAgent(line.userAgent, ctx);
    doc.user_agent = ua.fields;
    crawler = ua.crawler;
  }
  if (extra) {
    addExtraFields(doc, extra, peer, line.client, source, ctx, meta.input);
    doc.weblogs = weblogsFields(crawler, extra);
  } else {
    doc.weblogs = crawler ? CRAWLER : NOT_CRAWLER;
  }
  // After a configured format's `event.duration`: the serialiser expects this order.
  if (ctx.keepOriginal) (doc.event as Record<string, unknown>).original = meta.raw;
  if (line.userAgentTruncated || line.nonUtf8Escapes) {
    const tags: string[] = [];
    if (line.userAgentTruncated) tags.push('truncated_user_agent');
    if (line.nonUtf8Escapes) tags.push('non_utf8_escapes');
    doc.tags = tags;
  }
  if (meta.position.kind === 'file') {
    doc.log = { file: logFile(meta.position.path), offset: meta.position.offset };
  }
  doc.data_stream = meta.dataStream;
  return doc;
}

/** `event.*` of an access-log document (`kind` … `ingested`, in this order). */
function eventFields(failure: boolean, dataset: string, timezone: string, ingested: string): Record<string, unknown> {
  return {
    kind: 'event',
    category: CATEGORY,
    type: failure ? TYPE_FAILURE : TYPE_SUCCESS,
    outcome: failure ? 'failure' : 'success',
    dataset,
    module: 'weblogs',
    timezone,
    ingested,
  };
}

// The last shared `event` of each outcome (documents without `event.original`): every field but
// `ingested` (once a millisecond) is mostly constant, so consecutive documents share one frozen object
// carrying its JSON.
let successEvent: Record<string, unknown> | undefined;
let failureEvent: Record<string, unknown> | undefined;
function sharedEventFields(failure: boolean, dataset: string, timezone: string, ingested: string): Record<string, unknown> {
  const last = failure ? failureEvent : successEvent;
  if (last !== undefined && last.ingested === ingested && last.timezone === timezone && last.dataset === dataset) return last;
  const e = Object.freeze(withJsonText(eventFields(failure, dataset, timezone, ingested)));
  if (failure) failureEvent = e;
  else successEvent = e;
  return e;
}

// Shared by every document (frozen, with their JSON for `accessDocumentJson`).
const CRAWLER = Object.freeze(withJsonText({ crawler: true }));
const NOT_CRAWLER = Object.freeze(withJsonText({ crawler: false }));

// `log.file` of the last file path: lines mostly come from one file at a time.
let lastLogFile: { path: string } = Object.freeze(withJsonText({ path: '' }));
function logFile(path: string): { path: string } {
  if (path !== lastLogFile.path) lastLogFile = Object.freeze(withJsonText({ path }));
  return lastLogFile;
}

// Per GeoIP lookup (a test or a worker has its own): `source` objects by address. Real traffic repeats
// a small set of clients; a hit skips `isIP`, the GeoIP cache and the object, and the serialiser takes
// the object's JSON whole. 2 × 4,096 entries of ~300 bytes at most.
const sourcesByLookup = new WeakMap<EnrichContext['geoip'], RecentCache<Record<string, unknown>>>();

/**
 * `addressFields` of `address`, shared between documents: frozen, carrying its JSON (`withJsonText`).
 * Only where nothing adds to the object afterwards (`source` without a logged source port, `client`).
 */
function sharedAddressFields(address: string, ctx: EnrichContext, caches = sourcesByLookup): Record<string, unknown> {
  return recentCacheOf(caches, ctx.geoip, 4096).getOrSet(address, frozenAddressFields, ctx);
}
// `client` objects apart from `source` ones: behind a proxy every line's source is the proxy and its
// client another address, and one cache for both would miss its last-key check on every lookup.
const clientsByLookup = new WeakMap<EnrichContext['geoip'], RecentCache<Record<string, unknown>>>();
const frozenAddressFields = (address: string, ctx: EnrichContext): Record<string, unknown> => Object.freeze(withJsonText(addressFields(address, ctx)));

// Per user-agent parser: its results by string, in front of its own LRU (`lru-cache`'s `get` cost
// ~0.3 µs a line). The results are the parser's shared objects; 2 × 2,048 references at most.
const agentsByParser = new WeakMap<EnrichContext['userAgents'], RecentCache<ParsedUserAgent>>();
function parseUserAgent(ua: string, ctx: EnrichContext): ParsedUserAgent {
  return recentCacheOf(agentsByParser, ctx.userAgents, 2048).getOrSet(ua, parsedUserAgent, ctx);
}
const parsedUserAgent = (ua: string, ctx: EnrichContext): ParsedUserAgent => ctx.userAgents.parse(ua);

/** `source`/`client` fields of an address: `address`, and `ip` and `geo` when it is an IP address. */
function addressFields(address: string, ctx: EnrichContext): Record<string, unknown> {
  const fields: Record<string, unknown> = { address };
  if (isIP(address)) {
    fields.ip = address;
    const geo = ctx.geoip.lookup(address);
    if (geo) fields.geo = geo;
  }
  return fields;
}

const trustedByInput = new WeakMap<InputSettings, (address: string) => boolean>();
const NOTHING_TRUSTED = (): boolean => false;
function trustedOf(input: InputSettings | undefined): (address: string) => boolean {
  if (!input?.trustedProxies?.length) return NOTHING_TRUSTED;
  let t = trustedByInput.get(input);
  if (!t) {
    t = trustedProxies(input.trustedProxies);
    trustedByInput.set(input, t);
  }
  return t;
}

/** `http.request.id`/`bytes`/`mime_type` and `http.response.bytes`/`mime_type` of a configured format. */
function addExtraHttpFields(http: Record<string, unknown>, extra: AccessExtras): void {
  if (extra.requestId !== undefined || extra.requestBytes !== undefined || extra.requestMimeType !== undefined) {
    const request = (http.request ??= {}) as Record<string, unknown>;
    if (extra.requestId !== undefined) request.id = extra.requestId;
    if (extra.requestBytes !== undefined) request.bytes = extra.requestBytes;
    if (extra.requestMimeType !== undefined) request.mime_type = extra.requestMimeType;
  }
  const response = http.response as Record<string, unknown>;
  if (extra.responseBytes !== undefined) response.bytes = extra.responseBytes;
  if (extra.responseMimeType !== undefined) response.mime_type = extra.responseMimeType;
}

const HOST_AND_PORT = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/;

/** `url.scheme` (`$scheme`) and `url.domain`/`url.port` from the Host the client asked for, unless the target named them. */
function addUrlExtras(url: Record<string, unknown>, extra: AccessExtras): void {
  if (extra.scheme !== undefined && url.scheme === undefined) url.scheme = extra.scheme;
  const hp = extra.host === undefined ? null : HOST_AND_PORT.exec(extra.host);
  if (hp && url.domain === undefined) {
    url.domain = hp[1];
    if (hp[2] !== undefined && url.port === undefined && Number(hp[2]) <= 65535) url.port = Number(hp[2]);
  }
}

/**
 * The ECS fields of a configured format's extras (formats/decoded.ts; the table in formats/variables.ts):
 * `source.port`, `client.*` (the real client behind trusted proxies, or the address realip logged),
 * `server.*`, `tls.*`, `process.*` (`event.duration` is added with the event).
 */
function addExtraFields(
  doc: Record<string, unknown>,
  extra: AccessExtras,
  peer: string,
  logged: string,
  source: Record<string, unknown>,
  ctx: EnrichContext,
  input: InputSettings | undefined,
): void {
  if (extra.sourcePort !== undefined) source.port = extra.sourcePort;
  // The client: what realip logged as $remote_addr when the peer was logged apart, else the walk of the
  // forwarded chain past the input's trusted proxies. Only written when it differs from the peer.
  const chain = extra.forwardedFor ?? (extra.realIp !== undefined ? [extra.realIp] : []);
  const client = extra.peer !== undefined ? logged : realClient(peer, chain, trustedOf(input));
  if (client !== peer) doc.client = sharedAddressFields(client, ctx, clientsByLookup);
  if (extra.serverDomain !== undefined || extra.serverIp !== undefined || extra.serverPort !== undefined) {
    const server: Record<string, unknown> = {};
    if (extra.serverDomain !== undefined) server.domain = extra.serverDomain;
    if (extra.serverIp !== undefined) {
      server.address = extra.serverIp;
      if (isIP(extra.serverIp)) server.ip = extra.serverIp;
    }
    if (extra.serverPort !== undefined) server.port = extra.serverPort;
    doc.server = server;
  }
  if (extra.tlsProtocol !== undefined || extra.tlsCipher !== undefined) {
    const tls: Record<string, unknown> = {};
    // ECS: `TLSv1.3` → version_protocol `tls`, version `1.3`.
    const v = extra.tlsProtocol === undefined ? null : /^(TLS|SSL)v?(\d+(?:\.\d+)?)$/i.exec(extra.tlsProtocol);
    if (v) {
      tls.version_protocol = v[1]!.toLowerCase();
      tls.version = v[2];
    }
    if (extra.tlsCipher !== undefined) tls.cipher = extra.tlsCipher;
    doc.tls = tls;
  }
  if (extra.pid !== undefined || extra.tid !== undefined) {
    const process: Record<string, unknown> = {};
    if (extra.pid !== undefined) process.pid = extra.pid;
    if (extra.tid !== undefined) process.thread = { id: extra.tid };
    doc.process = process;
  }
}

// `{duration}` objects by value, shared and frozen with their JSON: nginx logs upstream times in
// milliseconds, so a few thousand values cover nearly every line. At most 50,000 kept (then started over).
const durations = new Map<number, { duration: number }>();
function durationFields(ns: number): { duration: number } {
  let d = durations.get(ns);
  if (d === undefined) {
    if (durations.size >= 50_000) durations.clear();
    d = Object.freeze(withJsonText({ duration: ns }));
    durations.set(ns, d);
  }
  return d;
}

/** `weblogs.*` with a configured format's extras: the forwarded chain, upstreams, variables outside the table. */
function weblogsFields(crawler: boolean, extra: AccessExtras): Record<string, unknown> {
  const weblogs: Record<string, unknown> = { crawler };
  if (extra.forwardedFor) weblogs.forwarded_for = extra.forwardedFor;
  const u = extra.upstream;
  if (u) {
    const upstream: Record<string, unknown> = {};
    if (u.address) upstream.address = u.address;
    if (u.statusCode) upstream.status_code = u.statusCode;
    if (u.connectNs !== undefined) upstream.connect = durationFields(u.connectNs);
    if (u.headerNs !== undefined) upstream.header = durationFields(u.headerNs);
    if (u.responseNs !== undefined) upstream.response = durationFields(u.responseNs);
    if (u.cacheStatus !== undefined) upstream.cache_status = u.cacheStatus;
    weblogs.upstream = upstream;
  }
  if (extra.variables) weblogs.variables = extra.variables;
  return weblogs;
}
