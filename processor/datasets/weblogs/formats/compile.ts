/**
 * Compiles a web server's own log format definition — an nginx `log_format` or an Apache httpd
 * `LogFormat` string — into a decoder for the lines it writes: one anchored regular expression with a
 * capture per variable, and per capture the table target it lands on (variables.ts). Compiled once per
 * input at start; decoding a line is one `RegExp.exec` plus one small assignment per variable.
 *
 * Why a compiled regex and not a generic tokenizer: the values' delimiters are exactly the literal text
 * between the variables, which the definition gives; a quoted variable (`"$http_user_agent"`) takes
 * escaped quoted content, and an unquoted one everything up to the next literal character, unless its
 * values contain that character (`$time_local`, lists such as `$upstream_response_time`), which have
 * their own patterns (variables.ts, `unquotedPattern`).
 *
 * A format whose text is a JSON object (`log_format … escape=json '{"time":"$time_iso8601",…}'`) is
 * decoded with `JSON.parse` instead, each key mapped to the variable the template put there (json.ts).
 */
import { DecodeError } from '../../types.js';
import type { DecodedAccessLine } from '../decode.js';
import { SETTERS, assign, finish, newBuilder, unescaped, type LineBuilder, type Setter, type TimeParts } from './decoded.js';
import { NGINX_VARIABLES, apacheTarget, unquotedPattern, type Target } from './variables.js';

/** A format definition that cannot be compiled; `position` is the 0-based offset in the format text. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} (at position ${position + 1} of the format)`);
  }
}

/** One piece of a format: literal text, or a variable with its target (and, for `%{…}t`, its time parser). */
export type Token =
  | { kind: 'literal'; text: string; position: number }
  | { kind: 'variable'; name: string; target: Target; position: number; time?: TimeFormat };

/** A compiled `%{…}t` time format: the regex of its text and how to read its parts. */
export interface TimeFormat {
  /** Regex source without capture groups (for the line regex). */
  pattern: string;
  /** Reads the parts of one matched time text into the builder. */
  read(b: LineBuilder, text: string): void;
}

/** A line decoder compiled from a format; throws `DecodeError` (with the column) for a line that does not match. */
export type LineDecoder = (line: string) => DecodedAccessLine;

const NAME = /[A-Za-z0-9_]/;

/**
 * Splits an nginx `log_format` string into literals and `$variables` (`$name` or `${name}`).
 * @throws FormatError at the position of a `$` not followed by a variable name, or an unclosed `${`.
 */
export function tokenizeNginx(format: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  let literalAt = 0;
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    if (c !== '$') {
      if (literal === '') literalAt = i;
      literal += c;
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (format[i + 1] === '{') {
      const close = format.indexOf('}', i + 2);
      if (close < 0) throw new FormatError('"${" without a closing "}"', i);
      name = format.slice(i + 2, close);
      end = close + 1;
    } else {
      end = i + 1;
      while (end < format.length && NAME.test(format[end]!)) end++;
      name = format.slice(i + 1, end);
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new FormatError('"$" is not followed by a variable name', i);
    if (literal !== '') tokens.push({ kind: 'literal', text: literal, position: literalAt });
    literal = '';
    tokens.push({ kind: 'variable', name, target: NGINX_VARIABLES[name] ?? 'other', position: i });
    i = end;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal, position: literalAt });
  return tokens;
}

// `%` [`!`][status codes,][`<`|`>`][`{arg}`] letter — mod_log_config's directive syntax.
const APACHE_DIRECTIVE = /^%(!?\d{3}(?:,\d{3})*)?([<>])?(?:\{([^}]*)\})?([A-Za-z%])/;

/**
 * Splits an Apache `LogFormat` string into literals and `%` directives, with `%%` as a literal `%`.
 * @throws FormatError at the position of an unknown or malformed directive.
 */
export function tokenizeApache(format: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  let literalAt = 0;
  const pushLiteral = (text: string, at: number): void => {
    if (literal === '') literalAt = at;
    literal += text;
  };
  for (let i = 0; i < format.length; ) {
    if (format[i] !== '%') {
      pushLiteral(format[i]!, i);
      i++;
      continue;
    }
    const m = APACHE_DIRECTIVE.exec(format.slice(i));
    if (!m) throw new FormatError(format.slice(i, i + 2) === '%{' ? '"%{" without a closing "}" and a directive letter' : `"${format.slice(i, i + 2)}" is not a LogFormat directive`, i);
    const [whole, , , arg, letter] = m;
    if (letter === '%') {
      pushLiteral('%', i);
      i += whole.length;
      continue;
    }
    const target = apacheTarget(letter!, arg);
    if (!target) throw new FormatError(`"%${letter}" is not a LogFormat directive`, i);
    if (literal !== '') tokens.push({ kind: 'literal', text: literal, position: literalAt });
    literal = '';
    const name = arg === undefined ? letter! : `${arg}${letter}`;
    const token: Token = { kind: 'variable', name, target, position: i };
    if (letter === 't') token.time = arg === undefined ? BRACKETED_CLF_TIME : compileTimeFormat(arg, i);
    tokens.push(token);
    i += whole.length;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal, position: literalAt });
  return tokens;
}

