import { DecodeError } from '../../types.js';
import { parseClfTime, splitRequestLine, unescapeLogField, type DecodedAccessLine } from '../decode.js';
import type { Target } from './variables.js';

/**
 * Fields a configured format can carry beyond the combined format's (see the table in variables.ts).
 * Durations are nanoseconds (ECS `event.duration`), sizes bytes, ports 0–65535.
 */
export interface AccessExtras {
  /** The TCP peer when the server rewrote the client address (`$realip_remote_addr`, `%{c}a`). */
  peer?: string;
  sourcePort?: number;
  /** `X-Forwarded-For`, left (original client) to right (last proxy). */
  forwardedFor?: string[];
  /** `X-Real-IP`. */
  realIp?: string;
  /** The Host the client asked for (`$host`, `%{Host}i`): `url.domain`. */
  host?: string;
  serverDomain?: string;
  serverIp?: string;
  serverPort?: number;
  scheme?: string;
  durationNs?: number;
  upstream?: {
    address?: string[];
    statusCode?: number[];
    connectNs?: number;
    headerNs?: number;
    responseNs?: number;
    cacheStatus?: string;
  };
  requestId?: string;
  requestBytes?: number;
  responseBytes?: number;
  tlsProtocol?: string;
  tlsCipher?: string;
  pid?: number;
  tid?: number;
  responseMimeType?: string;
  requestMimeType?: string;
  /** Variables outside the table, by name, as logged. */
  variables?: Record<string, string>;
}

/** A line being decoded by a compiled format: the decoded fields plus the parts not yet combined. */
export interface LineBuilder {
  line: DecodedAccessLine;
  extra: AccessExtras | undefined;
  timeKind: 'clf' | 'iso' | 'epoch_ms' | 'parts' | undefined;
  timeText: string;
  epochMs: number;
  /** strftime parts (`%{…}t`): year, month 1-12, day, hour, minute, second, fraction ms, zone minutes. */
  parts: TimeParts | undefined;
  path: string | undefined;
  query: string | undefined;
  protocol: string | undefined;
}

/** Date and time pieces captured by `%{…}t` conversions; unset pieces default to 0 / 1 / UTC. */
export interface TimeParts {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  fractionMs?: number;
  zoneMinutes?: number;
  epochMs?: number;
}

/** A fresh builder (every decoded line has the same property order: one hidden class). */
export function newBuilder(): LineBuilder {
  return {
    line: {
      client: '',
      ident: undefined,
      user: undefined,
      time: '',
      timestamp: INVALID_DATE,
      timestampIso: '',
      timezone: '+00:00',
      request: '',
      method: undefined,
      target: undefined,
      httpVersion: undefined,
      status: Number.NaN,
      // NaN: the format gives no body size (Apache vhost_combined logs %O only); the field is then absent.
      bytes: Number.NaN,
      referrer: undefined,
      userAgent: undefined,
      userAgentTruncated: false,
      nonUtf8Escapes: false,
      extra: undefined,
    },
    extra: undefined,
    timeKind: undefined,
    timeText: '',
    epochMs: Number.NaN,
    parts: undefined,
    path: undefined,
    query: undefined,
    protocol: undefined,
  };
}

const INVALID_DATE = new Date(Number.NaN);

const extraOf = (b: LineBuilder): AccessExtras => (b.extra ??= {});
const upstreamOf = (b: LineBuilder): NonNullable<AccessExtras['upstream']> => (extraOf(b).upstream ??= {});

