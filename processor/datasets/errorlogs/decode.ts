import { DecodeError } from '../types.js';
import type { InputSettings } from '../../inputs/settings.js';

/** Which server wrote an entry. */
export type ErrorLogFormat = 'nginx' | 'apache';

/** The `format` values an `errorlogs` input accepts (`auto` or none: chosen by each entry's shape). */
export const ERROR_LOG_FORMATS = ['auto', 'nginx', 'apache'] as const;

/**
 * One error-log entry (a line, or a line with its continuation lines joined by `\n`) split into its
 * parts, before validation. Absent parts are `undefined`.
 */
export interface DecodedErrorEntry {
  format: ErrorLogFormat;
  /** The time as written: `2026/12/07 06:24:04` (nginx) or `Mon Dec 07 06:24:04.880198 2026` (Apache). */
  time: string;
  /** The instant of `time` read as UTC (an invalid Date when impossible; validation rejects it). */
  timestamp: Date;
  /** `timestamp` as `@timestamp`: ISO 8601 UTC, with Apache's microseconds when written ('' when invalid). */
  timestampIso: string;
  /** Severity as written, lower case: `error`, `warn`, `info`, Apache `trace1`…`trace8`. */
  level: string;
  /** Apache module (`core`, `proxy_http`, `authz_core`…); nginx has none. */
  module?: string;
  pid?: number;
  /** nginx `PID#TID`, Apache `tid N`. */
  tid?: number;
  /** nginx connection number `*N`. */
  connectionId?: number;
  /** Apache `%F` at debug/trace levels: source file and line, `mod_authz_core.c(815)`. */
  originFile?: string;
  originLine?: number;
  /** OS or APR error number: nginx `(2: No such file or directory)`, Apache `(111)Connection refused:`. */
  errno?: number;
  /** The text beside `errno`: `No such file or directory`. */
  errnoText?: string;
  /** Client address as written (`127.0.0.1`, `::1`, `::ffff:81.2.69.160`, a host name). */
  client?: string;
  /** Apache `[client ip:port]` port; 0 (mod_remoteip's placeholder) is left out. */
  clientPort?: number;
  /** The message: the entry without the parts parsed into fields of their own (header, client, context). */
  message: string;
  /** Apache error id at the start of the message: `AH00128`. */
  errorCode?: string;
  /** nginx `server:` (the server_name, or the listen address in the stream module). */
  server?: string;
  /** nginx `request:` (the request line). */
  request?: string;
  method?: string;
  target?: string;
  /** `1.1` for `HTTP/1.1`. */
  httpVersion?: string;
  /** nginx `upstream:` URL. */
  upstream?: string;
  /** nginx `host:` (the Host header, possibly with a port). */
  host?: string;
  /** nginx `referrer:`, Apache `, referer:`. */
  referrer?: string;
  /** The entry had continuation lines. */
  multiline: boolean;
}

// nginx src/core/ngx_log.c writes `%4d/%02d/%02d %02d:%02d:%02d [%V] %P#%TID: ` then `*%uA ` for a
// connection, then the message; ngx_http_log_error appends `, client: …, server: …, request: "…",
// subrequest: "…", upstream: "…", host: "…", referrer: "…"` (src/http/ngx_http_request.c).
const NGINX_HEAD = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[([a-z]+\d?)\] (\d+)#(\d+): (?:\*(\d+) )?/;
const NGINX_CONTEXT =
  /, client: ([^\s,]+)(?:, server: ([^,]*))?(?:, login: "[^"]*")?(?:, request: "(.*?)")?(?:, subrequest: "(.*?)")?(?:, upstream: "(.*?)")?(?:, host: "(.*?)")?(?:, referrer: "(.*?)")?$/;
const NGINX_ERRNO = /\((\d+): ([^)]+)\)/;

// Apache 2.4's default ErrorLogFormat (server/log.c, `default_error_log_format`):
// `[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i`; a field that is
// empty is left out with its separator. Apache 2.2 wrote `[%t] [%l] [client %a] %M`.
const APACHE_HEAD = new RegExp(
  String.raw`^\[([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\d{4})\] ` +
    String.raw`\[(?:([^\s:\]]*):)?([a-z]+\d?)\] ` +
    String.raw`(?:\[pid (\d+)(?::tid (\d+))?\] )?` +
    String.raw`(?:([\w.-]+)\((\d+)\): )?` +
    String.raw`(?:(\((-?\d+)\)([^:\n]*)): )?` +
    String.raw`(?:\[client ([^\]\s]+)\] )?`,
);
const APACHE_REFERER = /, referer: (\S*)$/;
const AH_CODE = /^(AH\d{5}): /;

/**
 * Where a new entry starts, for the file source: a line matching it starts an entry, any other line
 * continues the previous one. nginx `yyyy/mm/dd HH:MM:SS [` or Apache `[Www Mmm dd HH:MM:SS`.
 */
export const ERROR_ENTRY_START = /^(?:\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[|\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})/;

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

