/**
 * A copy of `s` that shares no memory with the string it was cut from, for strings a long-lived cache
 * keeps. Why: V8 represents a substring of 13 or more characters (a regex capture, `slice`, `split`,
 * `trim`) as a view into its parent, so a cached key or value cut from a log line keeps the whole line
 * (up to 1 MiB) alive: a cache of 8,192 such entries could hold gigabytes where the entries themselves
 * are a few MB. Concatenating makes a new string, and slicing it flattens that into a fresh copy of just
 * these characters. Shorter substrings are copies already. Costs a copy: for cache misses, not hits.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}
