/**
 * `npm run kibana:generate`: writes `kibana/saved-objects.ndjson` from the typed definitions.
 * `--check` writes nothing and exits 1 when the committed file differs from a fresh generation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildSavedObjects, NDJSON_PATH, toNdjson } from './saved-objects.js';

const program = new Command('kibana:generate')
  .description('Generate kibana/saved-objects.ndjson (Kibana 8.x saved objects) from the typed definitions in kibana/.')
  .option('--check', 'do not write; exit 1 if the committed file is not what generation produces')
  .option('--out <file>', 'write here instead of kibana/saved-objects.ndjson', NDJSON_PATH)
  .action((o: { check?: boolean; out: string }) => {
    const objects = buildSavedObjects();
    const text = toNdjson(objects);
    if (o.check) {
      let current = '';
      try {
        current = readFileSync(o.out, 'utf8');
      } catch {
        // missing file: differs
      }
      if (current !== text) {
        console.error(`${o.out} is out of date: run npm run kibana:generate`);
        process.exit(1);
      }
      console.log(`${o.out} is up to date (${objects.length} objects)`);
      return;
    }
    writeFileSync(o.out, text);
    const counts = new Map<string, number>();
    for (const obj of objects) counts.set(obj.type, (counts.get(obj.type) ?? 0) + 1);
    console.log(`wrote ${o.out}: ${objects.length} objects (${[...counts].map(([t, n]) => `${n} ${t}`).join(', ')})`);
  });

program.parse();