/** `@timestamp` text for a UTC calendar time, or '' when the fields are impossible (31 Feb, 24:00). */
function utcIso(year: number, month: number, day: number, h: number, m: number, s: number, micros?: string): { timestamp: Date; iso: string } {
  const d = new Date(Date.UTC(year, month - 1, day, h, m, s));
  if (year < 100) d.setUTCFullYear(year);
  const ok =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === h && d.getUTCMinutes() === m && d.getUTCSeconds() === s;
  if (!ok) return { timestamp: new Date(Number.NaN), iso: '' };
  const fraction = micros === undefined ? '000' : micros.padEnd(6, '0');
  if (micros !== undefined) d.setUTCMilliseconds(Number(fraction.slice(0, 3)));
  return { timestamp: d, iso: d.toISOString().slice(0, 19) + '.' + fraction + 'Z' };
}

const HTTP_VERSION = /^HTTP\/(\d(?:\.\d)?)$/;

/** Method, target and version of a request line `GET /x HTTP/1.1` (none when it has another shape). */
function splitRequest(entry: DecodedErrorEntry, request: string): void {
  const parts = request.split(' ');
  if (parts.length === 3 && parts[0] && parts[1]) {
    const v = HTTP_VERSION.exec(parts[2]!);
    if (v) {
      entry.method = parts[0];
      entry.target = parts[1];
      entry.httpVersion = v[1];
    }
  } else if (parts.length === 2 && parts[0] && parts[1]?.startsWith('/')) {
    entry.method = parts[0]; // HTTP/0.9 simple request
    entry.target = parts[1];
  }
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

function emptyEntry(format: ErrorLogFormat, raw: string): DecodedErrorEntry {
  // Same property order for every entry.
  return {
    format,
    time: '',
    timestamp: new Date(Number.NaN),
    timestampIso: '',
    level: '',
    module: undefined,
    pid: undefined,
    tid: undefined,
    connectionId: undefined,
    originFile: undefined,
    originLine: undefined,
    errno: undefined,
    errnoText: undefined,
    client: undefined,
    clientPort: undefined,
    message: '',
    errorCode: undefined,
    server: undefined,
    request: undefined,
    method: undefined,
    target: undefined,
    httpVersion: undefined,
    upstream: undefined,
    host: undefined,
    referrer: undefined,
    multiline: raw.includes('\n'),
  };
}

/**
 * Reads an nginx error-log entry:
 * `yyyy/mm/dd HH:MM:SS [level] PID#TID: *CID message[, client: IP][, server: NAME][, request: "…"]
 * [, subrequest: "…"][, upstream: "…"][, host: "…"][, referrer: "…"]`. The context after the message
 * is read from the entry's last line (continuation lines, e.g. a FastCGI stderr, sit inside the message),
 * else from its first line (lines appended by another program), and is removed from the message.
 * The time carries no zone and is read as UTC.
 * @throws DecodeError when the entry does not start with the nginx header.
 */
export function decodeNginxEntry(raw: string): DecodedErrorEntry {
  const h = NGINX_HEAD.exec(raw);
  if (!h) throw new DecodeError('not an nginx error-log entry (expected "yyyy/mm/dd HH:MM:SS [level] pid#tid: message")');
  const e = emptyEntry('nginx', raw);
  e.time = raw.slice(0, 19);
  const t = utcIso(Number(h[1]), Number(h[2]), Number(h[3]), Number(h[4]), Number(h[5]), Number(h[6]));
  e.timestamp = t.timestamp;
  e.timestampIso = t.iso;
  e.level = h[7]!;
  e.pid = Number(h[8]);
  e.tid = Number(h[9]);
  e.connectionId = num(h[10]);
  let message = raw.slice(h[0].length);
  // nginx writes the context after the message, so on the last line (a FastCGI stderr with newlines
  // ends before it); lines another program appended to the log follow it, so then it ends the first line.
  let lineStart = message.lastIndexOf('\n') + 1;
  let lineEnd = message.length;
  let c = NGINX_CONTEXT.exec(message.slice(lineStart));
  if (!c && lineStart > 0) {
    lineStart = 0;
    lineEnd = message.indexOf('\n');
    c = NGINX_CONTEXT.exec(message.slice(0, lineEnd));
  }
  if (c) {
    message = message.slice(0, lineStart + c.index) + message.slice(lineEnd);
    e.client = c[1];
    e.server = c[2] || undefined;
    e.request = c[3];
    e.upstream = c[5] || undefined;
    e.host = c[6] || undefined;
    e.referrer = c[7] || undefined;
    if (e.request !== undefined) splitRequest(e, e.request);
  }
  e.message = message;
  const errno = NGINX_ERRNO.exec(message);
  if (errno) {
    e.errno = Number(errno[1]);
    e.errnoText = errno[2];
  }
  return e;
}

/**
 * Reads an Apache httpd error-log entry in the default 2.4 ErrorLogFormat,
 * `[Www Mmm dd HH:MM:SS.uuuuuu yyyy] [module:level] [pid N:tid N] file.c(N): (errno)Text: [client IP:PORT] AHnnnnn: message[, referer: URL]`
 * (tid, source position, error status, client, AH code and referer optional), or the 2.2 form
 * `[Www Mmm dd HH:MM:SS yyyy] [level] [client IP] message`. The referer is read from the first line
 * (lines that follow are output of other programs, e.g. a CGI's stderr). The time carries no zone and
 * is read as UTC.
 * @throws DecodeError when the entry does not start with the Apache header.
 */
export function decodeApacheEntry(raw: string): DecodedErrorEntry {
  const h = APACHE_HEAD.exec(raw) ?? APACHE_HEAD.exec(raw + ' '); // a header with an empty message
  if (!h) throw new DecodeError('not an Apache error-log entry (expected "[Www Mmm dd HH:MM:SS yyyy] [module:level] message")');
  const e = emptyEntry('apache', raw);
  const [, , mon, day, hh, mm, ss, micros, year, module, level, pid, tid, originFile, originLine, errStatus, errno, errnoText, client] = h;
  e.time = h[0].slice(1, h[0].indexOf(']'));
  const month = MONTHS[mon!];
  const t = month === undefined ? { timestamp: new Date(Number.NaN), iso: '' } : utcIso(Number(year), month, Number(day!.trim()), Number(hh), Number(mm), Number(ss), micros);
  e.timestamp = t.timestamp;
  e.timestampIso = t.iso;
  e.level = level!;
  e.module = module || undefined;
  e.pid = num(pid);
  e.tid = num(tid);
  e.originFile = originFile;
  e.originLine = num(originLine);
  e.errno = num(errno);
  e.errnoText = errno === undefined ? undefined : errnoText;
  let rest = raw.slice(Math.min(h[0].length, raw.length));
  if (client !== undefined) {
    // 2.4's `%a` is `ip:port` (IPv6 without brackets: `::1:40236`); 2.2 wrote the address alone, so
    // there only a single colon separates a port.
    const colon = client.lastIndexOf(':');
    const is24 = module !== undefined || pid !== undefined;
    if (colon > 0 && /^\d{1,5}$/.test(client.slice(colon + 1)) && (is24 || client.indexOf(':') === colon)) {
      e.client = client.slice(0, colon);
      const port = Number(client.slice(colon + 1));
      if (port > 0 && port <= 65535) e.clientPort = port;
    } else {
      e.client = client;
    }
    const nl = rest.indexOf('\n');
    const firstLine = nl < 0 ? rest : rest.slice(0, nl);
    const r = APACHE_REFERER.exec(firstLine);
    if (r) {
      e.referrer = r[1] || undefined;
      rest = firstLine.slice(0, r.index) + (nl < 0 ? '' : rest.slice(nl));
    }
  }
  const ah = AH_CODE.exec(rest);
  if (ah) e.errorCode = ah[1];
  e.message = errStatus === undefined ? rest : `${errStatus}: ${rest}`;
  return e;
}

/**
 * Parses one error-log entry of nginx or Apache httpd 2.4 (2.2 too): `format` `nginx` or `apache`
 * (from the input) chooses the reader; `auto` or none chooses it by the entry's shape (a leading `[` is
 * Apache, a leading digit nginx). `raw` may hold continuation lines joined by `\n` (see `ERROR_ENTRY_START`);
 * they stay in the message. Times carry no zone in either format and are read as UTC.
 * @throws DecodeError with the reason when the entry has neither shape (or not the input's format).
 */
export function decodeErrorEntry(raw: string, input?: InputSettings): DecodedErrorEntry {
  const format = input?.format;
  if (format === 'nginx') return decodeNginxEntry(raw);
  if (format === 'apache') return decodeApacheEntry(raw);
  if (format !== undefined && format !== 'auto') throw new DecodeError(`unknown errorlogs format "${format}" (known: ${ERROR_LOG_FORMATS.join(', ')})`);
  const c = raw.charCodeAt(0);
  if (c === 91 /* [ */) return decodeApacheEntry(raw);
  if (c >= 48 && c <= 57) return decodeNginxEntry(raw);
  if (raw.trim() === '') throw new DecodeError('empty line');
  throw new DecodeError(
    'not an error-log entry (expected nginx "yyyy/mm/dd HH:MM:SS [level] pid#tid: …" or Apache "[Www Mmm dd HH:MM:SS yyyy] [module:level] …"; a continuation line without the entry it belongs to?)',
  );
}

/**
 * Checks an input's `format` for `errorlogs` at start.
 * @throws Error naming the known formats for any other value.
 */
export function checkErrorLogFormat(format: string | undefined): void {
  if (format !== undefined && !(ERROR_LOG_FORMATS as readonly string[]).includes(format)) {
    throw new Error(`unknown errorlogs format "${format}" (known: ${ERROR_LOG_FORMATS.join(', ')})`);
  }
}
