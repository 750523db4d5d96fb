#!/usr/bin/env node
/** `npm run backfill -- --from-archive DIR --from T1 --to T2 [--es-url URL] [--es-ca FILE] [--es-api-key KEY | --es-username U] [--namespace NS]` */
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { addEsConnectionOptions, esConnectionFromOptions, type EsConnectionOptionValues } from '../../processor/elasticsearch/connection.js';
import { createLogger } from '../../processor/observability/logger.js';
import { backfill, isDirectory, parseTime } from './backfill.js';

const time = (v: string): number => {
  try {
    return parseTime(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const program = new Command('backfill')
  .description(
    'Re-index archived documents whose @timestamp is in [--from, --to) from the batch-layer archive into ' +
      'their data stream (or the same dataset in --namespace), with create and the stored _id: running it ' +
      'twice adds nothing (409s count as duplicates). Prints a JSON summary.',
  )
  .requiredOption('--from-archive <dir>', 'archive root written by `npm run process -- --archive-dir <dir>`')
  .requiredOption('--from <time>', 'start, inclusive: ISO 8601, YYYY-MM-DD (UTC) or epoch ms', time)
  .requiredOption('--to <time>', 'end, exclusive: ISO 8601, YYYY-MM-DD (UTC) or epoch ms', time)
  .option('--namespace <name>', 'write into {type}-{dataset}-<name> instead of the stored data stream')
  .option('--batch-size <docs>', 'documents per bulk batch', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
    return n;
  }, 5000)
  .option('--quiet', 'no progress bar')
  .showHelpAfterError();
addEsConnectionOptions(program);

program.parse();
const o = program.opts<EsConnectionOptionValues & { fromArchive: string; from: number; to: number; namespace?: string; batchSize: number; quiet?: boolean }>();
if (o.from >= o.to) program.error('error: --from must be before --to');
if (!(await isDirectory(o.fromArchive))) program.error(`error: ${o.fromArchive} is not a directory`);

const log = createLogger('backfill');
let bar: cliProgress.SingleBar | undefined;
try {
  const summary = await backfill({
    archiveDir: o.fromArchive,
    from: o.from,
    to: o.to,
    es: esConnectionFromOptions(o),
    namespace: o.namespace,
    batchSize: o.batchSize,
    log,
    onProgress:
      !o.quiet && process.stderr.isTTY
        ? (p) => {
            if (!bar) {
              bar = new cliProgress.SingleBar(
                { stream: process.stderr, format: 'backfill |{bar}| {value}/{total} files | {documents} docs | {indexed} indexed | {duplicates} duplicates | {duration_formatted}', hideCursor: false, fps: 5 },
                cliProgress.Presets.shades_classic,
              );
              bar.start(Math.max(1, p.filesTotal), 0, { documents: 0, indexed: 0, duplicates: 0 });
            }
            bar.update(p.files, { documents: p.documents, indexed: p.indexed, duplicates: p.duplicates });
          }
        : undefined,
  });
  bar?.stop();
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(0);
} catch (err) {
  bar?.stop();
  log.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
}
