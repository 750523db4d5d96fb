/**
 * Event timestamps inside recorded lines: read them (for `--speed`) and shift them in place (for
 * `--rebase-to-now`), touching nothing else in the line.
 *
 * - `weblogs`: the first `[dd/Mon/yyyy:HH:mm:ss ±zzzz]` of the line (Apache `%t`, strftime
 *   `%d/%b/%Y:%H:%M:%S %z`, English month abbreviations). Second precision. A shifted stamp is
 *   rendered in the line's own zone offset (`+0200` stays `+0200`).
 * - `news`, `ticks`: the string value of the first `"@timestamp"` key of the JSON text, ISO-8601
 *   `YYYY-MM-DDTHH:mm:ss[.fraction](Z|±hh:mm|±hhmm)`. A shifted stamp keeps its zone designator and
 *   its number of fraction digits (digits below the millisecond are kept as they are); if the shift
 *   has a millisecond part the stamp cannot show, 3 fraction digits are written so the gap stays exact.
 *   The rest of the JSON text — key order, spacing, other fields — is kept byte for byte.
 *
 * Timestamps without a zone, impossible dates (31 Feb) and lines without a stamp give null.
 *
 * @module scripts/replay/timestamps
 */
import type { DatasetName } from '../../generators/kafka/datasets.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTH_INDEX: ReadonlyMap<string, number> = new Map(MONTHS.map((m, i) => [m, i]));

/** A located event timestamp: instant and where its text is in the line. */
export interface LocatedTimestamp {
  /** Epoch ms. */
  ms: number;
  /** Character range of the timestamp text in the line: [start, end). */
  start: number;
  end: number;
  /** Renders the instant `ms` in the same textual form (zone, precision) as the original. */
  render(ms: number): string;
}

const CLF_RE = /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]/;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Checks that y-mo-d h:mi:s is a real calendar time (Date.UTC would roll 31 Feb over). */
function realTime(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  if (mo < 0 || mo > 11 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo, d, h, mi, Math.min(s, 59));
  const t = new Date(ms);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo || t.getUTCDate() !== d) return null;
  return ms;
}

/** Locates the `%t` stamp of a combined-format line. */
export function locateCombinedTimestamp(line: string): LocatedTimestamp | null {
  const m = CLF_RE.exec(line);
  if (!m) return null;
  const mo = MONTH_INDEX.get(m[2] as string);
  if (mo === undefined) return null;
  const local = realTime(Number(m[3]), mo, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (local === null) return null;
  const sign = m[7] === '-' ? -1 : 1;
  const offsetMs = sign * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  const zone = `${m[7]}${m[8]}${m[9]}`;
  const start = m.index + 1; // inside the brackets
  return {
    ms: local - offsetMs,
    start,
    end: m.index + m[0].length - 1,
    render(ms: number): string {
      const t = new Date(ms + offsetMs);
      return `${two(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${zone}`;
    },
  };
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an ISO-8601 date-time with zone designator into a located stamp over `[start, start+text.length)`.
 * @returns null when the text is not such a date-time.
 */
export function parseIsoTimestamp(text: string, start = 0): LocatedTimestamp | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const local = realTime(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (local === null || Number(m[1]) < 1) return null;
  const frac = m[7] ?? '';
  const msDigits = Number((frac + '000').slice(0, 3));
  const subMs = frac.length > 3 ? frac.slice(3) : '';
  const zone = m[8] as string;
  let offsetMs = 0;
  if (zone !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone) as RegExpExecArray;
    offsetMs = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3])) * 60_000;
  }
  return {
    ms: local + msDigits - offsetMs,
    start,
    end: start + text.length,
    render(ms: number): string {
      const t = new Date(ms + offsetMs);
      const y = t.getUTCFullYear();
      const base = `${String(y).padStart(4, '0')}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}T${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
      const ms3 = String(t.getUTCMilliseconds()).padStart(3, '0');
      let fraction: string;
      if (frac.length >= 3) fraction = ms3 + subMs;
      else if (Number(ms3.slice(frac.length)) === 0) fraction = ms3.slice(0, frac.length);
      else fraction = ms3;
      return `${base}${fraction ? `.${fraction}` : ''}${zone}`;
    },
  };
}

const JSON_TS_RE = /"@timestamp"\s*:\s*"([^"\\]*)"/;

/** Locates the `@timestamp` value of a JSON line (see the module documentation). */
export function locateJsonTimestamp(line: string): LocatedTimestamp | null {
  const m = JSON_TS_RE.exec(line);
  if (!m) return null;
  const value = m[1] as string;
  const start = m.index + m[0].length - 1 - value.length;
  return parseIsoTimestamp(value, start);
}

/** The event timestamp of a line of `dataset`, or null. */
export function locateTimestamp(dataset: DatasetName, line: string): LocatedTimestamp | null {
  return dataset === 'weblogs' ? locateCombinedTimestamp(line) : locateJsonTimestamp(line);
}

/** Event time of a line in epoch ms, or null when it has none. */
export function eventTimeOf(dataset: DatasetName, line: string): number | null {
  return locateTimestamp(dataset, line)?.ms ?? null;
}

/**
 * The line with its event timestamp moved by `shiftMs` (and nothing else changed), or null when it
 * has none. For `weblogs` the stamp has second precision: callers shift by whole seconds to keep
 * gaps exact (a sub-second part is truncated, as httpd truncates).
 */
export function shiftTimestamp(dataset: DatasetName, line: string, shiftMs: number): string | null {
  const ts = locateTimestamp(dataset, line);
  if (!ts) return null;
  return line.slice(0, ts.start) + ts.render(ts.ms + shiftMs) + line.slice(ts.end);
}

/** Shift granularity of a dataset's stamps: 1000 ms for `weblogs`, 1 ms for the JSON datasets. */
export function shiftGranularityMs(dataset: DatasetName): number {
  return dataset === 'weblogs' ? 1000 : 1;
}
