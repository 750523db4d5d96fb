import { DecodeError } from '../types.js';

/**
 * Parses one raw news record (a file line or a Kafka message value): one JSON object, e.g.
 * `{"@timestamp":"2026-11-21T14:03:00.000Z","id":"…","headline":"…","source":"Reuters","url":"…","tickers":["ACME"]}`.
 * The object is returned as parsed; `schema.ts` validates its fields.
 * @throws DecodeError for an empty line, text that is not JSON, or JSON that is not an object
 *   (array, string, number, `null`). The reason names which, not the engine's parser message, so
 *   dead letters read the same on every Node.js version.
 */
export function decodeNewsLine(raw: string): unknown {
  if (raw.trim() === '') throw new DecodeError('empty line');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DecodeError('not valid JSON (expected one JSON object per line)');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new DecodeError(`not a JSON object (got ${kind})`);
  }
  return value;
}
