/**
 * The variable → ECS table: what each standard nginx variable and Apache httpd `mod_log_config`
 * directive means, written once. A format string is compiled (compile.ts) into captures, and each
 * capture lands on one `Target` here; `assign` (decoded.ts) writes it into the decoded line, and
 * `enrichAccessLine` turns that into ECS fields. A variable outside this table is kept as text under
 * `weblogs.variables.<name>` (an object mapped `enabled: false`: stored, never indexed, so no set of
 * names can explode the mapping).
 *
 * Sources: nginx's "Alphabetical index of variables" and `ngx_http_log_module` docs
 * (https://nginx.org/en/docs/varindex.html, https://nginx.org/en/docs/http/ngx_http_log_module.html),
 * Apache httpd 2.4 "mod_log_config — Custom Log Formats"
 * (https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats), ECS 8.17 field reference.
 *
 * | nginx | Apache | ECS (or namespaced) field |
 * | --- | --- | --- |
 * | `$remote_addr` | `%h`, `%a` | `source.address`/`source.ip` (the peer; behind a proxy see `client.*`) |
 * | `$realip_remote_addr` | `%{c}a` | the TCP peer when realip/remoteip rewrote `$remote_addr`: `source.*`; `$remote_addr` then → `client.*` |
 * | `$remote_port` | `%{remote}p` | `source.port` |
 * | `$remote_user` | `%u` | `user.name` |
 * | `$time_local` | `%t` | `@timestamp`, `event.timezone` |
 * | `$time_iso8601` | `%{…}t` (strftime, `sec`, `msec`, `usec`, `msec_frac`, `usec_frac`) | `@timestamp` |
 * | `$msec` | `%{msec}t` | `@timestamp` (epoch seconds with ms / epoch ms) |
 * | `$request` | `%r` | `http.request.method`, `url.*`, `http.version` |
 * | `$request_method` | `%m` | `http.request.method` |
 * | `$request_uri` | — | `url.original` (path and query as sent) |
 * | `$uri`, `$document_uri` | `%U` | `url.path` |
 * | `$args`, `$query_string` | `%q` | `url.query` |
 * | `$server_protocol` | `%H` | `http.version` |
 * | `$scheme` | — | `url.scheme` |
 * | `$status` | `%s`, `%>s` | `http.response.status_code` |
 * | `$body_bytes_sent` | `%b`, `%B` | `http.response.body.bytes` |
 * | `$bytes_sent` | `%O` | `http.response.bytes` |
 * | `$request_length` | `%I` | `http.request.bytes` |
 * | `$http_referer` | `%{Referer}i` | `http.request.referrer` |
 * | `$http_user_agent` | `%{User-Agent}i` | `user_agent.*` |
 * | `$http_x_forwarded_for` | `%{X-Forwarded-For}i` | `weblogs.forwarded_for` (list), `client.*` through trusted proxies |
 * | `$http_x_real_ip` | `%{X-Real-IP}i` | `client.*` through trusted proxies (when no X-Forwarded-For) |
 * | `$host`, `$http_host` | `%{Host}i`, `%V` | `url.domain` |
 * | `$server_name` | `%v` | `server.domain` |
 * | `$server_addr` | `%A` | `server.ip` |
 * | `$server_port` | `%p`, `%{local}p`, `%{canonical}p` | `server.port` |
 * | `$request_time` (s, ms resolution) | `%D` (µs), `%T` (s), `%{ms}T`, `%{us}T` | `event.duration` (ns) |
 * | `$upstream_connect_time`, `$upstream_header_time`, `$upstream_response_time` | — | `weblogs.upstream.{connect,header,response}.duration` (ns, summed over the upstreams tried) |
 * | `$upstream_addr` | — | `weblogs.upstream.address` (list) |
 * | `$upstream_status` | — | `weblogs.upstream.status_code` (list) |
 * | `$upstream_cache_status` | — | `weblogs.upstream.cache_status` |
 * | `$request_id` | `%{UNIQUE_ID}e`, `%L` | `http.request.id` |
 * | `$ssl_protocol` | `%{SSL_PROTOCOL}x` | `tls.version_protocol`, `tls.version` |
 * | `$ssl_cipher` | `%{SSL_CIPHER}x` | `tls.cipher` |
 * | `$pid` | `%P` | `process.pid` |
 * | — | `%{tid}P` | `process.thread.id` |
 * | `$sent_http_content_type` | `%{Content-Type}o` | `http.response.mime_type` |
 * | `$content_type`, `$http_content_type` | `%{Content-Type}i` | `http.request.mime_type` |
 * | `%l` (identd) | | not kept (always `-` in practice) |
 * | anything else | anything else | `weblogs.variables.<name>` (text, not indexed) |
 */

