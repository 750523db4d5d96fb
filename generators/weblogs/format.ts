/**
 * NCSA/Apache "combined" log format.
 *
 * Format string (Apache httpd mod_log_config documentation,
 * https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats):
 *
 *     LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"" combined
 *
 * - `%h` remote host (IP), `%l` identd logname (always `-`), `%u` authenticated
 *   user (`-` if none), `%t` `[dd/Mon/yyyy:HH:mm:ss ±zzzz]` (strftime
 *   `%d/%b/%Y:%H:%M:%S %z`; English month abbreviations), `%r` request line
 *   `METHOD target PROTOCOL`, `%>s` final status, `%b` response body bytes with
 *   `-` instead of 0, then the quoted Referer and User-Agent headers (`-` if absent).
 * - As in httpd ≥ 2.0.46, `"`, `\` and control characters inside the quoted
 *   fields are escaped (`\"`, `\\`, `\xhh`).
 * nginx's predefined `combined` format is the same line
 * (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format).
 *
 * This generator always logs in UTC (`+0000`).
 *
 * @module generators/weblogs/format
 */

/** One access-log record, before formatting. */
export interface WeblogEntry {
  /** `%h`: client IPv4 or IPv6 address. */
  remoteHost: string;
  /** `%u`: HTTP-authenticated user, or null for `-`. */
  user: string | null;
  /** `%t`: time the request was received. */
  time: Date;
  /** Request method, e.g. `GET`. */
  method: string;
  /** Request target: path plus optional `?query`, already URL-encoded. */
  target: string;
  /** `HTTP/1.0`, `HTTP/1.1` or `HTTP/2.0`. */
  protocol: string;
  /** `%>s`: final HTTP status. */
  status: number;
  /** `%b`: body bytes sent; 0 is logged as `-`. */
  bytes: number;
  /** Referer header, or null for `-`. */
  referrer: string | null;
  /** User-Agent header, or null for `-`. */
  userAgent: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

let cachedSecond = Number.NaN;
let cachedStamp = '';

/**
 * Formats `date` as the bracket-less `%t` body in UTC, e.g. `17/May/2015:10:05:03 +0000`.
 * Sub-second precision is dropped (truncated), as httpd does.
 * @throws {RangeError} for an invalid date.
 */
export function formatApacheTime(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('formatApacheTime: invalid date');
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedStamp;
  const p = (n: number): string => (n < 10 ? `0${n}` : String(n));
  const stamp = `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(
    date.getUTCMinutes(),
  )}:${p(date.getUTCSeconds())} +0000`;
  cachedSecond = second;
  cachedStamp = stamp;
  return stamp;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /["\\\x00-\x1f\x7f]/g;

/** Escapes a quoted log field the way httpd does (`\"`, `\\`, `\xhh`). */
export function escapeLogField(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPE_ALL, (ch) =>
    ch === '"' || ch === '\\' ? `\\${ch}` : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

// User agents come from a small set of strings; caching their escaped form saves a regex scan
// of ~150 characters per line (V8 caches string hashes, so the lookup is cheap).
const uaCache = new Map<string, string>();
function escapeUserAgent(ua: string): string {
  let v = uaCache.get(ua);
  if (v === undefined) {
    if (uaCache.size >= 4096) uaCache.clear();
    v = escapeLogField(ua);
    uaCache.set(ua, v);
  }
  return v;
}

/** Formats one entry as a combined-format line (no trailing newline). */
export function formatCombined(e: WeblogEntry): string {
  return (
    `${e.remoteHost} - ${e.user ?? '-'} [${formatApacheTime(e.time)}] ` +
    `"${escapeLogField(`${e.method} ${e.target} ${e.protocol}`)}" ${e.status} ${e.bytes > 0 ? e.bytes : '-'} ` +
    `"${e.referrer === null ? '-' : escapeLogField(e.referrer)}" "${e.userAgent === null ? '-' : escapeUserAgent(e.userAgent)}"`
  );
}
