import { SYMBOLS, type SymbolEntry } from './symbols.js';

/**
 * Cashtags: `$` + 1–6 letters, optionally a share class after a dot (`$BRK.B`), not glued to a
 * preceding word or `$`, and not followed by a letter or digit. `$5` and `$1.2bn` are amounts, not
 * cashtags. The result is upper-cased (`$aapl` → `AAPL`).
 */
const CASHTAG = /(?<![\p{L}\p{N}_$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\p{L}\p{N}_])/gu;

/** Tickers of the cashtags in `text`, upper-cased, in order of appearance, with repeats. */
export function extractCashtags(text: string): string[] {
  return [...text.matchAll(CASHTAG)].map((m) => m[1]!.toUpperCase());
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A matcher for company names: one alternation of every name variant (longest first, so
 * "Apple Inc." wins over "Apple"), case-sensitive, bounded by anything that is not a letter, digit,
 * `_` or `&` ("AT&T" is not "AT"; "Apple's" and "Apple-backed" are Apple).
 */
export function createNameMatcher(symbols: readonly SymbolEntry[] = SYMBOLS): (text: string) => string[] {
  const byName = new Map<string, string>();
  for (const s of symbols) for (const n of s.names) byName.set(n, s.ticker);
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return () => [];
  const re = new RegExp(`(?<![\\p{L}\\p{N}_&])(?:${names.map(escape).join('|')})(?![\\p{L}\\p{N}_&])`, 'gu');
  return (text) => [...text.matchAll(re)].map((m) => byName.get(m[0])!);
}

const matchNames = createNameMatcher();

/** Tickers of the company names from `SYMBOLS` found in `text`, in order of appearance, with repeats. */
export function extractCompanyTickers(text: string): string[] {
  return matchNames(text);
}

/**
 * Every ticker a headline refers to: its cashtags, the companies it names (symbol table), and the
 * record's own `tickers` field, upper-cased, trimmed, deduplicated and sorted (code-unit order).
 */
export function extractTickers(headline: string, given: readonly string[] = []): string[] {
  const all = [...extractCashtags(headline), ...extractCompanyTickers(headline), ...given.map((t) => t.trim().toUpperCase())];
  return [...new Set(all.filter((t) => t.length > 0))].sort();
}