/** Where one captured value lands. `other` keeps it under `weblogs.variables`. */
export type Target =
  | 'client' | 'peer' | 'source.port' | 'ident' | 'user'
  | 'time.clf' | 'time.iso' | 'time.epoch_s' | 'time.epoch_ms' | 'time.epoch_us' | 'time.any'
  | 'request' | 'method' | 'target' | 'path' | 'query' | 'protocol' | 'scheme'
  | 'status' | 'bytes.body' | 'bytes.response' | 'bytes.request'
  | 'referrer' | 'user_agent' | 'forwarded_for' | 'real_ip' | 'host'
  | 'server.domain' | 'server.ip' | 'server.port'
  | 'duration.s' | 'duration.ms' | 'duration.us'
  | 'upstream.connect' | 'upstream.header' | 'upstream.response' | 'upstream.address' | 'upstream.status' | 'upstream.cache_status'
  | 'request_id' | 'tls.protocol' | 'tls.cipher' | 'pid' | 'tid' | 'mime.response' | 'mime.request'
  | 'other';

/** nginx variable names (without `$`) → target. */
export const NGINX_VARIABLES: Readonly<Record<string, Target>> = {
  remote_addr: 'client',
  binary_remote_addr: 'other',
  realip_remote_addr: 'peer',
  remote_port: 'source.port',
  remote_user: 'user',
  time_local: 'time.clf',
  time_iso8601: 'time.iso',
  msec: 'time.epoch_s',
  request: 'request',
  request_method: 'method',
  request_uri: 'target',
  uri: 'path',
  document_uri: 'path',
  args: 'query',
  query_string: 'query',
  server_protocol: 'protocol',
  scheme: 'scheme',
  status: 'status',
  body_bytes_sent: 'bytes.body',
  bytes_sent: 'bytes.response',
  request_length: 'bytes.request',
  http_referer: 'referrer',
  http_user_agent: 'user_agent',
  http_x_forwarded_for: 'forwarded_for',
  http_x_real_ip: 'real_ip',
  host: 'host',
  http_host: 'host',
  server_name: 'server.domain',
  server_addr: 'server.ip',
  server_port: 'server.port',
  request_time: 'duration.s',
  upstream_connect_time: 'upstream.connect',
  upstream_header_time: 'upstream.header',
  upstream_response_time: 'upstream.response',
  upstream_addr: 'upstream.address',
  upstream_status: 'upstream.status',
  upstream_cache_status: 'upstream.cache_status',
  request_id: 'request_id',
  ssl_protocol: 'tls.protocol',
  ssl_cipher: 'tls.cipher',
  pid: 'pid',
  sent_http_content_type: 'mime.response',
  content_type: 'mime.request',
  http_content_type: 'mime.request',
};

/**
 * Keys JSON access logs commonly use besides the nginx variable names (lower-cased, `-` and `.` as `_`),
 * for the `json` format: what Caddy, Traefik, Envoy and hand-written `log_format … escape=json`
 * templates tend to call the fields. A time key's value may be ISO 8601, CLF or epoch seconds/ms
 * (`time.any`).
 */
