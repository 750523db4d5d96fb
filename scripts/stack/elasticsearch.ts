/**
 * A local single-node Elasticsearch from the official integ-test-zip distribution on
 * Maven Central: install, start (detached), health checks and stop.
 */
import { spawn } from 'node:child_process';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';

import { redactUrl } from '../../processor/elasticsearch/connection.js';
import type { JavaInfo } from './java.js';
import { mavenUnpack } from './maven.js';
import { ES_ARTIFACT, ES_CLUSTER_NAME, ES_VERSION, type StackPaths } from './paths.js';
import { ensureDir, exists, isAlive, isLoopback, livePidFromFile, sleep, StackError, tailFile, secondsSince, stopService, tcpOpen } from './proc.js';
import { assertUserCanExecute, ensureOwnedBy, type ServiceUser } from './user.js';

/** Outcome of one health probe of an Elasticsearch URL. */
export interface EsProbe {
  /** Something answered HTTP at the URL. */
  reachable: boolean;
  /** It answered `_cluster/health` with status yellow or green. */
  healthy: boolean;
  /** Cluster health colour when known: green, yellow or red. */
  status?: string;
  /** HTTP status of the health request when one came back. */
  httpStatus?: number;
  /** Why it is not healthy (connection error, HTTP status, ...). */
  error?: string;
}

/**
 * How to authenticate to and trust an Elasticsearch that has security on: extra request headers
 * (`authorization`) and the PEM CA for https (see `esHttpAccess` in processor/elasticsearch/connection.ts).
 */
export interface EsAccess {
  headers?: Record<string, string>;
  ca?: string;
}

