/**
 * Versions, environment settings and the on-disk layout of the local stack home.
 *
 * Layout (STACK_HOME):
 *   stack.lock                       held while `up`/`down` run
 *   maven/                           Maven working dir (plugin markers)
 *   elasticsearch/
 *     elasticsearch-<ver>/           unpacked distribution (ES home; owned by `rtas` when root)
 *     data/  logs/                   path.data / path.logs (logs/rtas-stack.log is the main log)
 *     launcher.log                   output of `bin/elasticsearch -d`
 *     elasticsearch.pid              written by Elasticsearch (-p)
 *     endpoint                       the URL it was started for
 *   snapshots/                       path.repo of Elasticsearch (`fs` snapshot repositories; owned by `rtas` when root)
 *   kafka/
 *     kafka_2.13-<ver>/pom.xml       tiny pom resolved by Maven
 *     kafka_2.13-<ver>/libs/         runtime class path (all jars)
 *     server.properties  log4j.properties
 *     data/                          log.dirs (KRaft metadata + topic data)
 *     logs/server.log  logs/kafka.out
 *     kafka.pid  endpoint            pid, and the brokers it was started for
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { StackError } from './proc.js';

/** Elasticsearch version installed from Maven Central (integ-test-zip distribution). */
export const ES_VERSION = '8.19.21';
/** Maven coordinates of the Elasticsearch distribution. */
export const ES_ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`;
/** Apache Kafka broker version (newest 3.9.x on Maven Central when this was written). */
export const KAFKA_VERSION = '3.9.2';
/** Scala binary version of the Kafka core artifact. */
export const KAFKA_SCALA = '2.13';
/** Unprivileged user that runs Elasticsearch when the stack is driven by root. */
export const SERVICE_USER = 'rtas';
/** Cluster name given to the local Elasticsearch (also names its main log file). */
export const ES_CLUSTER_NAME = 'rtas-stack';

/** Paths of one stack home; see the module comment for the layout. */
export interface StackPaths {
  home: string;
  lockFile: string;
  mavenWork: string;
  es: {
    dir: string;
    distHome: string;
    data: string;
    logs: string;
    /** path.repo: where `fs` snapshot repositories may live (relative locations resolve here). */
    snapshots: string;
    logFile: string;
    launcherLog: string;
    pidFile: string;
    endpointFile: string;
  };
  kafka: {
    dir: string;
    installDir: string;
    pom: string;
    libs: string;
    data: string;
    logs: string;
    serverLog: string;
    stdoutLog: string;
    config: string;
    log4jConfig: string;
    pidFile: string;
    endpointFile: string;
  };
}

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * The stack home directory: `STACK_HOME` when set; `/var/lib/rtas-stack` for root (so
 * the unprivileged `rtas` user can traverse it); otherwise
 * `${XDG_CACHE_HOME:-~/.cache}/rtas-stack`. Always an absolute path.
 */
export function stackHome(): string {
  const fromEnv = process.env.STACK_HOME?.trim();
  if (fromEnv) return resolve(fromEnv);
  if (isRoot()) return '/var/lib/rtas-stack';
  const cache = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return resolve(cache, 'rtas-stack');
}

/** Computes every path of the layout under `home` (default {@link stackHome}); creates nothing. */
export function stackPaths(home: string = stackHome()): StackPaths {
  const esDir = join(home, 'elasticsearch');
  const esLogs = join(esDir, 'logs');
  const kDir = join(home, 'kafka');
  const kInstall = join(kDir, `kafka_${KAFKA_SCALA}-${KAFKA_VERSION}`);
  const kLogs = join(kDir, 'logs');
  return {
    home,
    lockFile: join(home, 'stack.lock'),
    mavenWork: join(home, 'maven'),
    es: {
      dir: esDir,
      distHome: join(esDir, `elasticsearch-${ES_VERSION}`),
      data: join(esDir, 'data'),
      logs: esLogs,
      snapshots: join(home, 'snapshots'),
      logFile: join(esLogs, `${ES_CLUSTER_NAME}.log`),
      launcherLog: join(esDir, 'launcher.log'),
      pidFile: join(esDir, 'elasticsearch.pid'),
      endpointFile: join(esDir, 'endpoint'),
    },
    kafka: {
      dir: kDir,
      installDir: kInstall,
      pom: join(kInstall, 'pom.xml'),
      libs: join(kInstall, 'libs'),
      data: join(kDir, 'data'),
      logs: kLogs,
      serverLog: join(kLogs, 'server.log'),
      stdoutLog: join(kLogs, 'kafka.out'),
      config: join(kDir, 'server.properties'),
      log4jConfig: join(kDir, 'log4j.properties'),
      pidFile: join(kDir, 'kafka.pid'),
      endpointFile: join(kDir, 'endpoint'),
    },
  };
}

/**
 * Elasticsearch URL from `ES_URL` (default `http://127.0.0.1:9200`), without a trailing slash; the first
 * node when `ES_URL` is a comma-separated list (the single-node stack serves one URL).
 */
export function esUrl(): string {
  return (process.env.ES_URL?.split(',').map((u) => u.trim()).find(Boolean) || 'http://127.0.0.1:9200').replace(/\/+$/, '');
}

/** Kafka bootstrap brokers from comma-separated `KAFKA_BROKERS` (default `127.0.0.1:9092`). */
export function kafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS?.trim() || '127.0.0.1:9092';
  return raw.split(',').map((b) => b.trim()).filter(Boolean);
}

/**
 * Heap size for a JVM from an env var such as `ES_HEAP=2g`, validated as `<n>[kmg]`.
 *
 * @throws StackError when the value is malformed.
 */
export function heapFromEnv(name: string, fallback: string): string {
  const value = process.env[name]?.trim() || fallback;
  if (!/^\d+[kKmMgG]?$/.test(value)) throw new StackError(`${name}=${value} is not a heap size like 512m or 2g`);
  return value;
}
