import { DecodeError } from '../types.js';
import type { AccessExtras } from './formats/decoded.js';

/**
 * One access-log line split into its fields, before validation. Quoted fields have their escapes
 * decoded (see `unescapeLogField`); `-` placeholders become `undefined`.
 */
export interface DecodedAccessLine {
  client: string;
  ident?: string;
  user?: string;
  /** `%t` without brackets, e.g. `17/May/2015:10:05:03 +0000`. */
  time: string;
  /** The instant of `time` (an invalid Date when `time` is malformed or impossible; validation rejects it). */
  timestamp: Date;
  /** `timestamp` as ECS writes `@timestamp`: UTC ISO 8601 with milliseconds ('' when invalid). */
  timestampIso: string;
  /** Time zone offset of `time` as ECS writes it, e.g. `+00:00`. */
  timezone: string;
  /** The request line `%r`, e.g. `GET /index.html HTTP/1.1`. */
  request: string;
  method?: string;
  target?: string;
  /** `1.1` for `HTTP/1.1`. */
  httpVersion?: string;
  status: number;
  /** Body bytes (`%b`, `$body_bytes_sent`); NaN when a configured format has none. */
  bytes: number;
  referrer?: string;
  userAgent?: string;
  /** The line ended inside the user-agent quote (a writer cut off mid-line); kept leniently. */
  userAgentTruncated: boolean;
  /**
   * A quoted field had `\xHH` escapes whose bytes are not valid UTF-8 (e.g. a cp1251 referrer): that
   * field is kept exactly as logged, escapes included, and the document is tagged `non_utf8_escapes`.
   */
  nonUtf8Escapes: boolean;
  /** What a configured format carries beyond these fields (formats/decoded.ts); `undefined` for combined/common. */
  extra: AccessExtras | undefined;
}

// Apache httpd mod_log_config "common" is `%h %l %u %t "%r" %>s %b`; "combined" appends
// `"%{Referer}i" "%{User-agent}i"`; nginx's default `combined` log_format has the same shape and may
// be followed by extra fields, which are ignored here. Quoted fields may contain backslash escapes.
// Quoted content is written as an "unrolled loop" (`[^"\\]*(?:\\.[^"\\]*)*`): the same language as
// `(?:[^"\\]|\\.)*` without one alternation per character, which made the regex a third of decoding.
const CONTENT = String.raw`([^"\\]*(?:\\.[^"\\]*)*)`;
const LINE = new RegExp(
  String.raw`^(\S+) (\S+) (\S+) \[([^\]]+)\] "${CONTENT}"` +
    String.raw` (\d{3}|-) (\d+|-)` +
    String.raw`(?: "${CONTENT}"(?: "${CONTENT}("?))?)?(?:\s.*)?\s*$`,
);

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** A parsed `%t`: the instant, its ISO string and the zone. */
export interface ClfTime {
  timestamp: Date;
  timestampIso: string;
  timezone: string;
}

const INVALID_TIME: ClfTime = Object.freeze({ timestamp: new Date(Number.NaN), timestampIso: '', timezone: '+00:00' });
// Consecutive log lines mostly share their day and zone: the last day's midnight is reused.
let lastDayText = '';
let lastDayMs = Number.NaN;
/** `lastDayMs` as ISO `yyyy-mm-dd`, for times already in UTC. */
let lastDayIso = '';

/** Two ASCII digits at `i` as a number, or NaN. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/** UTC midnight of `dd/Mon/yyyy` (epoch ms), or NaN for an impossible or malformed date. */
function dayStart(text: string): number {
  const m = CLF_DAY.exec(text);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (!m || month === undefined) return Number.NaN;
  const day = Number(m[1]);
  const year = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 100) d.setUTCFullYear(year); // Date.UTC reads years 0–99 as 1900–1999
  return d.getTime();
}
const CLF_DAY = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4})$/;

// A busy log writes many lines within one second: the last `%t` text and its result are reused.
let lastTimeText = '';
let lastTime: ClfTime = INVALID_TIME;