/** Splits `http://user:pass@host:9200` into a credential-free URL and its Authorization header (fetch rejects URLs with credentials). */
function requestTarget(url: string, path: string, access?: EsAccess): { href: string; headers: Record<string, string> } {
  const u = new URL(url);
  const headers: Record<string, string> = { accept: 'application/json', ...(access?.headers ?? {}) };
  if (u.username || u.password) {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization ??= `Basic ${Buffer.from(creds).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { href: `${u.href.replace(/\/+$/, '')}${path}`, headers };
}

/** One undici Agent per CA text, trusting only that CA (global fetch cannot take a CA). */
const agents = new Map<string, Agent>();

async function getJson(url: string, path: string, timeoutMs: number, access?: EsAccess): Promise<{ status: number; body: unknown }> {
  const { href, headers } = requestTarget(url, path, access);
  let res: { status: number; text(): Promise<string> };
  if (access?.ca) {
    let agent = agents.get(access.ca);
    if (!agent) agents.set(access.ca, (agent = new Agent({ connect: { ca: access.ca } })));
    res = await undiciFetch(href, { headers, signal: AbortSignal.timeout(timeoutMs), dispatcher: agent });
  } else res = await fetch(href, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/**
 * Asks `GET <url>/_cluster/health?wait_for_status=yellow` (this distribution answers
 * `GET /` with 405, so the root endpoint is no health signal).
 *
 * @param timeoutMs total time for the request, in milliseconds. Never throws.
 */
export async function probeElasticsearch(url: string, timeoutMs = 2000, access?: EsAccess): Promise<EsProbe> {
  const waitS = Math.max(0, Math.floor(timeoutMs / 2000));
  try {
    const { status, body } = await getJson(url, `/_cluster/health?wait_for_status=yellow&timeout=${waitS}s`, timeoutMs, access);
    const colour = typeof body === 'object' && body && 'status' in body ? String((body as { status: unknown }).status) : undefined;
    const healthy = status === 200 && (colour === 'green' || colour === 'yellow');
    const error = healthy
      ? undefined
      : status === 401 || status === 403
        ? `HTTP ${status}: credentials required or refused (ES_API_KEY, or ES_USERNAME/ES_PASSWORD; --es-* options)`
        : `HTTP ${status}${colour ? `, cluster status ${colour}` : ''}`;
    return { reachable: true, healthy, httpStatus: status, ...(colour ? { status: colour } : {}), ...(error ? { error } : {}) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // An untrusted certificate means something answers TLS: reachable, and no local start can help.
    if (cause?.code && /CERT|SIGNATURE|ISSUER/.test(cause.code)) {
      return { reachable: true, healthy: false, error: `TLS: certificate not trusted (${cause.code}); give the CA with ES_CA_CERT / --es-ca` };
    }
    return { reachable: false, healthy: false, error: cause?.code ?? (err as Error).message };
  }
}

/**
 * Reads the version of the node answering at `url` (`GET /_nodes/_local`).
 *
 * @returns e.g. "8.19.21", or undefined when it cannot be read. Never throws.
 */
export async function elasticsearchVersion(url: string, timeoutMs = 2000, access?: EsAccess): Promise<string | undefined> {
  try {
    const { status, body } = await getJson(url, '/_nodes/_local?filter_path=nodes.*.version', timeoutMs, access);
    if (status !== 200) return undefined;
    const nodes = (body as { nodes?: Record<string, { version?: string }> }).nodes ?? {};
    return Object.values(nodes)[0]?.version;
  } catch {
    return undefined;
  }
}

/**
 * Pid of the Elasticsearch that this stack started (from its pid file), if it is alive.
 */
export function managedElasticsearchPid(paths: StackPaths): Promise<number | undefined> {
  return livePidFromFile(paths.es.pidFile, paths.es.distHome);
}

/**
 * Unpacks the Elasticsearch distribution into the stack home unless it is there already
 * (Maven downloads it into ~/.m2 on first use; ~107 MB).
 *
 * @param mvn resolves the `mvn` executable; called only when a download is needed.
 * @returns true when it was installed now, false when it already was.
 * @throws StackError when Maven is missing; Error with Maven's output when the download
 *   or unpack fails.
 */
export async function installElasticsearch(paths: StackPaths, mvn: () => Promise<string>, java: JavaInfo, log: (msg: string) => void): Promise<boolean> {
  const marker = join(paths.es.distHome, 'lib', `elasticsearch-${ES_VERSION}.jar`);
  if (await exists(marker)) return false;
  const mvnPath = await mvn();
  await ensureDir(paths.es.dir);
  const tmp = join(paths.es.dir, `.unpack-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await rm(paths.es.distHome, { recursive: true, force: true });
  const started = Date.now();
  log(`downloading Elasticsearch ${ES_VERSION} (${ES_ARTIFACT}, ~107 MB) with Maven…`);
  try {
    await mavenUnpack(mvnPath, java, ES_ARTIFACT, tmp, paths.mavenWork);
    await rename(join(tmp, `elasticsearch-${ES_VERSION}`), paths.es.distHome);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log(`Elasticsearch ${ES_VERSION} downloaded and unpacked in ${secondsSince(started)} s`);
  return true;
}

/**
 * Checks that a local Elasticsearch can be started for `url`: http://, a loopback host,
 * and a free port.
 *
 * @returns the host to bind (127.0.0.1 for localhost) and the HTTP port.
 * @throws StackError saying what to change otherwise.
 */
export async function checkCanServeElasticsearch(url: string, opts: { https?: boolean } = {}): Promise<{ host: string; port: number }> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && !(opts.https && u.protocol === 'https:')) throw new StackError(`ES_URL ${redactUrl(url)} is not answering, and a local Elasticsearch can only be started for an http:// URL`);
  if (!isLoopback(u.hostname)) {
    throw new StackError(`ES_URL ${redactUrl(url)} is not answering and is not on this machine, so it cannot be started here: start it or point ES_URL to a running Elasticsearch`);
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, '');
  if (await tcpOpen(host, port)) {
    throw new StackError(`port ${port} on ${host} is taken by something that does not answer as Elasticsearch (ES_URL=${redactUrl(url)}): free it or set ES_URL`);
  }
  return { host, port };
}

