/**
 * The weblogs dataset's formats: how an input's `format` setting becomes the function that decodes its
 * lines. Compiled once per distinct format string (cached), on the main thread and in each worker.
 *
 * | `format` | lines |
 * | --- | --- |
 * | `combined` (default), `common` | Apache/nginx combined or common log format (the hand-tuned decoder in decode.ts; trailing extra fields ignored) |
 * | `vhost_combined` | Apache's `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"` (trailing extra fields ignored) |
 * | `nginx:<log_format>` | the format string of an nginx `log_format`, or the whole directive as in nginx.conf (`log_format main '…' '…';`, `escape=json` included) |
 * | `apache:<LogFormat>` | the format string of an Apache `LogFormat`, or the whole directive (`LogFormat "…" nickname`) |
 * | `json` | JSON lines whose keys are nginx variable names (json.ts) |
 * | `auto` | each line tried as JSON, combined/common and vhost_combined, the last format that matched first |
 *
 * A format whose text is a JSON object is read as JSON lines keyed by its template (json.ts).
 */
import { decodeAccessLine, type DecodedAccessLine } from '../decode.js';
import { DecodeError } from '../../types.js';
import { FormatError, compileTokens, tokenizeApache, tokenizeNginx, type LineDecoder, type Token } from './compile.js';
import { jsonByVariableName, jsonTemplate } from './json.js';

export { FormatError, type LineDecoder } from './compile.js';

/** Apache's stock `vhost_combined` (Debian's apache2.conf). */
export const VHOST_COMBINED = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"';

/** The format names `auto` tries, in order (after the last one that matched). */
export const AUTO_CANDIDATES = ['json', 'combined', 'vhost_combined'] as const;

/** The words `format` may be besides `nginx:…` and `apache:…`. */
export const NAMED_FORMATS = ['combined', 'common', 'vhost_combined', 'json', 'auto'] as const;

/**
 * The format text of an nginx `log_format` directive as pasted from nginx.conf: its quoted strings
 * concatenated (`log_format main '$a' '"$b"';` → `$a"$b"`), with its `escape=` parameter. Text that
 * is not a directive is returned as it is.
 * @throws FormatError for a directive without a quoted format string.
 */
export function nginxFormatText(spec: string): { text: string; escape: string } {
  const s = spec.trim();
  if (!/^log_format\s/.test(s)) return { text: spec, escape: 'default' };
  const body = s.replace(/^log_format\s+\S+\s*/, '');
  const escape = /^escape=(\w+)\s*/.exec(body);
  const rest = escape ? body.slice(escape[0].length) : body;
  const pieces = [...rest.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/\\(['"\\])/g, '$1'));
  if (pieces.length === 0) throw new FormatError('log_format directive without a quoted format string');
  return { text: pieces.join(''), escape: escape?.[1] ?? 'default' };
}

/**
 * The format text of an Apache `LogFormat`/`CustomLog` directive as pasted from its config
 * (`LogFormat "%h \"%r\"" nick` → `%h "%r"`), or of a format string still in its config quoting
 * (`\"` inside). Plain format text is returned as it is.
 */
export function apacheFormatText(spec: string): string {
  const s = spec.trim();
  const directive = /^(?:LogFormat|CustomLog\s+\S+)\s+"((?:[^"\\]|\\.)*)"/.exec(s);
  const text = directive ? directive[1]! : s;
  return directive || text.includes('\\"') ? text.replace(/\\(["\\])/g, '$1').replace(/\\t/g, '\t') : spec;
}

function fromTokens(tokens: Token[], text: string, label: string): LineDecoder {
  if (text.trim().startsWith('{')) {
    compileTokens(tokens, label); // the same checks: an address, a time and a status
    return jsonTemplate(tokens);
  }
  return compileTokens(tokens, label);
}

/** `format` compiled (uncached). @throws FormatError for an unknown name or a format that cannot be compiled. */
function compile(format: string): LineDecoder {
  if (format === 'combined' || format === 'common') return decodeAccessLine;
  // Like combined, the stock format ignores fields a site appends after it.
  if (format === 'vhost_combined') return compileTokens(tokenizeApache(VHOST_COMBINED), 'vhost_combined', { trailingFields: true });
  if (format === 'json') return jsonByVariableName();
  if (format.startsWith('nginx:')) {
    const { text } = nginxFormatText(format.slice(6));
    return fromTokens(tokenizeNginx(text), text, 'nginx log_format');
  }
  if (format.startsWith('apache:')) {
    const text = apacheFormatText(format.slice(7));
    return fromTokens(tokenizeApache(text), text, 'Apache LogFormat');
  }
  throw new FormatError(`unknown weblogs format "${format}" (expected ${NAMED_FORMATS.join(', ')}, nginx:<log_format> or apache:<LogFormat>)`);
}

const compiled = new Map<string, LineDecoder>();

/**
 * The decoder of `format` (undefined: `combined`), compiled once and cached.
 * @throws FormatError naming the problem and its position in the format text.
 */
export function formatDecoder(format: string | undefined, inputId?: string): LineDecoder {
  const name = format ?? 'combined';
  // `auto` keeps state (the format of the last line), so each input gets its own.
  const key = name === 'auto' ? `auto\0${inputId ?? ''}` : name;
  let d = compiled.get(key);
  if (!d) {
    d = name === 'auto' ? autoDecoder(inputId) : compile(name);
    compiled.set(key, d);
  }
  return d;
}

/** Called when `auto` decodes a line with another format than the line before (the processor logs it). */
let onAutoChoice: ((format: string, inputId: string | undefined) => void) | undefined;
/** Sets the listener told which format `auto` chose for which input (one call per change of format). */
export function onAutoFormatChoice(listener: ((format: string, inputId: string | undefined) => void) | undefined): void {
  onAutoChoice = listener;
}

/**
 * `auto`: every line is tried as JSON (when it starts with `{`), combined/common and vhost_combined,
 * the format of the previous line first, so a file of one format costs one attempt per line. The
 * first line that decodes, and every later change of format, is reported to `onAutoFormatChoice`.
 * @throws DecodeError naming every format tried when none matches.
 */
function autoDecoder(inputId: string | undefined): LineDecoder {
  const decoders = AUTO_CANDIDATES.map((name) => [name, formatDecoder(name)] as const);
  let last = -1;
  return (line: string): DecodedAccessLine => {
    if (last >= 0 && (decoders[last]![0] !== 'json' || line.startsWith('{'))) {
      try {
        return decoders[last]![1](line);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }
    for (let i = 0; i < decoders.length; i++) {
      if (i === last) continue;
      const [name, decode] = decoders[i]!;
      if (name === 'json' && !line.trimStart().startsWith('{')) continue;
      try {
        const d = decode(line);
        if (i !== last) onAutoChoice?.(name, inputId);
        last = i;
        return d;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }
    throw new DecodeError(line.trim() === '' ? 'empty line' : `not an access-log line in any known format (tried ${AUTO_CANDIDATES.join(', ')})`);
  };
}
