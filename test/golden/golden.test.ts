/**
 * Golden tests, one folder per dataset: every `*.log` input beside the exact output it must produce
 * (`*.expected.ndjson`: one line per input line, or per entry for a dataset with multi-line entries,
 * the document or the dead letter), read with the input settings of `*.input.json` when there is one
 * (a configured format: weblogs/generate-formats.ts makes those inputs with the real servers). A change in output
 * is a visible diff. Regenerate after an intended change with `UPDATE_GOLDEN=1 npm test -- golden`
 * and review the diff.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, beforeAll } from '@jest/globals';
import { createEnrichContext } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { readLines } from '../../processor/sources/line-reader.js';
import type { EnrichContext } from '../../processor/datasets/types.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { getDataset } from '../../processor/datasets/registry.js';
import { registerInputs, type InputSettings } from '../../processor/inputs/settings.js';

const root = path.dirname(new URL(import.meta.url).pathname);
const fixedNow = new Date('2026-01-01T00:00:00.000Z');

async function render(dataset: string, file: string, ctx: EnrichContext): Promise<string> {
  const records: SourceRecord[] = [];
  // `<name>.input.json` beside `<name>.log`: the input settings it is read with (format, trusted proxies, tags…).
  const settingsFile = file.replace(/\.log$/, '.input.json');
  const input = existsSync(settingsFile) ? `golden-${dataset}-${path.basename(file, '.log')}` : undefined;
  if (input) registerInputs([{ ...(JSON.parse(readFileSync(settingsFile, 'utf8')) as Partial<InputSettings>), id: input, dataset, paths: [file] }]);
  const size = statSync(file).size;
  const rel = path.relative(root, file);
  // A dataset with multi-line entries gets them as the file source joins them: a line not matching
  // `multilineStart` continues the record before it (with `\n`).
  const start = getDataset(dataset).multilineStart;
  for await (const line of readLines(file, 0, size)) {
    const last = records[records.length - 1];
    if (start && last?.position.kind === 'file' && !start.test(line.text)) {
      last.raw += '\n' + line.text;
      last.position.nextOffset = line.nextOffset;
      continue;
    }
    records.push({
      dataset,
      ...(input ? { input } : {}),
      raw: line.text,
      position: { kind: 'file', path: rel, fileId: 'golden', generation: 0, offset: line.offset, nextOffset: line.nextOffset },
    });
  }
  const { docs, deadLetters } = transformBatch(records, ctx, 'default');
  const out = new Map<SourceRecord, unknown>();
  for (const d of docs) out.set(d.record, { _index: d.index, _id: d.id, _source: d.body });
  for (const l of deadLetters) out.set(l.record, { dead_letter: { stage: l.stage, reason: l.reason }, raw: l.record.raw });
  return records.map((r) => JSON.stringify(out.get(r))).join('\n') + '\n';
}

describe('golden: input → exact documents', () => {
  let ctx: EnrichContext;
  beforeAll(async () => {
    ctx = { ...(await createEnrichContext()), now: () => fixedNow };
  });

  const datasets = readdirSync(root).filter((d) => statSync(path.join(root, d)).isDirectory());
  for (const dataset of datasets) {
    const inputs = readdirSync(path.join(root, dataset)).filter((f) => f.endsWith('.log'));
    for (const input of inputs) {
      it(`${dataset}/${input}`, async () => {
        const file = path.join(root, dataset, input);
        const expectedFile = file.replace(/\.log$/, '.expected.ndjson');
        const actual = await render(dataset, file, { ...ctx, state: new Map() }); // stateful datasets start fresh per file
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
        // A missing expected file fails: writing it here would make the test pass on whatever the code produced.
        if (!existsSync(expectedFile)) throw new Error(`${expectedFile} is missing; generate it with UPDATE_GOLDEN=1 and review it`);
        const expected = readFileSync(expectedFile, 'utf8');
        expect(actual.split('\n')).toEqual(expected.split('\n'));
      });
    }
  }
});