/** Apache's plain `%t`: the CLF time in brackets, `[07/Dec/2026:06:18:16 +0000]` (nginx's `$time_local` has none). */
const BRACKETED_CLF_TIME: TimeFormat = {
  pattern: String.raw`\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`,
  read(b, text) {
    b.timeKind = 'clf';
    b.timeText = text.slice(1, -1);
  },
};

const MONTH_NUMBERS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
type PartSetter = (p: TimeParts, v: string) => void;
const num = (k: keyof TimeParts): PartSetter => (p, v) => {
  p[k] = Number(v);
};
const STRFTIME: Record<string, [string, PartSetter | undefined]> = {
  Y: [String.raw`\d{4}`, num('year')],
  y: [String.raw`\d{2}`, (p, v) => (p.year = 2000 + Number(v))],
  m: [String.raw`\d{2}`, num('month')],
  d: [String.raw`\d{2}`, num('day')],
  e: [String.raw` ?\d{1,2}`, (p, v) => (p.day = Number(v.trim()))],
  H: [String.raw`\d{2}`, num('hour')],
  M: [String.raw`\d{2}`, num('minute')],
  S: [String.raw`\d{2}`, num('second')],
  b: ['[A-Za-z]{3}', (p, v) => (p.month = MONTH_NUMBERS[v.toLowerCase()] ?? Number.NaN)],
  h: ['[A-Za-z]{3}', (p, v) => (p.month = MONTH_NUMBERS[v.toLowerCase()] ?? Number.NaN)],
  B: ['[A-Za-z]+', (p, v) => (p.month = MONTH_NUMBERS[v.slice(0, 3).toLowerCase()] ?? Number.NaN)],
  a: ['[A-Za-z]{3}', undefined],
  A: ['[A-Za-z]+', undefined],
  j: [String.raw`\d{3}`, undefined],
  z: [String.raw`[+-]\d{4}`, (p, v) => (p.zoneMinutes = (v[0] === '-' ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(3))))],
  Z: ['[A-Za-z]{1,5}', undefined],
  s: [String.raw`\d+`, (p, v) => (p.epochMs = Number(v) * 1000)],
};
const STRFTIME_COMPOSITE: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M' };

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Compiles the argument of Apache's `%{format}t`: `sec`, `msec`, `usec` (epoch), `msec_frac`,
 * `usec_frac` (the fraction of the second), optionally prefixed `begin:`/`end:`, or a strftime(3)
 * format of the conversions %Y %y %m %d %e %H %M %S %b %h %B %a %A %j %z %Z %s %T %F %D %R %%.
 * @throws FormatError (at `position`, the directive's) for another conversion.
 */
export function compileTimeFormat(arg: string, position: number): TimeFormat {
  const spec = arg.replace(/^(?:begin|end):/, '');
  const simple: Record<string, [string, PartSetter]> = {
    sec: [String.raw`\d+`, (p, v) => (p.epochMs = Number(v) * 1000)],
    msec: [String.raw`\d+`, (p, v) => (p.epochMs = Number(v))],
    usec: [String.raw`\d+`, (p, v) => (p.epochMs = Math.floor(Number(v) / 1000))],
    msec_frac: [String.raw`\d{3}`, (p, v) => (p.fractionMs = Number(v))],
    usec_frac: [String.raw`\d{6}`, (p, v) => (p.fractionMs = Math.floor(Number(v) / 1000))],
  };
  const pieces: string[] = [];
  const setters: PartSetter[] = [];
  if (simple[spec]) {
    pieces.push(`(${simple[spec][0]})`);
    setters.push(simple[spec][1]);
  } else {
    const expanded = spec.replace(/%([TFDR])/g, (_, c: string) => STRFTIME_COMPOSITE[c]!);
    for (let i = 0; i < expanded.length; i++) {
      const c = expanded[i]!;
      if (c !== '%') {
        pieces.push(escapeRegex(c));
        continue;
      }
      const conv = expanded[++i];
      if (conv === '%') {
        pieces.push('%');
        continue;
      }
      if (conv === 'n' || conv === 't') {
        pieces.push(String.raw`\s`);
        continue;
      }
      const entry = conv === undefined ? undefined : STRFTIME[conv];
      if (!entry) throw new FormatError(`strftime conversion "%${conv ?? ''}" in %{${arg}}t is not supported`, position);
      if (entry[1]) {
        pieces.push(`(${entry[0]})`);
        setters.push(entry[1]);
      } else {
        pieces.push(`(?:${entry[0]})`);
      }
    }
  }
  const capturing = new RegExp(`^${pieces.join('')}$`);
  return {
    pattern: pieces.join('').replace(/\((?!\?)/g, '(?:'),
    read(b, text) {
      const m = capturing.exec(text);
      if (!m) return;
      b.timeKind = 'parts';
      b.timeText = b.timeText === '' ? text : `${b.timeText} ${text}`;
      const parts = (b.parts ??= {});
      for (let i = 0; i < setters.length; i++) setters[i]!(parts, m[i + 1]!);
    },
  };
}

// Escaped quoted content as both servers write it (`\"`, `\\`, `\xHH`), as an unrolled loop.
const QUOTED = String.raw`[^"\\]*(?:\\.[^"\\]*)*`;

interface Capture {
  name: string;
  target: Target;
  setter: Setter;
  quoted: boolean;
  time?: TimeFormat;
}

/** The regex source of each token (variables as one capture group). */
function tokenPatterns(tokens: Token[]): { parts: string[]; captures: Capture[] } {
  const parts: string[] = [];
  const captures: Capture[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'literal') {
      parts.push(escapeRegex(t.text));
      return;
    }
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const quoted = prev?.kind === 'literal' && prev.text.endsWith('"') && next?.kind === 'literal' && next.text.startsWith('"');
    let pattern: string;
    if (quoted) pattern = QUOTED;
    else if (t.time) pattern = t.time.pattern;
    else if (unquotedPattern(t.target)) pattern = unquotedPattern(t.target)!;
    else if (next?.kind === 'literal') pattern = `[^${escapeRegex(next.text[0]!)}]*`;
    else if (next?.kind === 'variable') pattern = '.*?';
    else pattern = '.*';
    parts.push(`(${pattern})`);
    captures.push({ name: t.name, target: t.target, setter: SETTERS[t.target], quoted, time: t.time });
  });
  return { parts, captures };
}

