import { DecodeError } from './types.js';

/**
 * Parses one raw record that must be a single JSON object (a file line or a Kafka message value), the
 * raw form of the `news` and `ticks` datasets. The object is returned as parsed; the dataset's zod
 * schema validates its fields.
 * @throws DecodeError for an empty line, text that is not JSON, or JSON that is not an object
 *   (array, string, number, `null`). The reason names which, not the engine's parser message, so
 *   dead letters read the same on every Node.js version.
 */
export function decodeJsonObject(raw: string): Record<string, unknown> {
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
  return value as Record<string, unknown>;
}
