import { isIP } from 'node:net';
import type { EnrichContext, DataStreamName } from '../types.js';
import type { SourcePosition } from '../../pipeline/types.js';
import type { AccessLine } from './schema.js';
import { ECS_VERSION } from '../ecs-mappings.js';


/** ECS `url.*` parts of a request target (origin-form `/p?q` or absolute-form `http://h/p?q`). */
export function urlFields(target: string): Record<string, string> {
  const url: Record<string, string> = { original: target };
  let pathAndQuery = target;
  const absolute = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(target);
  if (absolute) {
    url.scheme = absolute[1]!.toLowerCase();
    url.domain = absolute[2]!.replace(/:\d+$/, '');
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
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(path.slice(path.lastIndexOf('/') + 1));
  if (ext) url.extension = ext[1]!.toLowerCase();
  return url;
}

/**
 * Builds the ECS document for one validated access-log line.
 * Output shape: `@timestamp`, `message`, `event.*`, `source.*` (with `geo` when the address is
 * public and known), `user.name`, `http.*`, `url.*`, `user_agent.*`, `weblogs.crawler`,
 * `log.file.path`/`log.offset` (file sources), `data_stream.*`, `ecs.version`, `tags`.
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
  const request: Record<string, unknown> = {};
  if (line.method) request.method = line.method;
  if (line.referrer) request.referrer = line.referrer;
  const http: Record<string, unknown> = { response: { status_code: line.status, body: { bytes: line.bytes } } };
  if (Object.keys(request).length > 0) http.request = request;
  if (line.httpVersion) http.version = line.httpVersion;

  const doc: Record<string, unknown> = {
    '@timestamp': line.timestamp.toISOString(),
    message: meta.raw,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      category: ['web'],
      type: line.status >= 400 ? ['access', 'error'] : ['access'],
      outcome: line.status >= 400 ? 'failure' : 'success',
      dataset: meta.dataStream.dataset,
      module: 'weblogs',
      timezone: line.timezone,
      ingested: ctx.now().toISOString(),
    },
    source,
    http,
  };
  if (line.user) doc.user = { name: line.user };
  if (line.target) doc.url = urlFields(line.target);
  let crawler = false;
  if (line.userAgent) {
    const ua = ctx.userAgents.parse(line.userAgent);
    doc.user_agent = ua.fields;
    crawler = ua.crawler;
  }
  doc.weblogs = { crawler };
  if (line.userAgentTruncated) doc.tags = ['truncated_user_agent'];
  if (meta.position.kind === 'file') {
    doc.log = { file: { path: meta.position.path }, offset: meta.position.offset };
  }
  doc.data_stream = { ...meta.dataStream };
  return doc;
}