/** Options of {@link startElasticsearch}. */
export interface StartEsOptions {
  paths: StackPaths;
  /** The URL it must answer at; its port becomes http.port. Must be http:// on a loopback host. */
  url: string;
  java: JavaInfo;
  /** Account to run as (required when this process is root), otherwise the current user. */
  user?: ServiceUser;
  /** JVM heap, e.g. "2g" (used for both -Xms and -Xmx). */
  heap: string;
  /** How long to wait for health, in milliseconds. */
  timeoutMs: number;
  log: (msg: string) => void;
  /**
   * Settings that replace or add to {@link elasticsearchSettings} (e.g. `xpack.security.enabled: 'true'`
   * and `xpack.security.http.ssl.*` for a secured instance; then the URL may be https://).
   */
  settings?: Record<string, string>;
  /** Configuration directory (ES_PATH_CONF) instead of the distribution's `config/` (own keystore, certificates, users). */
  confDir?: string;
  /** Credentials and CA for the health probe when security is on. */
  access?: EsAccess;
}

/**
 * The -E settings passed on the command line (all verified to exist in this distribution), as
 * `key=value`; `overrides` replace settings of the same key (Elasticsearch refuses a key given twice)
 * or are added.
 */
export function elasticsearchSettings(paths: StackPaths, host: string, port: number, overrides: Record<string, string> = {}): string[] {
  const base = [
    `cluster.name=${ES_CLUSTER_NAME}`,
    `node.name=${ES_CLUSTER_NAME}-1`,
    `path.data=${paths.es.data}`,
    `path.logs=${paths.es.logs}`,
    // Snapshot repositories of type `fs` must lie under path.repo (this distribution has no repository-s3).
    `path.repo=${paths.es.snapshots}`,
    'discovery.type=single-node',
    `network.host=${host}`,
    `http.port=${port}`,
    'xpack.security.enabled=false',
    'cluster.routing.allocation.disk.threshold_enabled=false',
    // This distribution has no data stream API, so a data stream cannot be deleted; every test run
    // writes into fresh namespaces (one shard each), which would reach the default limit of 1000.
    'cluster.max_shards_per_node=20000',
  ];
  const keys = new Set(Object.keys(overrides));
  return [...base.filter((kv) => !keys.has(kv.slice(0, kv.indexOf('=')))), ...Object.entries(overrides).map(([k, v]) => `${k}=${v}`)];
}

/**
 * Starts Elasticsearch in the background (`bin/elasticsearch -d -p <pidfile>`, in its own
 * session so it outlives the caller) and waits until `_cluster/health` is yellow or green.
 *
 * Records the URL in the `endpoint` file next to the pid file.
 *
 * @returns the server pid.
 * @throws StackError pointing at the log files when it exits early or is not healthy
 *   within `timeoutMs`; when the URL cannot be served locally, its port is taken, or
 *   this stack home's Elasticsearch already runs.
 */
