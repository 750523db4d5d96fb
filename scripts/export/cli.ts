/**
 * `npm run export:s3 -- snapshot|restore|archive`: Elasticsearch snapshots of the data streams into
 * a snapshot repository (S3 with the compose stack, `fs` with the local stack), their restore, and the
 * upload of the archive partition files to an S3 bucket. See scripts/export/snapshot.ts and
 * scripts/export/archive.ts, and README "S3 export and snapshots".
 *
 * Exit codes: 0 on success, 1 on errors, 2 for invalid usage.
 *
 * @module scripts/export/cli
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addEsConnectionOptions, createEsClient, esConnectionFromOptions, explainedEsError, type EsConnectionOptionValues } from '../../processor/elasticsearch/connection.js';
import { DEFAULT_PART_SIZE, MIN_PART_SIZE, uploadArchive } from './archive.js';
import { DEFAULT_INDICES, DEFAULT_REPOSITORY, defaultSnapshotName, ensureRepository, restoreSnapshot, takeSnapshot, type RepositorySpec } from './snapshot.js';

function positiveInt(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected ${what} as a positive integer`);
    return n;
  };
}

/** `8388608`, `8m`, `8MiB`, `16M` → bytes. */
function byteSize(value: string): number {
  const m = /^(\d+)\s*(k|m|g)?(i?b)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 8388608, 8m or 16MiB');
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * mult;
  if (n < MIN_PART_SIZE) throw new InvalidArgumentError(`part size must be at least 5 MiB (${MIN_PART_SIZE}), S3's minimum part`);
  return n;
}

interface RepoOptions extends EsConnectionOptionValues {
  repository: string;
  type: 'fs' | 's3';
  location?: string;
  bucket?: string;
  basePath?: string;
  client?: string;
  endpoint?: string;
}

function repositorySpec(o: RepoOptions): RepositorySpec {
  if (o.type === 'fs') return { type: 'fs', location: o.location ?? 'rtas' };
  if (!o.bucket) throw new InvalidArgumentError('--type s3 needs --bucket');
  if (o.endpoint) {
    process.stderr.write(
      `note: --endpoint ${o.endpoint} is not a repository setting in Elasticsearch 8; the node's s3.client.${o.client ?? 'default'}.endpoint ` +
        '(elasticsearch.yml or -E, set by the compose file to minio:9000) decides where S3 is\n',
    );
  }
  return { type: 's3', bucket: o.bucket, ...(o.basePath ? { basePath: o.basePath } : {}), ...(o.client ? { client: o.client } : {}) };
}

function addRepoOptions(cmd: Command): Command {
  return addEsConnectionOptions(cmd)
    .option('--repository <name>', 'snapshot repository name', DEFAULT_REPOSITORY)
    .addOption(new Option('--type <type>', 'repository type: fs (local stack) or s3 (compose stack, AWS)').choices(['fs', 's3']).default('fs'))
    .option('--location <dir>', 'fs: directory, absolute or relative to the node\'s path.repo', 'rtas')
    .option('--bucket <bucket>', 's3: bucket')
    .option('--base-path <prefix>', 's3: prefix inside the bucket')
    .option('--client <name>', 's3: the node\'s s3.client.<name> settings to use (default: default)')
    .option('--endpoint <url>', 's3: only a reminder; the endpoint is a node setting (s3.client.default.endpoint)');
}