/** Splits nginx's multi-value upstream fields: `, ` between upstreams, ` : ` between internal redirects. */
export function splitUpstream(value: string): string[] {
  return value.split(/, | : /).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * A non-negative number of `unit` seconds (`1`, `1e-3`, `1e-6`) as nanoseconds, summed over nginx's
 * multiple upstream values; `-` values count as absent. @throws DecodeError naming `name` for a value
 * that is not a number.
 */
function durationNs(value: string, unit: number, name: string): number | undefined {
  let total: number | undefined;
  for (const v of value.includes(',') || value.includes(' : ') ? splitUpstream(value) : [value]) {
    if (v === '-' || v === '') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new DecodeError(`${name}: not a duration ("${v}")`);
    total = (total ?? 0) + Math.round(n * unit * 1e9);
  }
  return total;
}

function integer(value: string, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new DecodeError(`${name}: not an integer 0-${max} ("${value}")`);
  return n;
}

/**
 * Writes one captured `value` of variable `name` into the builder by its table `target`. `-` (and an
 * empty string, nginx's value of an unset variable) means "no value" for every target but `request`.
 * @throws DecodeError for a number or time that does not parse.
 */
export function assign(b: LineBuilder, target: Target, name: string, value: string): void {
  if (value === '-' || value === '') {
    if (target === 'status') b.line.status = Number.NaN;
    else if (target === 'bytes.body' && value === '-') b.line.bytes = 0; // Apache's %b writes `-` for no bytes
    return;
  }
  const d = b.line;
  switch (target) {
    case 'client': d.client = value; return;
    case 'peer': extraOf(b).peer = value; return;
    case 'source.port': extraOf(b).sourcePort = integer(value, name, 65535); return;
    case 'ident': d.ident = value; return;
    case 'user': d.user = value; return;
    case 'time.clf': b.timeKind = 'clf'; b.timeText = value; return;
    case 'time.iso': b.timeKind = 'iso'; b.timeText = value; return;
    case 'time.epoch_s': case 'time.epoch_ms': case 'time.epoch_us': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new DecodeError(`${name}: not an epoch time ("${value}")`);
      b.timeKind = 'epoch_ms';
      b.timeText = value;
      b.epochMs = target === 'time.epoch_s' ? Math.round(n * 1000) : target === 'time.epoch_ms' ? n : Math.floor(n / 1000);
      return;
    }
    case 'request': d.request = value; return;
    case 'method': d.method = value; return;
    case 'target': d.target = value; return;
    case 'path': b.path = value; return;
    case 'query': b.query = value.startsWith('?') ? value.slice(1) : value; return;
    case 'protocol': b.protocol = value; return;
    case 'scheme': extraOf(b).scheme = value; return;
    case 'status': d.status = /^\d{3}$/.test(value) ? Number(value) : Number.NaN; return;
    case 'bytes.body': d.bytes = integer(value, name); return;
    case 'bytes.response': extraOf(b).responseBytes = integer(value, name); return;
    case 'bytes.request': extraOf(b).requestBytes = integer(value, name); return;
    case 'referrer': d.referrer = value; return;
    case 'user_agent': d.userAgent = value; return;
    case 'forwarded_for': {
      const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '-');
      if (list.length > 0) extraOf(b).forwardedFor = list;
      return;
    }
    case 'real_ip': extraOf(b).realIp = value; return;
    case 'host': extraOf(b).host = value; return;
    case 'server.domain': extraOf(b).serverDomain = value; return;
    case 'server.ip': extraOf(b).serverIp = value; return;
    case 'server.port': extraOf(b).serverPort = integer(value, name, 65535); return;
    case 'duration.s': setIfDefined(extraOf(b), 'durationNs', durationNs(value, 1, name)); return;
    case 'duration.ms': setIfDefined(extraOf(b), 'durationNs', durationNs(value, 1e-3, name)); return;
    case 'duration.us': setIfDefined(extraOf(b), 'durationNs', durationNs(value, 1e-6, name)); return;
    case 'upstream.connect': setIfDefined(upstreamOf(b), 'connectNs', durationNs(value, 1, name)); return;
    case 'upstream.header': setIfDefined(upstreamOf(b), 'headerNs', durationNs(value, 1, name)); return;
    case 'upstream.response': setIfDefined(upstreamOf(b), 'responseNs', durationNs(value, 1, name)); return;
    case 'upstream.address': upstreamOf(b).address = splitUpstream(value); return;
    case 'upstream.status': {
      const codes = splitUpstream(value).filter((v) => /^\d{3}$/.test(v)).map(Number);
      if (codes.length > 0) upstreamOf(b).statusCode = codes;
      return;
    }
    case 'upstream.cache_status': upstreamOf(b).cacheStatus = value; return;
    case 'request_id': extraOf(b).requestId = value; return;
    case 'tls.protocol': extraOf(b).tlsProtocol = value; return;
    case 'tls.cipher': extraOf(b).tlsCipher = value; return;
    case 'pid': extraOf(b).pid = integer(value, name); return;
    case 'tid': extraOf(b).tid = integer(value, name); return;
    case 'mime.response': extraOf(b).responseMimeType = value; return;
    case 'mime.request': extraOf(b).requestMimeType = value; return;
    case 'other': (extraOf(b).variables ??= {})[name] = value; return;
  }
}

