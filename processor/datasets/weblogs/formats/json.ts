/**
 * JSON access logs: nginx `log_format … escape=json '{…}'` (or `escape=default`, whose `\xHH` escapes
 * are not JSON and are read as the bytes they stand for) and Apache `LogFormat "{…}"` lines.
 *
 * Two ways to know what a key means:
 * - `json`: keys are named after the variables (`remote_addr` or `$remote_addr`, `time_iso8601`,
 *   `status`, `http_user_agent`, … — the nginx names of variables.ts);
 * - a format whose text is a JSON template (`nginx:{"ts":"$time_iso8601","ip":"$remote_addr",…}`): each
 *   key (nested keys as `a.b`) means the variable the template put there, whatever the key is called.
 * Keys that map to nothing known are kept under `weblogs.variables` (by key path), never dropped.
 */
import { DecodeError } from '../../types.js';
import type { DecodedAccessLine } from '../decode.js';
import { assign, finish, newBuilder } from './decoded.js';
import { FormatError, type LineDecoder, type Token } from './compile.js';
import { JSON_KEY_ALIASES, NGINX_VARIABLES, type Target } from './variables.js';
import type { TimeFormat } from './compile.js';

interface KeyMeaning {
  name: string;
  target: Target;
  time?: TimeFormat;
}

// nginx escape=default writes `\xHH` for `"`, `\` and bytes ≥ 0x80 or < 0x20: not JSON. Rewritten to
// `\u00HH` (an even run of backslashes before it is escaped backslashes, not an escape).
const X_ESCAPE = /(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})/g;
const LATIN1_HIGH = /[\u0080-\u00ff]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `JSON.parse` of a log line, reading nginx's `\xHH` escapes as bytes. @throws DecodeError when it is not a JSON object. */
function parseLine(line: string): { value: Record<string, unknown>; bytes: boolean } {
  const tryParse = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      return err as Error;
    }
  };
  let bytes = false;
  let parsed = tryParse(line);
  if (parsed instanceof Error && line.includes('\\x')) {
    bytes = true;
    parsed = tryParse(line.replace(X_ESCAPE, '$1\\u00$2'));
  }
  if (parsed instanceof Error) {
    const at = /position (\d+)/.exec(parsed.message);
    throw new DecodeError(`not a JSON access-log line${at ? ` (invalid JSON at column ${Number(at[1]) + 1})` : `: ${parsed.message}`}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DecodeError('not a JSON access-log line (expected a JSON object)');
  return { value: parsed as Record<string, unknown>, bytes };
}

/** A string decoded from `\u00HH` escapes that stood for UTF-8 bytes, as the text those bytes are. */
function bytesAsUtf8(s: string): string {
  if (!LATIN1_HIGH.test(s)) return s;
  const codes = [...s].map((c) => c.charCodeAt(0));
  if (codes.some((c) => c > 0xff)) return s;
  try {
    return utf8.decode(Uint8Array.from(codes));
  } catch {
    return s;
  }
}

function leaves(o: Record<string, unknown>, prefix: string, out: [string, unknown][]): [string, unknown][] {
  for (const k in o) {
    const v = o[k];
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) leaves(v as Record<string, unknown>, path, out);
    else out.push([path, v]);
  }
  return out;
}

function decodeWith(meaningOf: (key: string) => KeyMeaning, line: string): DecodedAccessLine {
  if (line.trim() === '') throw new DecodeError('empty line');
  const { value, bytes } = parseLine(line);
  const b = newBuilder();
  for (const [key, raw] of leaves(value, '', [])) {
    if (raw === null || raw === undefined) continue;
    let v = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw);
    if (bytes && typeof raw === 'string') v = bytesAsUtf8(v);
    const meaning = meaningOf(key);
    if (meaning.time) {
      if (v !== '-') meaning.time.read(b, v);
    } else assign(b, meaning.target, meaning.name, v);
  }
  return finish(b);
}

/**
 * Decoder of JSON lines whose keys are nginx variable names (with or without `$`), or the common names
 * of `JSON_KEY_ALIASES` (`ip`, `time`, `status`, `ua`, …; nested keys by their last part).
 * @throws DecodeError (per line) when a line gives no client address, time or status under any known key.
 */
export function jsonByVariableName(): LineDecoder {
  const cache = new Map<string, KeyMeaning>();
  const meaningOf = (key: string): KeyMeaning => {
    let m = cache.get(key);
    if (!m) {
      const name = key.startsWith('$') ? key.slice(1) : key;
      const alias = name.slice(name.lastIndexOf('.') + 1).toLowerCase().replace(/-/g, '_');
      m = { name, target: NGINX_VARIABLES[name] ?? JSON_KEY_ALIASES[alias] ?? JSON_KEY_ALIASES[name.toLowerCase()] ?? 'other' };
      cache.set(key, m);
    }
    return m;
  };
  return (line) => {
    const d = decodeWith(meaningOf, line);
    if (d.client === '' || d.time === '' || Number.isNaN(d.status)) {
      const missing = [d.client === '' && 'client address', d.time === '' && 'time', Number.isNaN(d.status) && 'status'].filter(Boolean);
      throw new DecodeError(
        `JSON access-log line without a ${missing.join(', ')} under a known key (nginx variable names such as remote_addr, ` +
          'time_iso8601, status, or ip, time, status …; for other keys give the log_format as nginx:{…})',
      );
    }
    return d;
  };
}

const PLACEHOLDER = /^@@v(\d+)@@$/;

/**
 * Decoder of JSON lines written by a JSON template format (tokens of an nginx or Apache format whose
 * text is a JSON object). Keys that the template does not name are kept by their path.
 * @throws FormatError when the template is not a JSON object once its variables are filled in, or a
 * value mixes text and a variable (`"rt=$request_time"`: use a key of its own for the variable).
 */
export function jsonTemplate(tokens: Token[]): LineDecoder {
  let text = '';
  let inString = false;
  const variables: Extract<Token, { kind: 'variable' }>[] = [];
  for (const t of tokens) {
    if (t.kind === 'literal') {
      for (let i = 0; i < t.text.length; i++) {
        const c = t.text[i];
        if (c === '\\') i++;
        else if (c === '"') inString = !inString;
      }
      text += t.text;
    } else {
      const mark = `@@v${variables.length}@@`;
      variables.push(t);
      text += inString ? mark : `"${mark}"`;
    }
  }
  let template: unknown;
  try {
    template = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`the JSON template is not a JSON object once filled in: ${(err as Error).message}`);
  }
  if (template === null || typeof template !== 'object' || Array.isArray(template)) throw new FormatError('the JSON template is not a JSON object');
  const byKey = new Map<string, KeyMeaning>();
  for (const [key, v] of leaves(template as Record<string, unknown>, '', [])) {
    if (typeof v !== 'string') continue;
    const m = PLACEHOLDER.exec(v);
    if (m) {
      const t = variables[Number(m[1])]!;
      byKey.set(key, { name: t.name, target: t.target, time: t.time });
    } else if (v.includes('@@v')) {
      throw new FormatError(`the JSON template's key "${key}" mixes text and a variable; give the variable a key of its own`);
    }
  }
  const meaningOf = (key: string): KeyMeaning => byKey.get(key) ?? { name: key, target: 'other' };
  return (line) => decodeWith(meaningOf, line);
}