export function buildProgram(): Command {
  const program = new Command('export:s3')
    .description('Snapshots of the data streams to S3 (or a local fs repository), restore, and archive upload to S3')
    .exitOverride()
    .showHelpAfterError();

  addRepoOptions(
    program
      .command('snapshot')
      .description('register the repository (idempotent), snapshot the data streams without global state, wait, print what was taken'),
  )
    .option('--indices <pattern>', 'data streams / indices', DEFAULT_INDICES)
    .option('--snapshot <name>', 'snapshot name (default rtas-<date>-<time>z)')
    .action(async (o: RepoOptions & { indices: string; snapshot?: string }) => {
      const conn = esConnectionFromOptions(o);
      const es = createEsClient(conn);
      try {
        const repo = await ensureRepository(es, o.repository, repositorySpec(o));
        process.stderr.write(`repository ${o.repository} (${o.type}): ${repo}\n`);
        const result = await takeSnapshot(es, o.repository, o.snapshot ?? defaultSnapshotName(), o.indices);
        process.stdout.write(`${JSON.stringify({ repositoryState: repo, ...result })}\n`);
      } catch (err) {
        throw explainedEsError(err, conn);
      } finally {
        await es.close();
      }
    });

  addRepoOptions(program.command('restore').description('restore the data streams of a snapshot (without global state), waiting for the shards'))
    .requiredOption('--snapshot <name>', 'snapshot to restore')
    .option('--indices <pattern>', 'data streams / indices to restore', DEFAULT_INDICES)
    .option('--rename-suffix [suffix]', 'restore every data stream as <name><suffix> (default suffix "restored"), next to the original')
    .option('--no-register', 'do not register the repository first (it exists already)')
    .action(async (o: RepoOptions & { snapshot: string; indices: string; renameSuffix?: string | true; register: boolean }) => {
      const conn = esConnectionFromOptions(o);
      const es = createEsClient(conn);
      try {
        if (o.register) await ensureRepository(es, o.repository, repositorySpec(o));
        const renameSuffix = o.renameSuffix === true ? 'restored' : o.renameSuffix;
        const result = await restoreSnapshot(es, o.repository, o.snapshot, { indices: o.indices, ...(renameSuffix ? { renameSuffix } : {}) });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } catch (err) {
        throw explainedEsError(err, conn);
      } finally {
        await es.close();
      }
    });

  program
    .command('archive')
    .description('upload the archive partition files and its Parquet tree to a bucket (keys mirror the paths), skipping objects already there with the same content')
    .requiredOption('--from-dir <dir>', 'archive root (dataset=<ds>/year=…/part-*.ndjson.gz, parquet/dataset=<ds>/…/compacted-*.parquet)')
    .requiredOption('--bucket <bucket>', 'destination bucket')
    .option('--prefix <prefix>', 'key prefix')
    .option('--endpoint <url>', 'S3-compatible endpoint (MinIO: http://127.0.0.1:9000); path-style addressing')
    .option('--region <region>', 'region (default AWS_REGION or us-east-1)')
    .option('--part-size <size>', 'multipart part size; larger files go multipart (min 5 MiB)', byteSize, DEFAULT_PART_SIZE)
    .option('--concurrency <n>', 'files at once', positiveInt('--concurrency'), 4)
    .option('--queue-size <n>', 'parts of one file at once', positiveInt('--queue-size'), 4)
    .option('--quiet', 'no per-file progress on stderr')
    .action(async (o: { fromDir: string; bucket: string; prefix?: string; endpoint?: string; region?: string; partSize: number; concurrency: number; queueSize: number; quiet?: boolean }) => {
      const ac = new AbortController();
      const stop = (): void => ac.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const summary = await uploadArchive({
        fromDir: o.fromDir,
        bucket: o.bucket,
        ...(o.prefix ? { prefix: o.prefix } : {}),
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(o.region ? { region: o.region } : {}),
        partSize: o.partSize,
        concurrency: o.concurrency,
        queueSize: o.queueSize,
        signal: ac.signal,
        ...(o.quiet
          ? {}
          : {
              onFile: (e) =>
                process.stderr.write(`[${e.done}/${e.total}] ${e.action.padEnd(8)} ${e.key} (${e.bytes} B${e.multipart && e.action === 'uploaded' ? ', multipart' : ''})\n`),
            }),
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof InvalidArgumentError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    const e = err as Error & { meta?: { body?: unknown } };
    const body = e.meta?.body ? JSON.stringify(e.meta.body) : '';
    const hint = body.includes('repository type [s3] does not exist')
      ? '\nhint: this Elasticsearch has no repository-s3 module (the local stack\'s integ-test distribution): use --type fs, or the compose stack'
      : body.includes('path.repo')
        ? '\nhint: fs repositories must lie under the node\'s path.repo (the local stack sets <stack home>/snapshots; a relative --location lands there)'
        : '';
    process.stderr.write(`error: ${e.message}${body ? `\n${body}` : ''}${hint}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/export/cli.ts')) {
  process.exitCode = await main();
}
