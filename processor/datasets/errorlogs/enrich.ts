import { isIP } from 'node:net';
import type { EnrichContext, EnrichMeta } from '../types.js';
import type { ErrorEntry } from './schema.js';
import { ECS_VERSION } from '../ecs-mappings.js';
import { urlFields } from '../weblogs/enrich.js';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** ECS `source.*` of a client address; the geo lookup reads an IPv4-mapped IPv6 address as its IPv4 address. */
function sourceFields(client: string, port: number | undefined, ctx: EnrichContext): Record<string, unknown> {
  const source: Record<string, unknown> = { address: client };
  if (isIP(client)) {
    source.ip = client;
    const geo = ctx.geoip.lookup(IPV4_MAPPED.exec(client)?.[1] ?? client);
    if (geo) source.geo = geo;
  }
  if (port !== undefined) source.port = port;
  return source;
}

/**
 * Builds the ECS document of one validated error-log entry (nginx or Apache).
 * Output: `@timestamp`, `message` (the parsed message), `ecs.version`, `event.*` (`kind: event`,
 * `category: [web]`, `type: [error]`, `original`: the raw entry), `log.level`, `log.logger` (Apache
 * module), `log.origin.file.*`, `log.file.path`/`log.offset` (file sources), `process.pid`,
 * `process.thread.id`, `source.*` (with `geo`), `error.code` (Apache `AHnnnnn`), `http.*`, `url.*`
 * (nginx request line and host), `server.domain`, `weblogs.error.*` (`connection_id`, `upstream`,
 * `errno`, `errno_text`), `tags` (`multiline`), `data_stream.*`.
 */
export function enrichErrorEntry(e: ErrorEntry, ctx: EnrichContext, meta: EnrichMeta): Record<string, unknown> {
  const log: Record<string, unknown> = { level: e.level };
  if (e.module) log.logger = e.module;
  if (e.originFile !== undefined) log.origin = { file: { name: e.originFile, line: e.originLine } };
  if (meta.position.kind === 'file') {
    log.file = { path: meta.position.path };
    log.offset = meta.position.offset;
  }
  const doc: Record<string, unknown> = {
    '@timestamp': e.timestampIso,
    message: e.message,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['web'],
      type: ['error'],
      dataset: meta.dataStream.dataset,
      module: 'weblogs',
      ingested: ctx.now().toISOString(),
      original: meta.raw,
    },
    log,
  };
  if (e.pid !== undefined) doc.process = e.tid === undefined ? { pid: e.pid } : { pid: e.pid, thread: { id: e.tid } };
  if (e.client !== undefined) doc.source = sourceFields(e.client, e.clientPort, ctx);
  if (e.errorCode !== undefined) doc.error = { code: e.errorCode };
  if (e.method !== undefined || e.referrer !== undefined || e.httpVersion !== undefined) {
    const http: Record<string, unknown> = {};
    if (e.method !== undefined || e.referrer !== undefined) {
      const request: Record<string, unknown> = {};
      if (e.method !== undefined) request.method = e.method;
      if (e.referrer !== undefined) request.referrer = e.referrer;
      http.request = request;
    }
    if (e.httpVersion !== undefined) http.version = e.httpVersion;
    doc.http = http;
  }
  if (e.target !== undefined || e.host !== undefined) {
    const url: Record<string, unknown> = e.target !== undefined ? { ...urlFields(e.target, e.method) } : {};
    const h = e.host === undefined ? null : HOST.exec(e.host);
    if (h && url.domain === undefined) {
      url.domain = h[1];
      if (h[2] !== undefined && Number(h[2]) <= 65535) url.port = Number(h[2]);
    }
    if (Object.keys(url).length > 0) doc.url = url;
  }
  if (e.server !== undefined) doc.server = { domain: e.server };
  const own: Record<string, unknown> = {};
  if (e.connectionId !== undefined) own.connection_id = e.connectionId;
  if (e.upstream !== undefined) own.upstream = e.upstream;
  if (e.errno !== undefined) own.errno = e.errno;
  if (e.errnoText !== undefined) own.errno_text = e.errnoText;
  if (Object.keys(own).length > 0) doc.weblogs = { error: own };
  if (e.multiline) doc.tags = ['multiline'];
  doc.data_stream = meta.dataStream;
  return doc;
}
