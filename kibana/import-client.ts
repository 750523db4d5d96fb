/**
 * Client of Kibana's saved objects import API, used by `npm run kibana:import`.
 *
 * Request, per Kibana's documentation (docs/api/saved-objects/import.asciidoc in elastic/kibana, and
 * https://www.elastic.co/docs/api/doc/kibana/v8/operation/operation-importsavedobjectsdefault):
 * `POST <kibana>[/s/<space_id>]/api/saved_objects/_import?overwrite=true`, body `multipart/form-data`
 * with the NDJSON as the form field `file`, header `kbn-xsrf` (any value; required against CSRF).
 * Response (200): `{success, successCount, successResults?: [{type, id, meta: {title, icon}}],
 * errors?: [{type, id, title?, meta?, error: {type: 'conflict' | 'ambiguous_conflict' |
 * 'missing_references' | 'unsupported_type' | 'unknown', references?, message?, …}}]}`; a
 * request Kibana rejects as a whole answers 4xx with `{statusCode, error, message}`.
 */
import { redactUrl } from '../processor/elasticsearch/connection.js';
import { Blob } from 'node:buffer';
import { fetch, FormData } from 'undici';

/** Credentials for Kibana: an API key (`Authorization: ApiKey …`) or basic auth. */
export type KibanaAuth = { apiKey: string } | { username: string; password: string };

/** What to import and where. */
export interface ImportOptions {
  /** Kibana base URL, e.g. `http://127.0.0.1:5601` (a trailing `/` is ignored). */
  kibanaUrl: string;
  /** The NDJSON text to send. */
  ndjson: string;
  /** File name sent with the form field (Kibana requires a `.ndjson` name). */
  fileName?: string;
  /** Kibana space id; the default space when absent. */
  space?: string;
  auth?: KibanaAuth;
  /** Whole-request timeout, ms (default 60 000). */
  timeoutMs?: number;
}

/** Outcome for one saved object, from `successResults` or `errors`. */
export interface ObjectResult {
  type: string;
  id: string;
  title?: string;
  ok: boolean;
  /** For failures: Kibana's error type plus details (missing references, message). */
  error?: string;
}

/** The parsed import response. `ok` is false when Kibana reported `success: false` or any error. */
export interface ImportReport {
  ok: boolean;
  successCount: number;
  results: ObjectResult[];
}

/** Kibana could not be reached (connection refused, unknown host, timeout…). */
export class KibanaUnreachableError extends Error {
  override readonly name = 'KibanaUnreachableError';
}

/** Kibana answered the request with an HTTP error (bad auth, unknown space, malformed file…). */
export class KibanaHttpError extends Error {
  override readonly name = 'KibanaHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface ImportResponseError {
  type: string;
  id: string;
  title?: string;
  meta?: { title?: string };
  error?: { type?: string; message?: string; references?: { type: string; id: string }[]; destinationId?: string; destinations?: { id: string }[] };
}
interface ImportResponse {
  success?: boolean;
  successCount?: number;
  successResults?: { type: string; id: string; destinationId?: string; meta?: { title?: string } }[];
  errors?: ImportResponseError[];
}

/** Space ids are lower-case letters, digits, `_` and `-` (Kibana's rule for space identifiers). */
const SPACE_ID = /^[a-z0-9_-]+$/;

/**
 * The import URL: `<base>[/s/<space>]/api/saved_objects/_import?overwrite=true`.
 * @throws Error for a space id Kibana would not accept.
 */
export function importUrl(kibanaUrl: string, space?: string): string {
  if (space !== undefined && !SPACE_ID.test(space)) throw new Error(`invalid space id "${space}" (lower-case letters, digits, _ and - only)`);
  const base = kibanaUrl.replace(/\/+$/, '');
  return `${base}${space ? `/s/${space}` : ''}/api/saved_objects/_import?overwrite=true`;
}

