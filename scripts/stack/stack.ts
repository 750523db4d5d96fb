/**
 * The local real stack (Elasticsearch + Kafka, no Docker) as a library: make sure it
 * answers, stop it, report on it. Used by `npm run stack` (scripts/stack/cli.ts) and by
 * any code that needs a live Elasticsearch/Kafka (tests, benchmarks, demos).
 *
 * Configuration (environment):
 *   ES_URL         Elasticsearch URL (default http://127.0.0.1:9200). If it answers, it is used as is.
 *   KAFKA_BROKERS  comma-separated bootstrap brokers (default 127.0.0.1:9092). Same rule.
 *   STACK_HOME     where downloads, data, logs and pid files live (default: /var/lib/rtas-stack
 *                  for root, else ${XDG_CACHE_HOME:-~/.cache}/rtas-stack).
 *   ES_HEAP        Elasticsearch heap, -Xms and -Xmx (default 2g).
 *   KAFKA_HEAP     Kafka maximum heap (default 1g).
 *   ES_JAVA_HOME / JAVA_HOME  Java to use (>= 17; 17 or 21 preferred).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { esConnectionFromOptions, esHttpAccess, redactUrl } from '../../processor/elasticsearch/connection.js';
import { ensureDir, StackError, withLock, waitUntil } from './proc.js';
import {
  checkCanServeElasticsearch,
  elasticsearchVersion,
  installElasticsearch,
  managedElasticsearchPid,
  probeElasticsearch,
  startElasticsearch,
  stopElasticsearch,
  type EsAccess,
  type EsProbe,
} from './elasticsearch.js';
import { clusterUrlsFromEnv, ensureEsCluster, stopEsCluster } from './es-cluster.js';
import { findJava, type JavaInfo } from './java.js';
import { checkCanServeKafka, installKafka, kafkaCredentialsFile, kafkaSecurityNote, readKafkaSecurityInfo, managedKafkaPid, probeKafka, startKafka, stopKafka, type KafkaProbe } from './kafka.js';
import { findMaven } from './maven.js';
import { ES_VERSION, esUrl, heapFromEnv, isRoot, KAFKA_VERSION, kafkaBrokers, SERVICE_USER, stackPaths, type StackPaths } from './paths.js';
import { ensureServiceUser } from './user.js';

export { StackError } from './proc.js';
export { ES_VERSION, KAFKA_VERSION, stackHome } from './paths.js';

/** Where the stack answers, and what this call had to start. */
export interface StackEndpoints {
  /** Elasticsearch base URL (ES_URL or the default), without a trailing slash. */
  esUrl: string;
  /** Kafka bootstrap brokers (KAFKA_BROKERS or the default), as host:port. */
  kafkaBrokers: string[];
  /** True when this call started Elasticsearch (false when it already answered). */
  startedEs: boolean;
  /** With `esNodes` > 1: every node URL of the local cluster (`esUrl` is the first). */
  esUrls?: string[];
  /** True when this call started Kafka (false when it already answered or `kafka: false`). */
  startedKafka: boolean;
}

/**
 * Which stack to act on, instead of the environment (STACK_HOME, ES_URL, KAFKA_BROKERS, ES_HEAP,
 * KAFKA_HEAP): lets a program run a second, private stack (e.g. the fault suite, which kills and
 * freezes its own Elasticsearch and Kafka) beside the shared one. Unset fields fall back to the environment.
 */
export interface StackTarget {
  home?: string;
  esUrl?: string;
  kafkaBrokers?: string[];
  esHeap?: string;
  kafkaHeap?: string;
}

/** Options of {@link ensureStack}. */
export interface EnsureStackOptions {
  /** The stack to ensure (default: the one the environment names). */
  target?: StackTarget;
  /** Also ensure Kafka (default true). */
  kafka?: boolean;
  /** Receives human-readable progress lines (default: discarded). */
  log?: (msg: string) => void;
  /** Per-service wait for health after a start, in milliseconds (default 180000). */
  timeoutMs?: number;
  /** Elasticsearch URL instead of ES_URL (e.g. from `--es-url`). */
  esUrl?: string;
  /** Credentials and CA for a cluster with security on (from `esHttpAccess` of the `--es-*` options). */
  esAccess?: EsAccess;
  /**
   * Number of Elasticsearch nodes (default 1: the single node at ES_URL, unchanged). More than 1: a local
   * cluster of that many nodes beside the single node (scripts/stack/es-cluster.ts: ports 9201… or the
   * nodes a comma-separated ES_URL lists), never the single node.
   */
  esNodes?: number;
}

