import { isIP } from 'node:net';
import type { EnrichContext, DataStreamName } from '../types.js';
import type { SourcePosition } from '../../pipeline/types.js';
import type { AccessLine } from './schema.js';
import { ECS_VERSION } from '../ecs-mappings.js';
import { withJsonText } from '../../enrich/json-text.js';

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
 * Output shape: `@timestamp`, `message`, `event.*`, `source.*` (with `geo` when the address is
 * public and known), `user.name`, `http.*`, `url.*`, `user_agent.*`, `weblogs.crawler`,
 * `log.file.path`/`log.offset` (file sources), `data_stream.*`, `ecs.version`, `tags`
 * (`truncated_user_agent`, `non_utf8_escapes`).
 */
export function enrichAccessLine(
  line: AccessLine,
  ctx: EnrichContext,
  meta: { raw: string; position: SourcePosition; dataStream: DataStreamName },
): Record<string, unknown> {
  const source: Record<string, unknown> = { address: line.client };
  if (isIP(line.client)) {
    source.ip = line.client;
    const geo = ctx.geoip.lookup(line.client);
    if (geo) source.geo = geo;
  }
  const http: Record<string, unknown> = { response: { status_code: line.status, body: { bytes: line.bytes } } };
  if (line.method || line.referrer) {
    const request: Record<string, unknown> = {};
    if (line.method) request.method = line.method;
    if (line.referrer) request.referrer = line.referrer;
    http.request = request;
  }
  if (line.httpVersion) http.version = line.httpVersion;
  const failure = line.status >= 400;

  const doc: Record<string, unknown> = {
    '@timestamp': line.timestampIso || line.timestamp.toISOString(),
    message: meta.raw,
    ecs: ECS,
    event: {
      kind: 'event',
      category: CATEGORY,
      type: failure ? TYPE_FAILURE : TYPE_SUCCESS,
      outcome: failure ? 'failure' : 'success',
      dataset: meta.dataStream.dataset,
      module: 'weblogs',
      timezone: line.timezone,
      ingested: ingestedNow(ctx),
    },
    source,
    http,
  };
  if (line.user) doc.user = { name: line.user };
  if (line.target) doc.url = urlFields(line.target, line.method);
  let crawler = false;
  if (line.userAgent) {
    const ua = ctx.userAgents.parse(line.userAgent);
    doc.user_agent = ua.fields;
    crawler = ua.crawler;
  }
  doc.weblogs = { crawler };
  if (line.userAgentTruncated || line.nonUtf8Escapes) {
    const tags: string[] = [];
    if (line.userAgentTruncated) tags.push('truncated_user_agent');
    if (line.nonUtf8Escapes) tags.push('non_utf8_escapes');
    doc.tags = tags;
  }
  if (meta.position.kind === 'file') {
    doc.log = { file: { path: meta.position.path }, offset: meta.position.offset };
  }
  doc.data_stream = meta.dataStream;
  return doc;
}
