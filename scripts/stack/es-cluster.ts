/**
 * A local Elasticsearch cluster of several nodes (`npm run stack -- up --es-nodes 3`): the same
 * distribution as the single node, each node its own process on loopback with its own HTTP and transport
 * port, data, logs, configuration directory and pid file, small heaps, discovery through
 * `discovery.seed_hosts` and, on the very first start only, `cluster.initial_master_nodes`.
 *
 * It lives beside the single node of the same stack home and never touches it: other ports (HTTP 9201…
 * by default, transport = HTTP + 130, so 9331…, outside the 9300… range a single node picks from), another
 * cluster name (`rtas-cluster`) and its own directory:
 *
 *   <home>/elasticsearch/cluster/
 *     snapshots/                      path.repo shared by the nodes
 *     node-<i>/config/                copy of the distribution's config (ES_PATH_CONF: own keystore)
 *     node-<i>/data/ node-<i>/logs/   path.data / path.logs (logs/rtas-cluster.log is the main log)
 *     node-<i>/elasticsearch.pid  node-<i>/endpoint  node-<i>/launcher.log
 *
 * Replicas: the index templates set `index.auto_expand_replicas: 0-1` (processor/datasets/index-template.ts),
 * so every shard has one replica as soon as a second data node is in the cluster, and none on one node.
 */
import { cp } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { redactUrl, splitEsUrls } from '../../processor/elasticsearch/connection.js';
import { installElasticsearch, managedElasticsearchPid, probeElasticsearch, startElasticsearch, type EsProbe } from './elasticsearch.js';
import { findJava, type JavaInfo } from './java.js';
import { findMaven } from './maven.js';
import { ES_VERSION, heapFromEnv, isRoot, SERVICE_USER, stackHome, stackPaths, type StackPaths } from './paths.js';
import { ensureDir, exists, StackError, stopService, withLock } from './proc.js';
import { ensureServiceUser, type ServiceUser } from './user.js';

/** Cluster name of the local multi-node cluster (also names each node's main log file). */
export const ES_CLUSTER_NAME_MULTI = 'rtas-cluster';
/** First HTTP port of the local multi-node cluster when no URLs are given (9201, 9202, …). */
export const ES_CLUSTER_FIRST_PORT = 9201;
/** A node's transport port is its HTTP port plus this (9201 → 9331). */
export const TRANSPORT_PORT_OFFSET = 130;

/** Which cluster: where it lives and how many nodes on which ports. */
export interface EsClusterTarget {
  /** Stack home (default: STACK_HOME or the per-user default, as for the single node). */
  home?: string;
  /** Number of nodes (≥ 2) when `urls` is not given; default 3. */
  nodes?: number;
  /** One http://127.0.0.1:<port> URL per node; default 9201, 9202, … for `nodes` nodes. */
  urls?: string[];
  /** JVM heap of each node (-Xms = -Xmx), e.g. "512m"; default ES_NODE_HEAP or 512m. */
  heap?: string;
  /** Cluster name; default {@link ES_CLUSTER_NAME_MULTI}. */
  clusterName?: string;
}

/** One node of the cluster: its name, ports and paths (a StackPaths whose `es` part is the node's). */
export interface EsClusterNode {
  /** 1-based. */
  index: number;
  name: string;
  url: string;
  httpPort: number;
  transportPort: number;
  paths: StackPaths;
  /** The node's configuration directory (ES_PATH_CONF). */
  confDir: string;
}

/** The nodes of `target` (nothing is created). @throws StackError for a URL that is not http://127.x:<port>, or fewer than 2 nodes. */
export function esClusterNodes(target: EsClusterTarget = {}): EsClusterNode[] {
  const home = target.home ?? stackHome();
  const cluster = target.clusterName ?? ES_CLUSTER_NAME_MULTI;
  const n = target.urls?.length ?? target.nodes ?? 3;
  if (n < 2) throw new StackError(`a cluster needs at least 2 nodes (got ${n})`);
  const urls = target.urls ?? Array.from({ length: n }, (_, i) => `http://127.0.0.1:${ES_CLUSTER_FIRST_PORT + i}`);
  const base = stackPaths(home);
  const dir = join(base.es.dir, 'cluster');
  return urls.map((url, i) => {
    const u = new URL(url);
    if (u.protocol !== 'http:' || !/^(127\.\d+\.\d+\.\d+|localhost)$/.test(u.hostname) || !u.port) {
      throw new StackError(`a local cluster node must be http://127.0.0.1:<port>, not ${redactUrl(url)}`);
    }
    const httpPort = Number(u.port);
    const nodeDir = join(dir, `node-${i + 1}`);
    const logs = join(nodeDir, 'logs');
    const paths: StackPaths = {
      ...base,
      es: {
        dir: nodeDir,
        distHome: base.es.distHome,
        data: join(nodeDir, 'data'),
        logs,
        snapshots: join(dir, 'snapshots'),
        logFile: join(logs, `${cluster}.log`),
        launcherLog: join(nodeDir, 'launcher.log'),
        pidFile: join(nodeDir, 'elasticsearch.pid'),
        endpointFile: join(nodeDir, 'endpoint'),
      },
    };
    return { index: i + 1, name: `${cluster}-${i + 1}`, url: `http://127.0.0.1:${httpPort}`, httpPort, transportPort: httpPort + TRANSPORT_PORT_OFFSET, paths, confDir: join(nodeDir, 'config') };
  });
}

