import { DecodeError } from '../types.js';

/**
 * One access-log line split into its fields, before validation. Strings are as they appear in the
 * line, with Apache's `\"` escapes undone; `-` placeholders become `undefined`.
 */
export interface DecodedAccessLine {
  client: string;
  ident?: string;
  user?: string;
  /** `%t` without brackets, e.g. `17/May/2015:10:05:03 +0000`. */
  time: string;
  /** The parsed instant of `time` (an invalid Date when `time` is malformed; validation rejects it). */
  timestamp: Date;
  /** Time zone offset of `time` as ECS writes it, e.g. `+00:00`. */
  timezone: string;
  /** The request line `%r`, e.g. `GET /index.html HTTP/1.1`. */
  request: string;
  method?: string;
  target?: string;
  /** `1.1` for `HTTP/1.1`. */
  httpVersion?: string;
  status: number;
  bytes: number;
  referrer?: string;
  userAgent?: string;
  /** The line ended inside the user-agent quote (a writer cut off mid-line); kept leniently. */
  userAgentTruncated: boolean;
}

// Apache httpd mod_log_config "common" is `%h %l %u %t "%r" %>s %b`; "combined" appends
// `"%{Referer}i" "%{User-agent}i"`; nginx's default `combined` log_format has the same shape and may
// be followed by extra fields, which are ignored here. Quoted fields may contain `\"` escapes.
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const LINE = new RegExp(
  String.raw`^(\S+) (\S+) (\S+) \[([^\]]+)\] ` +
    QUOTED +
    String.raw` (\d{3}|-) (\d+|-)` +
    String.raw`(?: ${QUOTED}(?: "((?:[^"\\]|\\.)*)("?))?)?(?:\s.*)?\s*$`,
);

const MONTHS: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06',
  Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/**
 * Parses an Apache `%t` time (`dd/Mon/yyyy:HH:mm:ss ±hhmm`) into an instant and its zone.
 * Returns an invalid Date (and `+00:00`) when the text does not match.
 */
export function parseClfTime(text: string): { timestamp: Date; timezone: string } {
  const m = CLF_TIME.exec(text);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (!m || !month) return { timestamp: new Date(Number.NaN), timezone: '+00:00' };
  const zone = `${m[7]}${m[8]}:${m[9]}`;
  const timestamp = new Date(`${m[3]}-${month}-${m[1]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return { timestamp, timezone: zone };
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');
const dash = (s: string | undefined): string | undefined => (s === undefined || s === '-' ? undefined : s);

/**
 * Splits a combined- or common-format access-log line into fields.
 * Lenient where real logs are ragged: a line cut off inside its user-agent quote is accepted (flagged
 * `userAgentTruncated`), trailing extra fields are ignored, a request line that is not
 * `METHOD TARGET HTTP/x` keeps only `request`.
 * @throws DecodeError when the line does not have the common-log shape at all.
 */
export function decodeAccessLine(line: string): DecodedAccessLine {
  const m = LINE.exec(line);
  if (!m) {
    throw new DecodeError(
      line.trim() === '' ? 'empty line' : 'not an access-log line (expected Apache/nginx common or combined format)',
    );
  }
  const [, client, ident, user, time, request, status, bytes, referrer, userAgent, closingQuote] = m;
  const requestLine = unescape(request!);
  const parts = requestLine.split(' ');
  const decoded: DecodedAccessLine = {
    client: client!,
    time: time!,
    ...parseClfTime(time!),
    request: requestLine,
    status: status === '-' ? Number.NaN : Number(status),
    bytes: bytes === '-' ? 0 : Number(bytes),
    userAgentTruncated: userAgent !== undefined && closingQuote === '',
  };
  if (dash(ident)) decoded.ident = ident;
  if (dash(user)) decoded.user = user;
  if (parts.length === 3 && /^HTTP\/\d(\.\d)?$/.test(parts[2]!)) {
    decoded.method = parts[0];
    decoded.target = parts[1];
    decoded.httpVersion = parts[2]!.slice(5);
  } else if (parts.length === 2 && parts[1]!.startsWith('/')) {
    decoded.method = parts[0]; // HTTP/0.9 simple request
    decoded.target = parts[1];
  }
  const ref = dash(referrer === undefined ? undefined : unescape(referrer));
  if (ref) decoded.referrer = ref;
  const ua = dash(userAgent === undefined ? undefined : unescape(userAgent));
  if (ua) decoded.userAgent = ua;
  return decoded;
}
