/**
 * Retention of the data streams (`--retention 30d`, config `processor.retention`): how long Elasticsearch
 * keeps their documents, set up with whatever the cluster has.
 *
 * - **Data stream lifecycle** (Elasticsearch ≥ 8.14 with the `data-streams` module; detected by
 *   `GET _lifecycle/stats`, which answers 200 where the lifecycle service runs): the component
 *   template `rtas@retention` carries `template.lifecycle.data_retention`.
 * - **ILM** (x-pack ILM; detected by `GET _ilm/status`): the policy `rtas-retention` (hot: rollover at
 *   1 day or 50 GB per primary shard; delete phase at the retention) and the component template
 *   carrying `index.lifecycle.name: rtas-retention`.
 * - **Neither** (the integ-test distribution of the local stack, which answers both probes with 404/405):
 *   nothing is written and one warning line says so; ingest goes on and nothing is ever deleted.
 *
 * Every index template `installIndexTemplates` stores is composed of `rtas@retention` (listed in
 * `ignore_missing_component_templates`, so it may be absent): the retention lives in one object, which
 * only the processor writes. Tools that install templates without a retention setting (backfill,
 * `--replay-dead-letters` without it) therefore never undo it. A data stream takes its lifecycle from
 * the templates when it is created, and an ILM setting applies to backing indices created later, so
 * data streams that already exist are given the same lifecycle (`PUT _data_stream/<patterns>/_lifecycle`)
 * or policy (`PUT <patterns>/_settings`) too.
 *
 * Sources of the rules: Elasticsearch reference, "Data stream lifecycle" and "Tutorial: Customize
 * built-in policies / Configure a lifecycle policy" (8.19); the composition of `lifecycle` from a
 * component template and the refusal of `index.lifecycle.name` without ILM were checked on the local
 * 8.19.21 (test/integration/retention.test.ts).
 */
import type { Client } from '@elastic/elasticsearch';
import { InvalidArgumentError, Option } from 'commander';

/** The component template that holds the retention; every index template of this project lists it in `composed_of`. */
export const RETENTION_COMPONENT = 'rtas@retention';

/** The ILM policy written where ILM is the mechanism. */
export const RETENTION_POLICY = 'rtas-retention';

/** A retention as Elasticsearch takes it: a positive whole number and a unit `d`, `h`, `m` or `s`. */
const RETENTION = /^[1-9][0-9]*(d|h|m|s)$/;

/** Milliseconds per unit of {@link RETENTION}. */
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/**
 * Checks a retention value (`--retention`, config `processor.retention`).
 * @param value e.g. `30d`, `12h`; or `off` (remove the retention this project set before).
 * @returns the value unchanged (Elasticsearch's own time-unit syntax, passed as written).
 * @throws Error naming the accepted forms when the value is neither.
 */
export function parseRetention(value: string): string {
  const v = value.trim();
  if (v === 'off' || RETENTION.test(v)) return v;
  throw new Error(`retention "${value}": expected a whole number with a unit d, h, m or s (e.g. 30d, 12h), or off`);
}

/**
 * The `--retention <age>` command-line option with `description`, read from `RTAS_RETENTION` too, its
 * value checked by {@link parseRetention} (commander's usage error when it is not a retention).
 */