/**
 * Parses an Apache/nginx `%t` time (`dd/Mon/yyyy:HH:mm:ss ±hhmm`, strftime `%d/%b/%Y:%H:%M:%S %z`).
 * Every field is range-checked — day within its month (leap years per the Gregorian rule), hour
 * 0–23, minute and second 0–59, zone offset up to ±23:59 — so an impossible time such as
 * `31/Feb/2023`, `24:00:00` or minute 60 is refused instead of rolling over into the next month, day
 * or hour. Returns an invalid Date (with `timestampIso` '' and zone `+00:00`) when the text does not
 * match or is impossible. The result (its Date included) is shared with the next call for the same
 * text: do not mutate it.
 */
export function parseClfTime(text: string): ClfTime {
  if (text === lastTimeText) return lastTime;
  const t = parseClfTimeText(text);
  lastTimeText = text;
  lastTime = t;
  return t;
}

function parseClfTimeText(text: string): ClfTime {
  if (text.length !== 26 || text.charCodeAt(11) !== 58 || text.charCodeAt(14) !== 58 || text.charCodeAt(17) !== 58 || text.charCodeAt(20) !== 32) {
    return INVALID_TIME;
  }
  const dayText = text.slice(0, 11);
  if (dayText !== lastDayText) {
    lastDayText = dayText;
    lastDayMs = dayStart(dayText);
    lastDayIso = Number.isNaN(lastDayMs) ? '' : new Date(lastDayMs).toISOString().slice(0, 10);
  }
  const sign = text.charCodeAt(21);
  const hour = digits2(text, 12), minute = digits2(text, 15), second = digits2(text, 18), zh = digits2(text, 22), zm = digits2(text, 24);
  // NaN fails every comparison, so malformed digits land here too.
  if (!(hour <= 23 && minute <= 59 && second <= 59 && zh <= 23 && zm <= 59) || (sign !== 43 && sign !== 45) || Number.isNaN(lastDayMs)) {
    return INVALID_TIME;
  }
  const offsetMs = (sign === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
  const timestamp = new Date(lastDayMs + ((hour * 60 + minute) * 60 + second) * 1000 - offsetMs);
  // A UTC time (most servers log +0000) is already the ISO time of day: no formatting per line.
  const timestampIso = offsetMs === 0 ? `${lastDayIso}T${text.slice(12, 20)}.000Z` : timestamp.toISOString();
  return { timestamp, timestampIso, timezone: text.slice(21, 24) + ':' + text.slice(24) };
}

const SIMPLE_ESCAPES: Record<string, number> = { '"': 0x22, '\\': 0x5c, t: 0x09, n: 0x0a, r: 0x0d, b: 0x08, v: 0x0b, f: 0x0c };
const HEX = /^[0-9a-fA-F]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes the escapes Apache httpd (`ap_escape_logitem`: `\"`, `\\`, `\b`, `\n`, `\r`, `\t`, `\v`,
 * `\xHH`) and nginx (`\xHH` for `"`, `\`, control and non-ASCII bytes; `\f` too) write inside quoted
 * log fields into the bytes they stand for, then reads those bytes as UTF-8:
 * `q=\x22foo\x22` → `q="foo"`, `http://\xc3\xa4.example/` → `http://ä.example/`. A backslash before
 * any other character is kept as written.
 *
 * Returns `undefined` when the decoded bytes are not valid UTF-8 (a client sent another encoding, such
 * as cp1251): the caller then keeps the field as logged, which loses nothing and stays readable;
 * replacing the bytes with U+FFFD would destroy them.
 */
export function unescapeLogField(s: string): string | undefined {
  if (!s.includes('\\')) return s;
  const bytes: number[] = [];
  let literalFrom = 0;
  const flushLiteral = (to: number): void => {
    if (to > literalFrom) for (const b of Buffer.from(s.slice(literalFrom, to), 'utf8')) bytes.push(b);
  };
  for (let i = s.indexOf('\\'); i !== -1 && i < s.length - 1; i = s.indexOf('\\', i)) {
    const c = s[i + 1]!;
    let byte: number | undefined;
    let width = 2;
    if (c === 'x' && HEX.test(s.slice(i + 2, i + 4))) {
      byte = parseInt(s.slice(i + 2, i + 4), 16);
      width = 4;
    } else {
      byte = SIMPLE_ESCAPES[c];
    }
    if (byte === undefined) {
      i += 2; // unknown escape: kept as written
      continue;
    }
    flushLiteral(i);
    bytes.push(byte);
    i += width;
    literalFrom = i;
  }
  flushLiteral(s.length);
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

const dash = (s: string | undefined): string | undefined => (s === undefined || s === '-' ? undefined : s);
const HTTP_VERSION = /^HTTP\/\d(\.\d)?$/;

/**
 * Splits a combined- or common-format access-log line into fields.
 * Lenient where real logs are ragged: a line cut off inside its user-agent quote is accepted (flagged
 * `userAgentTruncated`), trailing extra fields are ignored, a request line that is not
 * `METHOD TARGET HTTP/x` keeps only `request`. Quoted fields are unescaped with `unescapeLogField`.
 * @throws DecodeError when the line does not have the common-log shape at all.
 */
export function decodeAccessLine(line: string): DecodedAccessLine {
  const m = LINE.exec(line);
  if (!m) {
    throw new DecodeError(
      line.trim() === '' ? 'empty line' : 'not an access-log line (expected Apache/nginx common or combined format)',
    );
  }
  // Indexed, not destructured: array destructuring goes through the iterator protocol.
  const client = m[1], ident = m[2], user = m[3], time = m[4], request = m[5], status = m[6], bytes = m[7];
  const referrer = m[8], userAgent = m[9], closingQuote = m[10];
  // Fields without a backslash (nearly all) skip unescaping; a non-UTF-8 field is kept as logged.
  let requestLine = request!;
  let ref = referrer;
  let ua = userAgent;
  let nonUtf8Escapes = false;
  if (line.includes('\\')) {
    const field = (raw: string): string => {
      const text = unescapeLogField(raw);
      if (text !== undefined) return text;
      nonUtf8Escapes = true;
      return raw;
    };
    requestLine = field(requestLine);
    if (ref !== undefined) ref = field(ref);
    if (ua !== undefined) ua = field(ua);
  }
  const clf = parseClfTime(time!);
  // Same property order for every line, so every decoded record has one hidden class.
  const decoded: DecodedAccessLine = {
    client: client!,
    ident: dash(ident),
    user: dash(user),
    time: time!,
    timestamp: clf.timestamp,
    timestampIso: clf.timestampIso,
    timezone: clf.timezone,
    request: requestLine,
    method: undefined,
    target: undefined,
    httpVersion: undefined,
    status: status === '-' ? Number.NaN : Number(status),
    bytes: bytes === '-' ? 0 : Number(bytes),
    referrer: dash(ref),
    userAgent: dash(ua),
    userAgentTruncated: userAgent !== undefined && closingQuote === '',
    nonUtf8Escapes,
    extra: undefined,
  };
  splitRequestLine(decoded);
  return decoded;
}

/**
 * `GET`, `POST` or `HEAD` as one shared string when the request line starts with it (`end` is the
 * first space): a copy per line would be one more small string kept by each document.
 */
function commonMethod(requestLine: string, end: number): string | undefined {
  if (end === 3 && requestLine.startsWith('GET')) return 'GET';
  if (end === 4 && requestLine.startsWith('POST')) return 'POST';
  if (end === 4 && requestLine.startsWith('HEAD')) return 'HEAD';
  return undefined;
}

/**
 * Sets `method`, `target` and `httpVersion` from `request` when it is `METHOD TARGET HTTP/x` (or an
 * HTTP/0.9 `METHOD /target`); leaves them unset for anything else (a garbage request keeps only `request`).
 */
export function splitRequestLine(decoded: DecodedAccessLine): void {
  const requestLine = decoded.request;
  const sp1 = requestLine.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
  if (sp2 > 0 && requestLine.indexOf(' ', sp2 + 1) < 0 && HTTP_VERSION.test(requestLine.slice(sp2 + 1))) {
    decoded.method = commonMethod(requestLine, sp1) ?? requestLine.slice(0, sp1);
    decoded.target = requestLine.slice(sp1 + 1, sp2);
    const version = requestLine.slice(sp2 + 6);
    decoded.httpVersion = version === '1.1' ? '1.1' : version;
  } else if (sp1 > 0 && sp2 < 0 && requestLine[sp1 + 1] === '/') {
    decoded.method = requestLine.slice(0, sp1); // HTTP/0.9 simple request
    decoded.target = requestLine.slice(sp1 + 1);
  }
}