function setIfDefined<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) o[key] = value;
}

/**
 * A quoted capture's value with nginx/Apache escapes decoded (`unescapeLogField`); a value whose escapes
 * are not UTF-8 is kept as logged and the line is flagged `nonUtf8Escapes`.
 */
export function unescaped(b: LineBuilder, raw: string): string {
  if (!raw.includes('\\')) return raw;
  const text = unescapeLogField(raw);
  if (text !== undefined) return text;
  b.line.nonUtf8Escapes = true;
  return raw;
}

// ISO 8601 as nginx's $time_iso8601 writes it (`2026-12-07T06:18:16+00:00`), with optional fraction and `Z`.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

function zoneText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** UTC ms of a calendar time, or NaN when a field is out of range (no rollover: 31 Feb is refused). */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) {
    return Number.NaN;
  }
  return ms;
}

function setInstant(d: DecodedAccessLine, ms: number, zoneMinutes: number): void {
  if (!Number.isFinite(ms)) return;
  d.timestamp = new Date(ms);
  d.timestampIso = d.timestamp.toISOString();
  d.timezone = zoneText(zoneMinutes);
}

/**
 * Combines the captured parts into the decoded line: the time (every kind), the request line from its
 * parts (`$request_method $request_uri $server_protocol`, `%m %U%q %H`) or its parts from the request
 * line, and the extras. Leaves an invalid time for validation to report.
 */
export function finish(b: LineBuilder): DecodedAccessLine {
  const d = b.line;
  switch (b.timeKind) {
    case 'clf': {
      const t = parseClfTime(b.timeText);
      d.time = b.timeText;
      d.timestamp = t.timestamp;
      d.timestampIso = t.timestampIso;
      d.timezone = t.timezone;
      break;
    }
    case 'iso': {
      d.time = b.timeText;
      const m = ISO.exec(b.timeText);
      if (m) {
        const zone = m[8] === 'Z' ? 0 : (m[8]![0] === '-' ? -1 : 1) * (Number(m[8]!.slice(1, 3)) * 60 + Number(m[8]!.slice(-2)));
        const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
        const local = utcMs(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
        setInstant(d, local + frac - zone * 60_000, zone);
      }
      break;
    }
    case 'epoch_ms':
      d.time = b.timeText;
      setInstant(d, b.epochMs, 0);
      break;
    case 'parts': {
      const p = b.parts!;
      d.time = b.timeText;
      const zone = p.zoneMinutes ?? 0;
      if (p.epochMs !== undefined) setInstant(d, p.epochMs + (p.fractionMs ?? 0), zone);
      else if (p.year !== undefined && p.month !== undefined && p.day !== undefined) {
        const local = utcMs(p.year, p.month, p.day, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
        setInstant(d, local + (p.fractionMs ?? 0) - zone * 60_000, zone);
      }
      break;
    }
    default:
      break;
  }
  if (b.protocol !== undefined && d.httpVersion === undefined) d.httpVersion = b.protocol.startsWith('HTTP/') ? b.protocol.slice(5) : b.protocol;
  if (d.request !== '') {
    if (d.method === undefined && d.target === undefined) splitRequestLine(d);
  } else if (d.method !== undefined || d.target !== undefined || b.path !== undefined) {
    d.target ??= b.path === undefined ? undefined : b.query ? `${b.path}?${b.query}` : b.path;
    d.request = [d.method, d.target, b.protocol].filter((x) => x !== undefined).join(' ');
  }
  if (d.target === undefined && b.path !== undefined) d.target = b.query ? `${b.path}?${b.query}` : b.path;
  d.extra = b.extra;
  return d;
}