/**
 * The cluster's node URLs from a comma-separated `ES_URL` when it lists several loopback nodes, else
 * undefined (then the default ports are used).
 */
export function clusterUrlsFromEnv(): string[] | undefined {
  const urls = splitEsUrls(process.env.ES_URL ?? '');
  return urls.length > 1 ? urls : undefined;
}

/**
 * The -E settings of one cluster node beyond the single node's (which the caller's `startElasticsearch`
 * adds: data, logs, repo, network.host, http.port, security off, disk threshold off, shard limit):
 * cluster and node name, multi-node discovery over the nodes' transport ports, and
 * `cluster.initial_master_nodes` only when `bootstrap` (a fresh cluster; Elasticsearch wants it removed
 * once the cluster has formed).
 */
export function clusterNodeSettings(node: EsClusterNode, all: EsClusterNode[], clusterName: string, bootstrap: boolean): Record<string, string> {
  return {
    'cluster.name': clusterName,
    'node.name': node.name,
    'discovery.type': 'multi-node',
    'discovery.seed_hosts': all.map((n) => `127.0.0.1:${n.transportPort}`).join(','),
    'transport.port': String(node.transportPort),
    ...(bootstrap ? { 'cluster.initial_master_nodes': all.map((n) => n.name).join(',') } : {}),
  };
}

/** True when no node of the cluster has cluster state on disk yet (so the cluster must be bootstrapped). */
async function isFresh(nodes: EsClusterNode[]): Promise<boolean> {
  for (const n of nodes) {
    const entries = await readdir(n.paths.es.data).catch(() => [] as string[]);
    if (entries.includes('_state')) return false;
  }
  return true;
}

/** Pid of a cluster node started by this tool (pid file), if alive. */
export function esClusterNodePid(node: EsClusterNode): Promise<number | undefined> {
  return managedElasticsearchPid(node.paths);
}

