import { DecodeError } from '../../types.js';
import { parseClfTime, splitRequestLine, unescapeLogField, type DecodedAccessLine } from '../decode.js';
import type { Target } from './variables.js';
import { withJsonText } from '../../../enrich/json-text.js';
import { RecentCache } from '../recent-cache.js';

/**
 * Fields a configured format can carry beyond the combined format's (see the table in variables.ts).
 * Durations are nanoseconds (ECS `event.duration`), sizes bytes, ports 0–65535.
 */
export interface AccessExtras {
  /** The TCP peer when the server rewrote the client address (`$realip_remote_addr`, `%{c}a`). */
  peer?: string;
  sourcePort?: number;
  /** `X-Forwarded-For`, left (original client) to right (last proxy). */
  forwardedFor?: readonly string[];
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
    address?: readonly string[];
    statusCode?: readonly number[];
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

/** Three ASCII digits (an HTTP status code as logged). */
function isStatusCode(v: string): boolean {
  if (v.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Splits nginx's multi-value upstream fields: `, ` between upstreams, ` : ` between internal redirects. */
export function splitUpstream(value: string): string[] {
  if (!value.includes(',') && !value.includes(' : ')) return [value.trim()]; // one upstream: the common case
  return value.split(/, | : /).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * A non-negative number of `unit` seconds (`1`, `1e-3`, `1e-6`) as nanoseconds, summed over nginx's
 * multiple upstream values; `-` values count as absent. @throws DecodeError naming `name` for a value
 * that is not a number.
 */
function durationNs(value: string, unit: number, name: string): number | undefined {
  if (unit === 1) {
    const ns = millisecondsNs(value);
    if (ns >= 0) return ns;
  }
  if (!value.includes(',') && !value.includes(' : ')) {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new DecodeError(`${name}: not a duration ("${value}")`);
    return Math.round(n * unit * 1e9);
  }
  let total: number | undefined;
  for (const v of splitUpstream(value)) {
    if (v === '-' || v === '') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new DecodeError(`${name}: not a duration ("${v}")`);
    total = (total ?? 0) + Math.round(n * unit * 1e9);
  }
  return total;
}

/**
 * Nanoseconds of seconds written as nginx writes its times, `<digits>.<3 digits>` (`0.004`,
 * `12.345`: ngx_http_log_module's "seconds with a milliseconds resolution"), or -1 for any other text.
 * Why not `Number`: a string with a fraction takes V8's general string-to-double path, about 0.1 µs,
 * and an access line of nginx's usual formats carries up to four such times.
 */
function millisecondsNs(v: string): number {
  const dot = v.length - 4;
  if (dot < 1 || dot > 6 || v.charCodeAt(dot) !== 46 /* . */) return -1; // ≤ 999,999 s: the ns stay exact
  let ms = 0;
  for (let i = 0; i < v.length; i++) {
    if (i === dot) continue;
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    ms = ms * 10 + d;
  }
  return ms * 1_000_000;
}

function integer(value: string, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new DecodeError(`${name}: not an integer 0-${max} ("${value}")`);
  return n;
}

// The lists of a line are shared between the lines that logged the same text (a client behind the same
// proxies, the same upstreams): frozen, carrying their JSON (`withJsonText`), so a document holds fewer
// objects of its own until its batch is indexed and the serialiser copies the JSON whole. 2 × 4,096
// lists of each kind at most.
const forwardedLists = new RecentCache<readonly string[]>(4096);
const upstreamAddresses = new RecentCache<readonly string[]>(4096);
const sharedList = (v: string): readonly string[] => Object.freeze(withJsonText(splitUpstream(v)));
/** `X-Forwarded-For`'s addresses, left to right, without empty entries and `-`. */
function forwardedList(v: string): readonly string[] {
  const list: string[] = [];
  if (v.includes(',')) {
    for (const part of v.split(',')) {
      const a = part.trim();
      if (a !== '' && a !== '-') list.push(a);
    }
  } else list.push(v.trim());
  return Object.freeze(withJsonText(list));
}
const statusLists: (readonly number[] | undefined)[] = [];
/** `[code]`, one frozen array per status code (with its JSON). */
function oneStatus(code: number): readonly number[] {
  return (statusLists[code] ??= Object.freeze(withJsonText([code])));
}

/** Writes one non-empty value of variable `name` into the builder. @throws DecodeError for a number or time that does not parse. */
export type Setter = (b: LineBuilder, name: string, value: string) => void;

const epoch = (scale: 's' | 'ms' | 'us'): Setter => (b, name, value) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new DecodeError(`${name}: not an epoch time ("${value}")`);
  b.timeKind = 'epoch_ms';
  b.timeText = value;
  b.epochMs = scale === 's' ? Math.round(n * 1000) : scale === 'ms' ? n : Math.floor(n / 1000);
};
const duration = (unit: number): Setter => (b, name, value) => setIfDefined(extraOf(b), 'durationNs', durationNs(value, unit, name));
const upstreamTime = (key: 'connectNs' | 'headerNs' | 'responseNs'): Setter => (b, name, value) => setIfDefined(upstreamOf(b), key, durationNs(value, 1, name));

/**
 * Per target, how its value is written (a table, not a switch: the compiler binds each capture to its
 * setter once, at compile time).
 */
export const SETTERS: Readonly<Record<Target, Setter>> = {
  client: (b, _, v) => void (b.line.client = v),
  peer: (b, _, v) => void (extraOf(b).peer = v),
  'source.port': (b, name, v) => void (extraOf(b).sourcePort = integer(v, name, 65535)),
  ident: (b, _, v) => void (b.line.ident = v),
  user: (b, _, v) => void (b.line.user = v),
  'time.clf': (b, _, v) => {
    b.timeKind = 'clf';
    b.timeText = v;
  },
  'time.iso': (b, _, v) => {
    b.timeKind = 'iso';
    b.timeText = v;
  },
  'time.epoch_s': epoch('s'),
  'time.epoch_ms': epoch('ms'),
  'time.epoch_us': epoch('us'),
  // A time of unknown shape (a JSON key such as `time`): epoch seconds or ms, ISO 8601, or CLF.
  'time.any': (b, name, v) => {
    if (/^\d+(?:\.\d+)?$/.test(v)) epoch(Number(v) > 1e11 ? 'ms' : 's')(b, name, v);
    else {
      b.timeKind = /^\d{4}-\d{2}-\d{2}T/.test(v) ? 'iso' : 'clf';
      b.timeText = v;
    }
  },
  request: (b, _, v) => void (b.line.request = v),
  method: (b, _, v) => void (b.line.method = v),
  target: (b, _, v) => void (b.line.target = v),
  path: (b, _, v) => void (b.path = v),
  query: (b, _, v) => void (b.query = v.startsWith('?') ? v.slice(1) : v),
  protocol: (b, _, v) => void (b.protocol = v),
  scheme: (b, _, v) => void (extraOf(b).scheme = v),
  status: (b, _, v) => void (b.line.status = v.length === 3 && /^\d{3}$/.test(v) ? Number(v) : Number.NaN),
  'bytes.body': (b, name, v) => void (b.line.bytes = integer(v, name)),
  'bytes.response': (b, name, v) => void (extraOf(b).responseBytes = integer(v, name)),
  'bytes.request': (b, name, v) => void (extraOf(b).requestBytes = integer(v, name)),
  referrer: (b, _, v) => void (b.line.referrer = v),
  user_agent: (b, _, v) => void (b.line.userAgent = v),
  forwarded_for: (b, _, v) => {
    const list = forwardedLists.getOrSet(v, forwardedList, undefined);
    if (list.length > 0) extraOf(b).forwardedFor = list;
  },
  real_ip: (b, _, v) => void (extraOf(b).realIp = v),
  host: (b, _, v) => void (extraOf(b).host = v),
  'server.domain': (b, _, v) => void (extraOf(b).serverDomain = v),
  'server.ip': (b, _, v) => void (extraOf(b).serverIp = v),
  'server.port': (b, name, v) => void (extraOf(b).serverPort = integer(v, name, 65535)),
  'duration.s': duration(1),
  'duration.ms': duration(1e-3),
  'duration.us': duration(1e-6),
  'upstream.connect': upstreamTime('connectNs'),
  'upstream.header': upstreamTime('headerNs'),
  'upstream.response': upstreamTime('responseNs'),
  'upstream.address': (b, _, v) => void (upstreamOf(b).address = upstreamAddresses.getOrSet(v, sharedList, undefined)),
  'upstream.status': (b, _, v) => {
    if (isStatusCode(v)) {
      upstreamOf(b).statusCode = oneStatus(Number(v)); // one upstream: the common case
      return;
    }
    const codes: number[] = [];
    for (const c of splitUpstream(v)) if (isStatusCode(c)) codes.push(Number(c));
    if (codes.length > 0) upstreamOf(b).statusCode = codes;
  },
  'upstream.cache_status': (b, _, v) => void (upstreamOf(b).cacheStatus = v),
  request_id: (b, _, v) => void (extraOf(b).requestId = v),
  'tls.protocol': (b, _, v) => void (extraOf(b).tlsProtocol = v),
  'tls.cipher': (b, _, v) => void (extraOf(b).tlsCipher = v),
  pid: (b, name, v) => void (extraOf(b).pid = integer(v, name)),
  tid: (b, name, v) => void (extraOf(b).tid = integer(v, name)),
  'mime.response': (b, _, v) => void (extraOf(b).responseMimeType = v),
  'mime.request': (b, _, v) => void (extraOf(b).requestMimeType = v),
  other: (b, name, v) => void ((extraOf(b).variables ??= {})[name] = v),
};

/**
 * Writes one captured `value` of variable `name` into the builder by its table `target` (`SETTERS`).
 * `-` (and an empty string, nginx's value of an unset variable) means "no value", except that
 * Apache's `%b` writes `-` for zero bytes.
 * @throws DecodeError for a number or time that does not parse.
 */
export function assign(b: LineBuilder, target: Target, name: string, value: string, setter: Setter = SETTERS[target]): void {
  if (value === '-' || value === '') {
    if (target === 'bytes.body' && value === '-') b.line.bytes = 0;
    return;
  }
  setter(b, name, value);
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