export const JSON_KEY_ALIASES: Readonly<Record<string, Target>> = {
  ip: 'client', client: 'client', client_ip: 'client', remote_ip: 'client', remoteip: 'client', remote: 'client', clientip: 'client',
  time: 'time.any', timestamp: 'time.any', ts: 'time.any', '@timestamp': 'time.any', date: 'time.any', datetime: 'time.any',
  status: 'status', status_code: 'status', code: 'status', response_status: 'status',
  method: 'method', verb: 'method', http_method: 'method',
  uri: 'target', url: 'target', request_url: 'target', path: 'path',
  protocol: 'protocol', proto: 'protocol', http_version: 'protocol',
  bytes: 'bytes.body', size: 'bytes.body', body_bytes: 'bytes.body', response_size: 'bytes.body',
  referer: 'referrer', referrer: 'referrer', http_referrer: 'referrer',
  ua: 'user_agent', user_agent: 'user_agent', agent: 'user_agent', useragent: 'user_agent',
  xff: 'forwarded_for', x_forwarded_for: 'forwarded_for', forwarded_for: 'forwarded_for',
  duration: 'duration.s', request_duration: 'duration.s', latency: 'duration.s', response_time: 'duration.s',
  user: 'user', remote_user: 'user', request_id: 'request_id', req_id: 'request_id', requestid: 'request_id',
  vhost: 'server.domain', server: 'server.domain',
  req: 'request', request_line: 'request',
};

/** Apache `%{Header}i` request headers (lower-case) → target. */
export const APACHE_REQUEST_HEADERS: Readonly<Record<string, Target>> = {
  referer: 'referrer',
  'user-agent': 'user_agent',
  'x-forwarded-for': 'forwarded_for',
  'x-real-ip': 'real_ip',
  host: 'host',
  'content-type': 'mime.request',
};

/**
 * An Apache directive's target from its letter and its `{…}` argument (undefined: none). Returns
 * `undefined` for a letter mod_log_config does not define (the compiler reports it with its position).
 */
export function apacheTarget(letter: string, arg: string | undefined): Target | undefined {
  const a = arg?.toLowerCase();
  switch (letter) {
    case 'a': return a === 'c' ? 'peer' : 'client';
    case 'h': return 'client';
    case 'A': return 'server.ip';
    case 'l': return 'ident';
    case 'u': return 'user';
    case 't':
      return 'time.clf'; // `%t`; a `%{format}t` is read by its compiled time format (compile.ts), not by this target
    case 'r': return 'request';
    case 'm': return 'method';
    case 'U': return 'path';
    case 'q': return 'query';
    case 'H': return 'protocol';
    case 's': return 'status';
    case 'b': case 'B': return 'bytes.body';
    case 'O': return 'bytes.response';
    case 'I': return 'bytes.request';
    case 'S': return 'other';
    case 'D': return 'duration.us';
    case 'T': return a === 'ms' ? 'duration.ms' : a === 'us' ? 'duration.us' : 'duration.s';
    case 'v': return 'server.domain';
    case 'V': return 'host';
    case 'p': return a === 'remote' ? 'source.port' : 'server.port';
    case 'P': return a === 'tid' || a === 'hextid' ? 'tid' : 'pid';
    case 'L': return 'request_id';
    case 'i': return (a !== undefined && APACHE_REQUEST_HEADERS[a]) || 'other';
    case 'o': return a === 'content-type' ? 'mime.response' : 'other';
    case 'e': return a === 'unique_id' ? 'request_id' : 'other';
    case 'x': return a === 'ssl_protocol' ? 'tls.protocol' : a === 'ssl_cipher' ? 'tls.cipher' : 'other';
    case 'C': case 'n': case 'f': case 'k': case 'R': case 'X': case 'M':
      return 'other';
    default:
      return undefined;
  }
}

/**
 * Regex (no capture groups) of the values a target can take when the value is not inside quotes,
 * where the next literal alone cannot delimit it (values with spaces, lists). `undefined`: anything up
 * to the next literal character.
 */
export function unquotedPattern(target: Target): string | undefined {
  switch (target) {
    case 'time.clf': return String.raw`\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}`;
    case 'request': return String.raw`[^ ]+ [^ ]+(?: HTTP/[0-9.]+)?`;
    case 'status': return String.raw`\d{3}|-`;
    case 'forwarded_for': return String.raw`-|[^ ,]+(?:, ?[^ ,]+)*`;
    case 'upstream.connect':
    case 'upstream.header':
    case 'upstream.response':
    case 'upstream.status':
    case 'upstream.address':
      // nginx joins the values of several upstreams with ", " and of internal redirects with " : ".
      return String.raw`[^ ,]+(?:(?:, | : )[^ ,]+)*`;
    default: return undefined;
  }
}