function describe(t: Token): string {
  return t.kind === 'literal' ? `the text \`${t.text}\`` : `the value of ${t.name}`;
}

/**
 * Compiles tokens into a line decoder. `label` names the format in dead-letter reasons. With
 * `trailingFields`, text after the last field (after a space) is ignored, as the combined decoder does
 * for the fields sites append; otherwise a line must end where the format ends.
 * @throws FormatError when the format gives no client address, no time or no status: without them a
 * line cannot become an access event (`source.address`, `@timestamp`, `http.response.status_code`).
 */
export function compileTokens(tokens: Token[], label: string, opts: { trailingFields?: boolean } = {}): LineDecoder {
  const targets = new Set(tokens.flatMap((t) => (t.kind === 'variable' ? [t.target] : [])));
  const missing = [
    targets.has('client') ? undefined : 'a client address ($remote_addr / %h / %a)',
    [...targets].some((t) => t.startsWith('time.')) ? undefined : 'a time ($time_local, $time_iso8601, $msec / %t)',
    targets.has('status') ? undefined : 'a status ($status / %>s)',
  ].filter(Boolean);
  if (missing.length > 0) throw new FormatError(`the format has no ${missing.join(', no ')}`);
  const { parts, captures } = tokenPatterns(tokens);
  const re = new RegExp(`^${parts.join('')}${opts.trailingFields ? String.raw`(?:[ \t].*)?` : '[ \\t]*'}$`);
  const prefixes: (RegExp | undefined)[] = [];
  const explain = (line: string): string => {
    // The longest prefix of the format that the line matches tells where it stopped matching.
    let matched = 0;
    let k = 0;
    for (; k < parts.length; k++) {
      const p = (prefixes[k] ??= new RegExp(`^${parts.slice(0, k + 1).join('')}`));
      const m = p.exec(line);
      if (!m) break;
      matched = m[0].length;
    }
    if (k === parts.length) return `line does not match the ${label} format at column ${matched + 1}: unexpected text after the last field`;
    return `line does not match the ${label} format at column ${matched + 1}: expected ${describe(tokens[k]!)}`;
  };
  return (line: string): DecodedAccessLine => {
    const m = re.exec(line);
    if (!m) throw new DecodeError(line.trim() === '' ? 'empty line' : explain(line));
    const b = newBuilder();
    const escapes = line.includes('\\');
    for (let i = 0; i < captures.length; i++) {
      const c = captures[i]!;
      let v = m[i + 1];
      if (v === undefined) continue;
      if (c.quoted && escapes) v = unescaped(b, v);
      if (c.time) {
        if (v !== '-') c.time.read(b, v);
      } else {
        assign(b, c.target, c.name, v, c.setter);
      }
    }
    return finish(b);
  };
}