const DEFAULT_TIMEOUT_MS = 180_000;
const noop = (): void => undefined;

/**
 * Ensures Elasticsearch (and Kafka unless `opts.kafka === false`) answer at ES_URL /
 * KAFKA_BROKERS, starting whatever is missing from the stack home (downloading it with
 * Maven on first use). Idempotent and safe to call concurrently (a lock file serialises
 * starts). Services that already answer, yours or a compose stack, are used untouched;
 * in that case neither Java nor Maven is needed.
 *
 * @returns the endpoints, and which services this call started.
 * @throws StackError (actionable message) when Java >= 17 or Maven is missing, when a
 *   non-local ES_URL/KAFKA_BROKERS does not answer, when a port is taken by something
 *   else, or when a service does not become healthy within `timeoutMs` (the message
 *   names the log file). Maven failures surface as Error with Maven's output.
 */
export async function ensureStack(opts: EnsureStackOptions = {}): Promise<StackEndpoints> {
  if ((opts.esNodes ?? 1) > 1) {
    const urls = clusterUrlsFromEnv();
    const home = opts.target?.home;
    const cluster = await ensureEsCluster({ target: { ...(home ? { home } : {}), ...(urls ? { urls } : { nodes: opts.esNodes! }) }, log: opts.log ?? noop, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    // Kafka as for one node; the cluster's first node answers, so nothing is started for Elasticsearch.
    const quiet = (m: string): void => (/^Elasticsearch already running/.test(m) ? undefined : (opts.log ?? noop)(m));
    const rest = opts.kafka === false ? undefined : await ensureStack({ ...opts, esNodes: 1, target: { ...opts.target, esUrl: cluster.urls[0]! }, log: quiet });
    return { esUrl: cluster.urls[0]!, esUrls: cluster.urls, kafkaBrokers: rest?.kafkaBrokers ?? opts.target?.kafkaBrokers ?? kafkaBrokers(), startedEs: cluster.started.length > 0, startedKafka: rest?.startedKafka ?? false };
  }
  const log = opts.log ?? noop;
  const wantKafka = opts.kafka !== false;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = (opts.target?.esUrl ?? opts.esUrl)?.replace(/\/+$/, '') ?? esUrl();
  opts = { ...opts, esAccess: opts.esAccess ?? envAccess(url) };
  const brokers = opts.target?.kafkaBrokers ?? kafkaBrokers();
  const paths = stackPaths(opts.target?.home);
  const result: StackEndpoints = { esUrl: url, kafkaBrokers: brokers, startedEs: false, startedKafka: false };

  // Fast path: everything answers already; no lock, no Java, no Maven.
  const [es0, k0] = await Promise.all([probeElasticsearch(url, 2000, opts.esAccess), wantKafka ? probeKafka(brokers) : undefined]);
  if (es0.healthy && (!wantKafka || k0?.healthy)) {
    await logRunning(paths, url, brokers, wantKafka, log);
    return result;
  }

  // Something answers but refuses us (credentials, untrusted certificate): nothing to start, say why.
  if (es0.reachable && /credentials required|^TLS:/.test(es0.error ?? '')) throw new StackError(esHint(paths, url)(es0));

  await ensureDir(paths.home, 0o755);
  const onWait = (owner: number) => log(`another stack command (pid ${owner}) is busy in ${paths.home}; waiting for it…`);
  return withLock(paths.lockFile, timeoutMs + 60_000, async () => {
    // Our own process serving another address would otherwise look like "still starting".
    if (!es0.healthy) await assertSameEndpoint(paths, 'Elasticsearch', 'ES_URL', redactUrl(url), paths.es.endpointFile, () => managedElasticsearchPid(paths));
    if (wantKafka && !k0?.healthy) {
      await assertSameEndpoint(paths, 'Kafka', 'KAFKA_BROKERS', brokers.join(','), paths.kafka.endpointFile, () => managedKafkaPid(paths));
    }
    const esNow = await settle('Elasticsearch', () => probeElasticsearch(url, 2000, opts.esAccess), () => managedElasticsearchPid(paths), timeoutMs, esHint(paths, url), log);
    const kafkaNow = wantKafka
      ? await settle('Kafka', () => probeKafka(brokers), () => managedKafkaPid(paths), timeoutMs, kafkaHint(paths, brokers), log)
      : undefined;
    const needEs = !esNow.healthy;
    const needKafka = wantKafka && !kafkaNow?.healthy;
    if (!needEs && !needKafka) {
      await logRunning(paths, url, brokers, wantKafka, log);
      return result;
    }

    if (needEs) await checkCanServeElasticsearch(url);
    if (needKafka) await checkCanServeKafka(brokers);
    const fallback = `set ${needEs ? 'ES_URL' : 'KAFKA_BROKERS'} to a running ${needEs ? 'Elasticsearch' : 'Kafka'}`;
    const java = await findJava();
    const mvn = () => findMaven(fallback);
    if (needEs) await installElasticsearch(paths, mvn, java, log);
    if (needKafka) await installKafka(paths, mvn, java, log);

    const starts: Promise<unknown>[] = [];
    if (needEs) {
      const heap = opts.target?.esHeap ?? heapFromEnv('ES_HEAP', '2g');
      starts.push(startEs(paths, url, java, heap, timeoutMs, log).then(() => (result.startedEs = true)));
    } else log(`Elasticsearch already running at ${redactUrl(url)}${pidNote(await managedElasticsearchPid(paths))}`);
    if (needKafka) {
      starts.push(
        startKafka({ paths, brokers, java, heap: opts.target?.kafkaHeap ?? heapFromEnv('KAFKA_HEAP', '1g'), timeoutMs, log }).then(() => (result.startedKafka = true)),
      );
    } else if (wantKafka) log(`Kafka already running at ${brokers.join(',')}${pidNote(await managedKafkaPid(paths))}`);
    const outcomes = await Promise.allSettled(starts);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return result;
  }, onWait);
}

/** Credentials and CA from ES_API_KEY / ES_USERNAME+ES_PASSWORD / ES_CA_CERT, for probing a secured cluster. */
function envAccess(url: string): EsAccess {
  const { headers, ca } = esHttpAccess(esConnectionFromOptions({ esUrl: url }));
  return { headers, ...(ca ? { ca } : {}) };
}

/** Refuses to go on when this stack home's service runs for a different address than the one asked for. */
async function assertSameEndpoint(paths: StackPaths, name: string, envName: string, wanted: string, endpointFile: string, ownPid: () => Promise<number | undefined>): Promise<void> {
  const pid = await ownPid();
  if (pid === undefined) return;
  const served = (await readFile(endpointFile, 'utf8').catch(() => '')).trim();
  if (served && served !== wanted) {
    throw new StackError(
      `the ${name} started from ${paths.home} (pid ${pid}) serves ${served}, not ${envName}=${wanted}: ` +
        `run \`npm run stack -- down\` first, set ${envName}=${served}, or use another STACK_HOME`,
    );
  }
}

async function startEs(paths: StackPaths, url: string, java: JavaInfo, heap: string, timeoutMs: number, log: (msg: string) => void): Promise<number> {
  const user = isRoot() ? await ensureServiceUser(SERVICE_USER) : undefined;
  return startElasticsearch({ paths, url, java, ...(user ? { user } : {}), heap, timeoutMs, log });
}

function esHint(paths: StackPaths, url: string): (p: EsProbe) => string {
  return (p) => `Elasticsearch at ${redactUrl(url)} answers but is not healthy (${p.error ?? 'unknown'}); see ${paths.es.logFile} if it is the local one`;
}

function kafkaHint(paths: StackPaths, brokers: string[]): (p: KafkaProbe) => string {
  return (p) => `Kafka at ${brokers.join(',')} accepts connections but does not answer metadata requests (${p.error ?? 'unknown'}); see ${paths.kafka.serverLog} if it is the local one`;
}

/**
 * Decides what to do with a service that does not answer healthily right away: when our
 * own process is alive (still starting) or something answers at the address, wait for
 * health up to `timeoutMs`; an answering-but-unhealthy service is an error after that.
 * Returns the last probe (healthy = nothing to start; unreachable = start it).
 */
async function settle<P extends { reachable: boolean; healthy: boolean; error?: string }>(
  name: string,
  probe: () => Promise<P>,
  ownPid: () => Promise<number | undefined>,
  timeoutMs: number,
  unhealthyMessage: (p: P) => string,
  log: (msg: string) => void,
): Promise<P> {
  let last = await probe();
  if (last.healthy) return last;
  const pid = await ownPid();
  if (!last.reachable && pid === undefined) return last;
  if (last.reachable && /credentials required|^TLS:/.test(last.error ?? '')) throw new StackError(unhealthyMessage(last));
  log(`${name} ${pid !== undefined ? `(pid ${pid}) ` : ''}is up but not healthy yet (${last.error ?? 'starting'}); waiting…`);
  const ok = await waitUntil(async () => (last = await probe()).healthy, timeoutMs, 1000);
  if (ok) return last;
  if (last.reachable || (pid !== undefined && (await ownPid()) !== undefined)) throw new StackError(unhealthyMessage(last));
  return last; // our process died meanwhile: start it again
}

function pidNote(pid: number | undefined): string {
  return ` (${pid !== undefined ? `pid ${pid}` : 'not started by this tool'})`;
}

async function logRunning(paths: StackPaths, url: string, brokers: string[], kafka: boolean, log: (msg: string) => void): Promise<void> {
  const [esPid, kPid] = await Promise.all([managedElasticsearchPid(paths), kafka ? managedKafkaPid(paths) : undefined]);
  log(`Elasticsearch already running at ${redactUrl(url)}${pidNote(esPid)}`);
  if (kafka) log(`Kafka already running at ${brokers.join(',')}${pidNote(kPid)}`);
  const note = kafka ? await kafkaSecurityNote(paths, brokers) : undefined;
  if (note) log(note);
}

/** Options of {@link restartKafka}. */
export interface RestartKafkaOptions {
  /** The stack whose Kafka to restart (default: the one the environment names). */
  target?: StackTarget;
  /** Receives human-readable progress lines (default: discarded). */
  log?: (msg: string) => void;
  /** Wait for health after the start, in milliseconds (default 180000). */
  timeoutMs?: number;
}

/**
 * Restarts only the Kafka this tool started (stop as in {@link stopStack}, then start with the current
 * configuration, e.g. a listener added since it was started); Elasticsearch is not touched. Data and
 * topics stay. When no Kafka of this stack runs, it is started.
 * @returns the new broker pid.
 * @throws StackError as {@link ensureStack} does for Kafka (Java, Maven, ports, readiness).
 */
export async function restartKafka(opts: RestartKafkaOptions = {}): Promise<number> {
  const log = opts.log ?? noop;
  const paths = stackPaths(opts.target?.home);
  const brokers = opts.target?.kafkaBrokers ?? kafkaBrokers();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await ensureDir(paths.home, 0o755);
  return withLock(
    paths.lockFile,
    timeoutMs + 120_000,
    async () => {
      const java = await findJava();
      await installKafka(paths, () => findMaven('set KAFKA_BROKERS to a running Kafka'), java, log);
      await stopKafka(paths, log);
      await checkCanServeKafka(brokers);
      return startKafka({ paths, brokers, java, heap: opts.target?.kafkaHeap ?? heapFromEnv('KAFKA_HEAP', '1g'), timeoutMs, log });
    },
    (owner) => log(`another stack command (pid ${owner}) is busy in ${paths.home}; waiting for it…`),
  );
}

/** Options of {@link stopStack}. */
export interface StopStackOptions {
  /** The stack to stop (default: the one the environment names); only its home matters. */
  target?: StackTarget;
  /** Receives human-readable progress lines (default: discarded). */
  log?: (msg: string) => void;
  /**
   * Also delete the data once stopped: every index and data stream of the local Elasticsearch (single
   * node and local cluster) and every Kafka topic. Downloads, configuration and the Kafka security
   * material stay, so the next {@link ensureStack} starts empty without downloading anything.
   */
  deleteData?: boolean;
}

/**
 * Stops the Elasticsearch and Kafka processes that this tool started (found by the pid
 * files in the stack home): SIGTERM, wait up to 60 s, then SIGKILL; removes the pid
 * files. Services it did not start (e.g. a compose stack at ES_URL) are left alone.
 * Data stays in the stack home, so the next {@link ensureStack} resumes with it, unless
 * `deleteData` is set.
 *
 * @throws StackError when a process survives SIGKILL or the stack lock cannot be taken.
 */
export async function stopStack(opts: StopStackOptions = {}): Promise<void> {
  const log = opts.log ?? noop;
  const paths = stackPaths(opts.target?.home);
  await ensureDir(paths.home, 0o755);
  await withLock(
    paths.lockFile,
    300_000,
    async () => {
      const [k, es] = await Promise.all([stopKafka(paths, log), stopElasticsearch(paths, log), stopEsCluster({ target: { home: paths.home }, log })]);
      if (k === undefined) log('Kafka: not running (no live pid file)');
      if (es === undefined) log('Elasticsearch: not running (no live pid file)');
      if (opts.deleteData) {
        const clusterDir = join(paths.es.dir, 'cluster');
        const nodeData = (await readdir(clusterDir).catch(() => [] as string[])).filter((d) => d.startsWith('node-')).map((d) => join(clusterDir, d, 'data'));
        for (const dir of [paths.es.data, ...nodeData, paths.kafka.data]) {
          await rm(dir, { recursive: true, force: true });
          log(`deleted ${dir}`);
        }
      }
    },
    (owner) => log(`another stack command (pid ${owner}) is busy in ${paths.home}; waiting for it…`),
  );
}

/** What `status` knows about one service. */
export interface ServiceStatus {
  /** A process started by this tool is alive (pid file in the stack home). */
  managed: boolean;
  /** Pid of that process. */
  pid?: number;
  /** Something accepts connections at the configured address. */
  reachable: boolean;
  /** It passes the health check (ES: cluster yellow/green; Kafka: metadata round trip). */
  healthy: boolean;
  /** Server version when known (ES: asked from the node; Kafka: the version this tool runs, when managed). */
  version?: string;
  /** Main log file of the local service. */
  logFile: string;
  /** Why it is not healthy, when it is not. */
  error?: string;
}

/** Status of the whole stack; see {@link stackStatus}. */
export interface StackStatus {
  /** The stack home (downloads, data, logs, pid files). */
  home: string;
  es: ServiceStatus & { url: string; /** green, yellow or red */ health?: string };
  kafka: ServiceStatus & {
    brokers: string[];
    /** number of topics, when healthy */ topics?: number;
    /** The SASL_SSL listener of this stack's Kafka, when it was started with one: where, the CA and the file with the test user's password (not the password). */
    saslSsl?: { brokers: string[]; caFile: string; username: string; credentialsFile: string };
  };
}

/**
 * Reports what runs: pids of the processes this tool started, reachability, health,
 * versions, URLs and log files. Read-only; needs neither Java nor Maven.
 *
 * @returns the status; never throws for an unreachable service (that is `reachable: false`).
 */
export async function stackStatus(): Promise<StackStatus> {
  const paths = stackPaths();
  const url = esUrl();
  const brokers = kafkaBrokers();
  const access = envAccess(url);
  const [esProbe, kProbe, esPid, kPid] = await Promise.all([
    probeElasticsearch(url, 2000, access),
    probeKafka(brokers),
    managedElasticsearchPid(paths),
    managedKafkaPid(paths),
  ]);
  const esVer = esProbe.reachable ? await elasticsearchVersion(url, 2000, access) : undefined;
  const secure = kPid !== undefined ? await readKafkaSecurityInfo(paths) : undefined;
  return {
    home: paths.home,
    es: {
      url,
      managed: esPid !== undefined,
      ...(esPid !== undefined ? { pid: esPid } : {}),
      reachable: esProbe.reachable,
      healthy: esProbe.healthy,
      ...(esProbe.status ? { health: esProbe.status } : {}),
      ...(esVer ? { version: esVer } : esPid !== undefined ? { version: ES_VERSION } : {}),
      logFile: paths.es.logFile,
      ...(esProbe.healthy || !esProbe.error ? {} : { error: esProbe.error }),
    },
    kafka: {
      brokers,
      managed: kPid !== undefined,
      ...(kPid !== undefined ? { pid: kPid, version: KAFKA_VERSION } : {}),
      reachable: kProbe.reachable,
      healthy: kProbe.healthy,
      ...(kProbe.topics !== undefined ? { topics: kProbe.topics } : {}),
      ...(secure ? { saslSsl: { brokers: secure.brokers, caFile: secure.caFile, username: secure.username, credentialsFile: kafkaCredentialsFile(paths) } } : {}),
      logFile: paths.kafka.serverLog,
      ...(kProbe.healthy || !kProbe.error ? {} : { error: kProbe.error }),
    },
  };
}
