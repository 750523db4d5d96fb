/// <reference lib="dom" />
/**
 * Number, byte, percent and time formatting for the page (browser locale, browser time zone).
 */

const nf0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const nf2 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** 12,345 */
export const int = (n: number): string => nf0.format(n);
/** 12.35 */
export const dec2 = (n: number): string => nf2.format(n);
/** 12.3K */
export const short = (n: number): string => compact.format(n);

/** 1.2 MB (decimal units, as Kibana's bytes format). */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? nf0.format(v) : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** 12.3 % from a 0–1 share; `signed` adds + for gains. */
export function pct(share: number, digits = 1, signed = false): string {
  const s = (share * 100).toFixed(digits);
  return `${signed && share > 0 ? '+' : ''}${s} %`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `2015-05-17 10:05:03` in the browser's zone. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Axis label for a bucket start: time only within a day, date and time otherwise. */
export function axisTime(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (spanMs <= 86_400_000) return hm;
  const md = `${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return spanMs > 20 * 86_400_000 ? `${d.getFullYear()}-${md}` : `${md} ${hm}`;
}

/** `5 min`, `1 h`, `1 d` for an interval in ms. */
export function interval(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Escapes text for `innerHTML`. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `url` when it is an absolute http(s) URL, else undefined: a link from the data never runs `javascript:` or opens `data:`. */
export function webUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