export async function startElasticsearch(opts: StartEsOptions): Promise<number> {
  const { paths, java, user, log } = opts;
  const running = await managedElasticsearchPid(paths);
  if (running !== undefined) {
    throw new StackError(`the Elasticsearch started from ${paths.home} already runs (pid ${running}) but not healthy at ${redactUrl(opts.url)}: run \`npm run stack -- down\` first, or use another STACK_HOME`);
  }
  const { host, port } = await checkCanServeElasticsearch(opts.url, { https: opts.settings?.['xpack.security.http.ssl.enabled'] === 'true' });

  await ensureDir(paths.es.data);
  await ensureDir(paths.es.logs);
  await ensureDir(paths.es.snapshots);
  await rm(paths.es.pidFile, { force: true });
  await writeFile(paths.es.endpointFile, `${redactUrl(opts.url)}\n`);
  if (user) {
    await ensureOwnedBy(paths.es.dir, user);
    await ensureOwnedBy(paths.es.distHome, user);
    await ensureOwnedBy(paths.es.data, user);
    await ensureOwnedBy(paths.es.logs, user);
    await ensureOwnedBy(paths.es.snapshots, user);
    if (opts.confDir) await ensureOwnedBy(opts.confDir, user);
    const hint = `put the stack home where ${user.name} can reach it (STACK_HOME, default /var/lib/rtas-stack) and use a JDK outside /root`;
    await assertUserCanExecute(user, join(paths.es.distHome, 'bin', 'elasticsearch'), hint);
    await assertUserCanExecute(user, java.bin, hint);
  }

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...(user ? { HOME: user.home } : process.env.HOME ? { HOME: process.env.HOME } : {}),
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    ...(user ? { USER: user.name, LOGNAME: user.name } : {}),
    ES_JAVA_HOME: java.home,
    ES_JAVA_OPTS: `-Xms${opts.heap} -Xmx${opts.heap}`,
    ...(opts.confDir ? { ES_PATH_CONF: opts.confDir } : {}),
  };
  const args = ['-d', '-p', paths.es.pidFile, ...elasticsearchSettings(paths, host, port, opts.settings).flatMap((s) => ['-E', s])];
  const started = Date.now();
  log(`starting Elasticsearch ${ES_VERSION} on ${redactUrl(opts.url)} (java ${java.version}, heap ${opts.heap}${user ? `, as user ${user.name}` : ''})…`);

  const out = await open(paths.es.launcherLog, 'w');
  let exitCode: number | undefined;
  let spawnError: Error | undefined;
  try {
    const child = spawn(join(paths.es.distHome, 'bin', 'elasticsearch'), args, {
      cwd: paths.es.logs,
      env,
      detached: true,
      stdio: ['ignore', out.fd, out.fd],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    child.once('error', (err) => (spawnError = err));
    // With -d the launcher exits once the server reports started (0) or failed (non-zero).
    child.once('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : 1)));
    child.unref();
  } finally {
    await out.close();
  }

  const failure = async (what: string): Promise<StackError> => {
    const detail = (await tailFile(paths.es.launcherLog, 20)) || (await tailFile(paths.es.logFile, 20));
    return new StackError(
      `Elasticsearch ${what}; see ${paths.es.logFile} and ${paths.es.launcherLog}${detail ? `\n--- last log lines ---\n${detail}` : ''}`,
    );
  };

  const deadline = started + opts.timeoutMs;
  let pid: number | undefined;
  for (;;) {
    if (spawnError) throw new StackError(`cannot run ${join(paths.es.distHome, 'bin', 'elasticsearch')}: ${spawnError.message}`);
    if (exitCode !== undefined && exitCode !== 0) throw await failure(`failed to start (launcher exit code ${exitCode})`);
    pid ??= await managedElasticsearchPid(paths);
    if (pid !== undefined && !isAlive(pid)) throw await failure(`process ${pid} exited during startup`);
    if (pid !== undefined) {
      const probe = await probeElasticsearch(opts.url, 2000, opts.access);
      if (probe.healthy) {
        log(`Elasticsearch healthy (${probe.status}) in ${secondsSince(started)} s, pid ${pid}`);
        return pid;
      }
    }
    if (Date.now() >= deadline) throw await failure(`did not become healthy within ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(500);
  }
}

/**
 * Stops the Elasticsearch this stack started (SIGTERM, up to 60 s, then SIGKILL) and
 * removes its pid and endpoint files.
 *
 * @returns the pid that was stopped, or undefined when none was running.
 */
export async function stopElasticsearch(paths: StackPaths, log: (msg: string) => void): Promise<number | undefined> {
  return stopService('Elasticsearch', await managedElasticsearchPid(paths), paths.es, log);
}
