/**
 * Elasticsearch snapshots of the data streams: register a snapshot repository (type `s3` for the
 * compose stack or real S3, type `fs` for the local stack, whose integ-test distribution has no
 * `repository-s3` module), take a snapshot, restore one (under a renamed data stream when the original
 * still exists — this distribution has no `_data_stream` API, so a data stream cannot be deleted).
 *
 * The same through curl:
 *   PUT  _snapshot/<repo>                              {"type":"fs","settings":{"location":"rtas"}}
 *   PUT  _snapshot/<repo>/<snap>?wait_for_completion=true  {"indices":"logs-*,metrics-*","include_global_state":false}
 *   POST _snapshot/<repo>/<snap>/_restore?wait_for_completion=true
 *        {"indices":"logs-*,metrics-*","include_global_state":false,"rename_pattern":"^(.+)$","rename_replacement":"$1restored"}
 *
 * @module scripts/export/snapshot
 */
import type { Client } from '@elastic/elasticsearch';

/** Default data streams of a snapshot. */
export const DEFAULT_INDICES = 'logs-*,metrics-*';
/** Default repository name. */
export const DEFAULT_REPOSITORY = 'rtas-snapshots';

/** Where a repository stores its snapshots. */
export type RepositorySpec =
  | { type: 'fs'; /** absolute, or relative to the node's path.repo */ location: string }
  | {
      type: 's3';
      bucket: string;
      /** Prefix inside the bucket. */
      basePath?: string;
      /**
       * The S3 endpoint is a node setting (`s3.client.<client>.endpoint`, with protocol and
       * path_style_access), not a repository setting; it is configured in the compose file. Only the
       * client name is chosen here.
       */
      client?: string;
    };

/** The repository settings body for `PUT _snapshot/<name>`. */
export function repositoryBody(spec: RepositorySpec): { type: string; settings: Record<string, unknown> } {
  if (spec.type === 'fs') return { type: 'fs', settings: { location: spec.location, compress: true } };
  return {
    type: 's3',
    settings: {
      bucket: spec.bucket,
      ...(spec.basePath ? { base_path: spec.basePath } : {}),
      ...(spec.client ? { client: spec.client } : {}),
      compress: true,
    },
  };
}

/**
 * Registers the repository unless one with the same name, type and settings exists already.
 *
 * @returns 'created', 'updated' (same name, other settings) or 'unchanged'.
 * @throws the Elasticsearch error, e.g. a `fs` location outside `path.repo`, or type `s3` without the
 *   repository-s3 module.
 */
export async function ensureRepository(es: Client, name: string, spec: RepositorySpec): Promise<'created' | 'updated' | 'unchanged'> {
  const body = repositoryBody(spec);
  let existing: { type: string; settings: Record<string, unknown> } | undefined;
  try {
    const r = (await es.snapshot.getRepository({ name })) as unknown as Record<string, { type: string; settings: Record<string, unknown> }>;
    existing = r[name];
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw err;
  }
  const same =
    existing !== undefined &&
    existing.type === body.type &&
    Object.entries(body.settings).every(([k, v]) => String(existing!.settings[k]) === String(v)) &&
    Object.keys(existing.settings).every((k) => k in body.settings);
  if (same) return 'unchanged';
  await es.snapshot.createRepository({ name, repository: body as never, verify: true });
  return existing ? 'updated' : 'created';
}

/** What one snapshot took. */
export interface SnapshotResult {
  repository: string;
  snapshot: string;
  state: string;
  dataStreams: string[];
  indices: string[];
  shards: { total: number; successful: number; failed: number };
  seconds: number;
}

/** A snapshot name such as `rtas-2026.11.21-201530z` (lower case, as Elasticsearch requires). */
export function defaultSnapshotName(now = new Date()): string {
  const iso = now.toISOString();
  return `rtas-${iso.slice(0, 10).replace(/-/g, '.')}-${iso.slice(11, 19).replace(/:/g, '')}z`;
}

/**
 * Takes a snapshot of `indices` (data streams and their backing indices), without the global state,
 * and waits for it to complete.
 *
 * @throws Error when the snapshot does not end in state SUCCESS (partial or failed shards).
 */
export async function takeSnapshot(es: Client, repository: string, snapshot: string, indices = DEFAULT_INDICES): Promise<SnapshotResult> {
  const started = Date.now();
  const r = await es.snapshot.create({
    repository,
    snapshot,
    wait_for_completion: true,
    indices,
    include_global_state: false,
    ignore_unavailable: true,
  });
  const s = r.snapshot!;
  const result: SnapshotResult = {
    repository,
    snapshot,
    state: s.state ?? 'UNKNOWN',
    dataStreams: [...(s.data_streams ?? [])].sort(),
    indices: [...(s.indices ?? [])].sort(),
    shards: { total: s.shards?.total ?? 0, successful: s.shards?.successful ?? 0, failed: s.shards?.failed ?? 0 },
    seconds: (Date.now() - started) / 1000,
  };
  if (result.state !== 'SUCCESS') throw new Error(`snapshot ${repository}/${snapshot} ended in state ${result.state}: ${JSON.stringify(s.failures ?? [])}`);
  return result;
}

/** What a restore brought back. */
export interface RestoreResult {
  repository: string;
  snapshot: string;
  indices: string[];
  shards: { total: number; successful: number; failed: number };
  seconds: number;
}

/**
 * Restores the data streams of a snapshot (without the global state) and waits for the shards.
 *
 * With `renameSuffix`, every data stream and backing index comes back as `<name><suffix>` (rename
 * applies to data streams too in 8.x: `logs-weblogs.access-x` → `logs-weblogs.access-xrestored`), which is
 * how to restore next to a data stream that still exists; without it the names must be absent.
 */
export async function restoreSnapshot(
  es: Client,
  repository: string,
  snapshot: string,
  opts: { indices?: string; renameSuffix?: string } = {},
): Promise<RestoreResult> {
  const started = Date.now();
  if (opts.renameSuffix !== undefined && !/^[a-z0-9_.-]+$/.test(opts.renameSuffix)) {
    throw new Error(`rename suffix "${opts.renameSuffix}" must be lower-case letters, digits, '_', '.' or '-'`);
  }
  const r = await es.snapshot.restore({
    repository,
    snapshot,
    wait_for_completion: true,
    indices: opts.indices ?? DEFAULT_INDICES,
    include_global_state: false,
    ...(opts.renameSuffix ? { rename_pattern: '^(.+)$', rename_replacement: `$1${opts.renameSuffix}` } : {}),
  });
  const s = r.snapshot!;
  const result: RestoreResult = {
    repository,
    snapshot,
    indices: [...(s.indices ?? [])].sort(),
    shards: { total: s.shards?.total ?? 0, successful: s.shards?.successful ?? 0, failed: s.shards?.failed ?? 0 },
    seconds: (Date.now() - started) / 1000,
  };
  if (result.shards.failed > 0) throw new Error(`restore of ${repository}/${snapshot}: ${result.shards.failed} of ${result.shards.total} shards failed`);
  return result;
}
