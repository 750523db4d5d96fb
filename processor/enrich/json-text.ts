/**
 * JSON text for the hot serialisation path (the `_bulk` body): pieces that are computed once and
 * reused instead of being re-serialised per document.
 *
 * Why: on Node 20, `JSON.stringify` costs about 1.7 ns per output character plus ~50 ns per property;
 * for a 1,400-byte access-log document that was the largest single cost of the per-record path. Most of
 * those bytes repeat: a client's GeoIP fields, a user agent's parsed fields, the `data_stream` object.
 */

/** Where a shared, immutable object keeps its own JSON (a symbol: `JSON.stringify` and structured clone skip it). */
const JSON_TEXT = Symbol('json text');

/**
 * Attaches `JSON.stringify(o)` to `o` and returns `o`. For objects that are shared between documents
 * and never mutated afterwards (cached GeoIP and user-agent results, one batch's `data_stream`).
 * A structured clone (worker threads) drops it, and `objectJson` then serialises the clone.
 */
export function withJsonText<T extends object>(o: T): T {
  Object.defineProperty(o, JSON_TEXT, { value: JSON.stringify(o) });
  return o;
}

/** `JSON.stringify(o)`, taken from the text `withJsonText` attached when there is one. */
export function objectJson(o: object): string {
  return (o as { [JSON_TEXT]?: string })[JSON_TEXT] ?? JSON.stringify(o);
}

// What JSON.stringify would escape or rewrite: quote, backslash, control characters, and surrogates
// (a lone one becomes `\udXXX`; valid pairs are left alone by it, but are rare enough to take the slow path).
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string, without the escaping pass when `s` has nothing to escape. */
export function stringJson(s: string): string {
  return NEEDS_ESCAPING.test(s) ? JSON.stringify(s) : `"${s}"`;
}

// Keys are few and repeat: each one's JSON is computed once (bounded, for user-chosen label keys).
const KEY_JSON = new Map<string, string>();
/** `JSON.stringify(k)` for an object key, cached. */
export function keyJson(k: string): string {
  let text = KEY_JSON.get(k);
  if (text === undefined) {
    text = JSON.stringify(k);
    if (KEY_JSON.size < 1024) KEY_JSON.set(k, text);
  }
  return text;
}