/** The `Authorization` header value for `auth`, if any. */
export function authorizationHeader(auth: KibanaAuth | undefined): string | undefined {
  if (!auth) return undefined;
  if ('apiKey' in auth) return `ApiKey ${auth.apiKey}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/**
 * Credentials from the environment: `KIBANA_API_KEY` (wins when both are set), else
 * `KIBANA_USERNAME` + `KIBANA_PASSWORD`; none when unset.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): KibanaAuth | undefined {
  if (env.KIBANA_API_KEY) return { apiKey: env.KIBANA_API_KEY };
  if (env.KIBANA_USERNAME) return { username: env.KIBANA_USERNAME, password: env.KIBANA_PASSWORD ?? '' };
  return undefined;
}

function describeError(e: ImportResponseError['error']): string {
  if (!e) return 'unknown error';
  const type = e.type ?? 'unknown';
  if (type === 'missing_references' && e.references) return `${type}: ${e.references.map((r) => `${r.type}/${r.id}`).join(', ')}`;
  if (type === 'conflict' && e.destinationId) return `${type} with ${e.destinationId}`;
  if (type === 'ambiguous_conflict' && e.destinations) return `${type} with ${e.destinations.map((d) => d.id).join(', ')}`;
  return e.message ? `${type}: ${e.message}` : type;
}

/** Turns Kibana's import response body into a per-object report. */
export function parseImportResponse(body: unknown): ImportReport {
  const r = (body ?? {}) as ImportResponse;
  const results: ObjectResult[] = [
    ...(r.successResults ?? []).map((s) => ({ type: s.type, id: s.id, title: s.meta?.title, ok: true })),
    ...(r.errors ?? []).map((e) => ({ type: e.type, id: e.id, title: e.title ?? e.meta?.title, ok: false, error: describeError(e.error) })),
  ];
  const hasErrors = (r.errors ?? []).length > 0;
  return { ok: r.success === true && !hasErrors, successCount: r.successCount ?? 0, results };
}

function unreachable(url: string, err: unknown): KibanaUnreachableError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason =
    e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
  return new KibanaUnreachableError(
    `Kibana is not reachable at ${redactUrl(url)} (${reason}). Start it (docker compose -f elasticsearch-kibana-compose.yaml up -d kibana) ` +
      'or point KIBANA_URL at a running Kibana.',
  );
}

/**
 * Sends `opts.ndjson` to Kibana's import API with `overwrite=true` and reports each object.
 * @returns the report; `ok` is false when any object failed (Kibana still answered 200).
 * @throws KibanaUnreachableError when Kibana does not answer (refused, DNS, timeout);
 *         KibanaHttpError for a non-2xx answer (401/403: credentials; 404: unknown space; 400: bad file),
 *         with Kibana's own message; Error for an invalid space id.
 */
export async function importSavedObjects(opts: ImportOptions): Promise<ImportReport> {
  const url = importUrl(opts.kibanaUrl, opts.space);
  const form = new FormData();
  form.append('file', new Blob([opts.ndjson], { type: 'application/ndjson' }), opts.fileName ?? 'saved-objects.ndjson');
  const authorization = authorizationHeader(opts.auth);
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'kbn-xsrf': 'true', ...(authorization ? { authorization } : {}) },
      body: form,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (err) {
    throw unreachable(opts.kibanaUrl, err);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = (body as { message?: string } | undefined)?.message ?? text.slice(0, 500);
    const hint =
      res.status === 401
        ? ' (set KIBANA_API_KEY, or KIBANA_USERNAME and KIBANA_PASSWORD)'
        : res.status === 403
          ? ' (the user may not import saved objects)'
          : res.status === 404 && opts.space
            ? ` (does the space "${opts.space}" exist?)`
            : '';
    throw new KibanaHttpError(`Kibana answered ${res.status} ${res.statusText} to ${redactUrl(url)}: ${message}${hint}`, res.status);
  }
  if (body === undefined) throw new KibanaHttpError(`Kibana answered ${res.status} to ${redactUrl(url)} with a body that is not JSON: ${text.slice(0, 200)}`, res.status);
  return parseImportResponse(body);
}
