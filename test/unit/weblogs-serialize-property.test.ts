/**
 * Property test of the weblogs serialiser: for documents enrich built (combined and configured formats)
 * changed in any of the ways a later step or a bug could change them — a key added at any depth, a value
 * made `undefined`, `NaN` or `Infinity`, a key removed, a string with characters to escape, tags added
 * after enrichment — `accessDocumentJson` writes exactly the bytes `JSON.stringify` writes; with and
 * without the raw line in `event.original` (`--keep-original`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createEnrichContext } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { accessDocumentJson } from '../../processor/datasets/weblogs/serialize.js';
import { registerInputs } from '../../processor/inputs/settings.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const golden = (name: string): string[] => readFileSync(path.join(repo, 'test/golden/weblogs', name), 'utf8').split('\n').filter((l) => l !== '');

let bases: Record<string, unknown>[] = [];

beforeAll(async () => {
  const ctx = await createEnrichContext();
  const records: SourceRecord[] = [];
  for (const name of ['access', 'escapes', 'nginx-main', 'nginx-json', 'apache-vhost']) {
    const settingsFile = path.join(repo, 'test/golden/weblogs', `${name}.input.json`);
    let input: string | undefined;
    try {
      registerInputs([{ ...JSON.parse(readFileSync(settingsFile, 'utf8')), id: `prop-${name}`, dataset: 'weblogs', paths: [] }]);
      input = `prop-${name}`;
    } catch {
      input = undefined; // combined: no settings file
    }
    golden(`${name}.log`).forEach((raw, n) =>
      records.push({ dataset: 'weblogs', raw, ...(input ? { input } : {}), position: { kind: 'file', path: name, fileId: 'f', generation: 0, offset: n, nextOffset: n + 1 } }),
    );
  }
  // Both document shapes: without the raw line (the default) and with it in `event.original` (--keep-original).
  const kept = transformBatch(records, { ...ctx, keepOriginal: true }, 'default').docs;
  for (const d of kept) expect((d.body.event as { original?: string }).original).toBe(d.record.raw);
  bases = [...transformBatch(records, ctx, 'default').docs.map((d) => d.body), ...kept.map((d) => d.body)];
});

/** Every object path of a document (`[]` is the document itself). */
function objectPaths(o: Record<string, unknown>, at: string[] = []): string[][] {
  const out = [at];
  for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...objectPaths(v as Record<string, unknown>, [...at, k]));
  return out;
}

/** A deep copy that keeps key order (structuredClone would too, but it drops nothing we rely on here). */
const copy = (o: Record<string, unknown>): Record<string, unknown> => structuredClone(o);

const oddValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(null),
  fc.integer(),
  fc.string(),
  fc.constant('quote " backslash \\ control \u0001 line\u2028 surrogate \ud800'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)), { maxKeys: 3 }),
);

type Mutation = { kind: 'set' | 'delete' | 'move'; pathPick: number; key: string; keyPick: number; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<'set' | 'delete' | 'move'>('set', 'set', 'delete', 'move'),
  pathPick: fc.nat(),
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('tags', 'duration', 'original', 'message', 'port', 'ip', 'geo', 'bytes', 'id', 'crawler', 'name', 'offset', 'status_code')),
  keyPick: fc.nat(),
  value: oddValue,
});

function apply(doc: Record<string, unknown>, m: Mutation): void {
  const paths = objectPaths(doc);
  const p = paths[m.pathPick % paths.length]!;
  let target: Record<string, unknown> = doc;
  for (const k of p) target = target[k] as Record<string, unknown>;
  const keys = Object.keys(target);
  if (m.kind === 'delete') {
    if (keys.length > 0) delete target[keys[m.keyPick % keys.length]!];
    return;
  }
  if (m.kind === 'move') {
    // deleted and set again: the same key and value, now last in its object
    if (keys.length === 0) return;
    const key = keys[m.keyPick % keys.length]!;
    const value = target[key];
    delete target[key];
    target[key] = value;
    return;
  }
  // half the time an existing key gets the odd value, else a new (or named) key does
  const key = m.keyPick % 2 === 0 && keys.length > 0 ? keys[m.keyPick % keys.length]! : m.key;
  target[key] = m.value;
}

describe('accessDocumentJson writes the bytes JSON.stringify writes, whatever the document became', () => {
  it('for documents as enrich built them', () => {
    expect(bases.length).toBeGreaterThan(30);
    for (const b of bases) expect(accessDocumentJson(b)).toBe(JSON.stringify(b));
  });

  it('for documents changed at any depth (fast-check)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        const doc = copy(bases[pick % bases.length]!);
        for (const m of mutations) apply(doc, m);
        expect(accessDocumentJson(doc)).toBe(JSON.stringify(doc));
      }),
      { numRuns: 20_000 },
    );
  });

  it('for tags added after enrichment, before or after the input fields', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.string(), { maxLength: 3 }), fc.boolean(), (pick, tags, reassign) => {
        const doc = copy(bases[pick % bases.length]!);
        if (reassign) doc.tags = [...((doc.tags as string[] | undefined) ?? []), ...tags];
        else {
          delete doc.tags;
          doc.tags = tags;
        }
        expect(accessDocumentJson(doc)).toBe(JSON.stringify(doc));
      }),
      { numRuns: 500 },
    );
  });
});