/** Options of {@link ensureEsCluster} and {@link startEsClusterNode}. */
export interface EsClusterStartOptions {
  target?: EsClusterTarget;
  /** Wait for each node's health, in ms (default 240000). */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** What {@link ensureEsCluster} found and did. */
export interface EsClusterEndpoints {
  /** Every node URL, in order. */
  urls: string[];
  /** Names of the nodes this call started. */
  started: string[];
}

const noop = (): void => undefined;

/**
 * Makes sure every node of the cluster answers healthy (yellow or green), starting the missing ones
 * together (a fresh cluster elects a master only once a majority of `cluster.initial_master_nodes` is up,
 * so they cannot be started one after the other). Installs the distribution first if needed (Maven).
 * Holds the stack home's lock while starting. Idempotent.
 * @returns the node URLs and which nodes were started.
 * @throws StackError when a port is taken by something else, a node does not become healthy in time
 *   (naming its log), or Java/Maven are missing.
 */
export async function ensureEsCluster(opts: EsClusterStartOptions = {}): Promise<EsClusterEndpoints> {
  const log = opts.log ?? noop;
  const nodes = esClusterNodes(opts.target);
  const urls = nodes.map((n) => n.url);
  const probes = await Promise.all(nodes.map((n) => probeElasticsearch(n.url, 2000)));
  if (probes.every((p) => p.healthy)) {
    log(`Elasticsearch cluster already running at ${urls.join(',')}`);
    return { urls, started: [] };
  }
  const paths = stackPaths(opts.target?.home);
  await ensureDir(paths.home, 0o755);
  return withLock(paths.lockFile, (opts.timeoutMs ?? 240_000) + 60_000, async () => {
    const java = await findJava();
    await installElasticsearch(paths, () => findMaven('set ES_URL to a running Elasticsearch'), java, log);
    const user = isRoot() ? await ensureServiceUser(SERVICE_USER) : undefined;
    const missing: EsClusterNode[] = [];
    for (const [i, n] of nodes.entries()) {
      const p = probes[i]!.healthy ? probes[i]! : await probeElasticsearch(n.url, 2000);
      if (p.healthy) continue;
      if (p.reachable || (await esClusterNodePid(n)) !== undefined) {
        // Up but not healthy (no master yet, still starting): it joins when the others come.
        log(`cluster node ${n.name} runs but is not healthy yet (${p.error ?? 'starting'})`);
        continue;
      }
      missing.push(n);
    }
    const bootstrap = await isFresh(nodes);
    const started = await Promise.all(missing.map((n) => startNode(n, nodes, java, user, bootstrap, opts, log).then(() => n.name)));
    return { urls, started };
  }, (owner) => log(`another stack command (pid ${owner}) is busy in ${paths.home}; waiting for it…`));
}

async function startNode(
  node: EsClusterNode,
  all: EsClusterNode[],
  java: JavaInfo,
  user: ServiceUser | undefined,
  bootstrap: boolean,
  opts: EsClusterStartOptions,
  log: (msg: string) => void,
): Promise<number> {
  const clusterName = opts.target?.clusterName ?? ES_CLUSTER_NAME_MULTI;
  await ensureDir(node.paths.es.dir);
  if (!(await exists(join(node.confDir, 'jvm.options')))) await cp(join(node.paths.es.distHome, 'config'), node.confDir, { recursive: true });
  const heap = opts.target?.heap ?? heapFromEnv('ES_NODE_HEAP', '512m');
  return startElasticsearch({
    paths: node.paths,
    url: node.url,
    java,
    ...(user ? { user } : {}),
    heap,
    timeoutMs: opts.timeoutMs ?? 240_000,
    log: (m) => log(`${node.name}: ${m}`),
    settings: clusterNodeSettings(node, all, clusterName, bootstrap),
    confDir: node.confDir,
  });
}

/**
 * Starts one node of an existing cluster (e.g. after it was killed) and waits until it answers healthy.
 * @param index 1-based node number.
 * @returns its pid.
 * @throws StackError as {@link ensureEsCluster}; also when that node already runs.
 */
export async function startEsClusterNode(index: number, opts: EsClusterStartOptions = {}): Promise<number> {
  const log = opts.log ?? noop;
  const nodes = esClusterNodes(opts.target);
  const node = nodes[index - 1];
  if (!node) throw new StackError(`no node ${index} in a cluster of ${nodes.length}`);
  const java = await findJava();
  const user = isRoot() ? await ensureServiceUser(SERVICE_USER) : undefined;
  return startNode(node, nodes, java, user, await isFresh(nodes), opts, log);
}

/**
 * Stops the cluster's nodes this tool started (SIGTERM, up to 60 s, then SIGKILL), all at once; data stays.
 * @returns the names of the nodes that were running.
 */
export async function stopEsCluster(opts: { target?: EsClusterTarget; log?: (msg: string) => void } = {}): Promise<string[]> {
  const log = opts.log ?? noop;
  // Every node directory there is, whatever size the cluster was started with (ports do not matter here).
  const dirs = await readdir(join(stackPaths(opts.target?.home).es.dir, 'cluster')).catch(() => [] as string[]);
  const count = Math.max(0, ...dirs.map((d) => Number(/^node-(\d+)$/.exec(d)?.[1] ?? 0)));
  if (count === 0) return [];
  const nodes = esClusterNodes(opts.target?.urls ? opts.target : { ...opts.target, nodes: Math.max(2, count) });
  const stopped = await Promise.all(
    nodes.map(async (n) => ((await stopService(`Elasticsearch ${n.name}`, await esClusterNodePid(n), n.paths.es, log)) !== undefined ? n.name : undefined)),
  );
  return stopped.filter((s): s is string => s !== undefined);
}

/** Per node: name, URL, pid when started by this tool, and the health probe. Never throws. */
export async function esClusterStatus(target: EsClusterTarget = {}): Promise<{ name: string; url: string; pid?: number; probe: EsProbe; logFile: string }[]> {
  const nodes = esClusterNodes(target);
  return Promise.all(
    nodes.map(async (n) => {
      const [pid, probe] = await Promise.all([esClusterNodePid(n), probeElasticsearch(n.url, 2000)]);
      return { name: n.name, url: n.url, ...(pid !== undefined ? { pid } : {}), probe, logFile: n.paths.es.logFile };
    }),
  );
}

export { ES_VERSION };