export function retentionOption(description: string): Option {
  return new Option('--retention <age>', description).env('RTAS_RETENTION').argParser((v: string) => {
    try {
      return parseRetention(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  });
}

/** A retention in milliseconds (for comparisons only). @throws as {@link parseRetention}, and for `off`. */
export function retentionMs(retention: string): number {
  const m = RETENTION.exec(retention);
  if (!m) throw new Error(`retention "${retention}" is not a duration`);
  return Number(retention.slice(0, -1)) * UNIT_MS[m[1] as keyof typeof UNIT_MS];
}

/** Which mechanism a cluster offers, with what each probe answered (one line each, for messages). */
export interface RetentionSupport {
  kind: 'lifecycle' | 'ilm' | 'none';
  /** `GET _lifecycle/stats`: `200` or `<status> <error text>`. */
  lifecycleProbe: string;
  /** `GET _ilm/status`: `200 <operation_mode>` or `<status> <error text>`. */
  ilmProbe: string;
}

/** `status + error text` of a failed request, on one line. */
function answerOf(err: unknown): string {
  const e = err as { meta?: { statusCode?: number; body?: unknown }; message?: string };
  const body = e.meta?.body;
  const reason =
    typeof body === 'string'
      ? body
      : typeof (body as { error?: unknown })?.error === 'string'
        ? (body as { error: string }).error
        : ((body as { error?: { reason?: string } })?.error?.reason ?? e.message ?? String(err));
  return `${e.meta?.statusCode ?? 'no answer'} ${reason}`.replace(/\s+/g, ' ').trim();
}

/**
 * Asks the cluster which retention mechanism it has: data stream lifecycle when `GET _lifecycle/stats`
 * answers 200 (preferred: it needs no policy and no rollover settings), else ILM when `GET _ilm/status`
 * answers 200, else none. Any other answer (404 "no handler", 405, 403 without the `monitor`
 * privilege) counts as absent and is kept in the probe text.
 * @throws only when a probe fails without any HTTP answer (connection refused), as the client throws it.
 */
export async function detectRetentionSupport(client: Client): Promise<RetentionSupport> {
  const probe = async (path: string): Promise<{ ok: boolean; text: string; body?: unknown }> => {
    try {
      const body = await client.transport.request({ method: 'GET', path });
      return { ok: true, text: '200', body };
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === undefined) throw err;
      return { ok: false, text: answerOf(err) };
    }
  };
  const lifecycle = await probe('/_lifecycle/stats');
  const ilm = await probe('/_ilm/status');
  const ilmProbe = ilm.ok ? `200 ${String((ilm.body as { operation_mode?: string })?.operation_mode ?? '')}`.trim() : ilm.text;
  return { kind: lifecycle.ok ? 'lifecycle' : ilm.ok ? 'ilm' : 'none', lifecycleProbe: lifecycle.text, ilmProbe };
}

/**
 * The body of the component template {@link RETENTION_COMPONENT} for `retention` under `kind`:
 * `{ template: { lifecycle: { data_retention } } }` for the data stream lifecycle,
 * `{ template: { settings: { 'index.lifecycle.name': RETENTION_POLICY } } }` for ILM.
 * @throws Error for kind `none` (there is nothing to write).
 */
export function retentionComponentBody(kind: RetentionSupport['kind'], retention: string): { template: Record<string, unknown>; _meta: Record<string, unknown> } {
  const _meta = { managed_by: 'realtime-analytics-stack', retention, mechanism: kind };
  if (kind === 'lifecycle') return { template: { lifecycle: { data_retention: retention } }, _meta };
  if (kind === 'ilm') return { template: { settings: { 'index.lifecycle.name': RETENTION_POLICY } }, _meta };
  throw new Error('no retention mechanism to write for');
}

/**
 * The ILM policy for `retention`: the hot phase rolls the write index over at 1 day (or at the retention
 * when that is shorter) or 50 GB per primary shard (Elasticsearch's own recommendation for logs); the
 * delete phase removes a backing index `retention` after its rollover. So a document is deleted between
 * `retention` and `retention` + 1 day after it was written.
 */
export function ilmPolicyBody(retention: string): { policy: { _meta: Record<string, unknown>; phases: Record<string, unknown> } } {
  const maxAge = rolloverMaxAge(retention);
  return {
    policy: {
      _meta: { managed_by: 'realtime-analytics-stack', retention },
      phases: {
        hot: { min_age: '0ms', actions: { rollover: { max_age: maxAge, max_primary_shard_size: '50gb' } } },
        delete: { min_age: retention, actions: { delete: {} } },
      },
    },
  };
}

/** The ILM rollover age for `retention`: 1 day, or the retention when that is shorter. */
function rolloverMaxAge(retention: string): string {
  return retentionMs(retention) < UNIT_MS.d ? retention : '1d';
}

/**
 * Adds the retention component to an index template body: `composed_of` gains
 * {@link RETENTION_COMPONENT}, and `ignore_missing_component_templates` lists it, so the template is
 * valid (and means no retention) while the component does not exist. The hook `installIndexTemplates`
 * applies to every template it stores. Returns a new object; `body` is not changed.
 */
export function withRetentionComponent<T extends object>(body: T): T & { composed_of: string[]; ignore_missing_component_templates: string[] } {
  const b = body as { composed_of?: string[]; ignore_missing_component_templates?: string[] };
  const add = (list: string[] | undefined): string[] => [...(list ?? []).filter((n) => n !== RETENTION_COMPONENT), RETENTION_COMPONENT];
  return { ...body, composed_of: add(b.composed_of), ignore_missing_component_templates: add(b.ignore_missing_component_templates) };
}

/** What `applyRetention` did. */
export interface RetentionResult {
  retention: string;
  support: RetentionSupport;
  /** `lifecycle`, `ilm`, `none` (nothing written), or `removed` (`off`: the component deleted). */
  applied: 'lifecycle' | 'ilm' | 'none' | 'removed';
  /** Patterns of existing data streams given the retention now, and the reason where that failed. */
  existing: { pattern: string; error?: string }[];
  /** The one line to log (a warning when `applied` is `none`). */
  message: string;
}

/**
 * Sets the data streams' retention with the mechanism the cluster has (see the module comment):
 * writes the ILM policy (ILM only), the component template {@link RETENTION_COMPONENT}, and the same
 * retention on the existing data streams of `patterns`. With `off`, deletes the component (existing
 * streams keep what they had; the message says how to remove it). With neither mechanism, writes
 * nothing and returns `applied: 'none'` with a one-line message naming what the cluster answered.
 * @param retention a value accepted by {@link parseRetention}.
 * @param patterns index patterns of this project's data streams (the templates' `index_patterns`).
 * @throws the client's ResponseError when Elasticsearch refuses the policy or the component template;
 *   errors on existing streams are returned in `existing`, not thrown.
 */
export async function applyRetention(client: Client, retention: string, patterns: string[]): Promise<RetentionResult> {
  parseRetention(retention);
  const support = await detectRetentionSupport(client);
  if (retention === 'off') {
    await client.cluster.deleteComponentTemplate({ name: RETENTION_COMPONENT }).catch((err: unknown) => {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw err;
    });
    return {
      retention,
      support,
      applied: 'removed',
      existing: [],
      message: `retention off: component template ${RETENTION_COMPONENT} removed; new data streams keep everything, existing ones keep the lifecycle or policy they had (DELETE _data_stream/<name>/_lifecycle, or remove index.lifecycle.name, to drop it)`,
    };
  }
  if (support.kind === 'none') {
    return {
      retention,
      support,
      applied: 'none',
      existing: [],
      message:
        `retention ${retention} not applied: this Elasticsearch has neither data stream lifecycle (GET _lifecycle/stats: ${support.lifecycleProbe}) ` +
        `nor ILM (GET _ilm/status: ${support.ilmProbe}); nothing is deleted, ingest goes on`,
    };
  }
  if (support.kind === 'ilm') {
    await client.ilm.putLifecycle({ name: RETENTION_POLICY, ...ilmPolicyBody(retention) } as Parameters<Client['ilm']['putLifecycle']>[0]);
  }
  await client.cluster.putComponentTemplate({ name: RETENTION_COMPONENT, ...retentionComponentBody(support.kind, retention) } as Parameters<
    Client['cluster']['putComponentTemplate']
  >[0]);
  const existing: RetentionResult['existing'] = [];
  for (const pattern of patterns) {
    try {
      if (support.kind === 'lifecycle') {
        await client.indices.putDataLifecycle({ name: pattern, data_retention: retention, expand_wildcards: 'all' });
      } else {
        await client.indices.putSettings({
          index: pattern,
          allow_no_indices: true,
          expand_wildcards: ['open', 'hidden'],
          settings: { 'index.lifecycle.name': RETENTION_POLICY },
        });
      }
      existing.push({ pattern });
    } catch (err) {
      // No stream of the pattern yet: nothing to do.
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) continue;
      existing.push({ pattern, error: answerOf(err) });
    }
  }
  const how =
    support.kind === 'lifecycle'
      ? `data stream lifecycle (data_retention ${retention} in component template ${RETENTION_COMPONENT})`
      : `ILM policy ${RETENTION_POLICY} (rollover at ${rolloverMaxAge(retention)} or 50gb per primary shard, delete ${retention} after rollover) in component template ${RETENTION_COMPONENT}`;
  return { retention, support, applied: support.kind, existing, message: `retention ${retention}: ${how}` };
}
