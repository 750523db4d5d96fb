/**
 * Filebeat as the peer in `npm run bench -- weblogs --peer filebeat`: its configuration (written by
 * the bench beside the input, so it is committed as code and visible per run), a loopback shim that
 * answers `GET /` for it, and a runner that times it from launch until Elasticsearch counts every line.
 *
 * Filebeat is not shipped or built by this project: point `FILEBEAT_BIN` at a binary (README,
 * "Performance", says how to get one).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { run } from '../stack/proc.js';
import { esCpuSeconds, procCpuSeconds, waitForCount, waitForIdleElasticsearch } from './common.js';

/** Filebeat's `kafka` input: the topic the processor reads, in a consumer group of its own, from the oldest offset. */
export interface KafkaInput {
  brokers: string[];
  topic: string;
  groupId: string;
}

/**
 * Filebeat 8.19's equivalent of the processor for this comparison: a `filestream` input (or, for the
 * Kafka bench, its `kafka` input on the same topic; https://www.elastic.co/guide/en/beats/filebeat/8.19/filebeat-input-kafka.html), `dissect` of
 * the combined log format into ECS-named fields, the `timestamp` processor for `@timestamp`, bulk
 * requests of 5,000 events from 2 output workers, and no index setup (no template, no ILM: the index is
 * created by the first bulk with dynamic mappings). No GeoIP and no user-agent parsing: Filebeat does
 * those only in an Elasticsearch ingest pipeline, which this Elasticsearch distribution does not have.
 */
export function filebeatConfig(o: { input: string | KafkaInput; hosts: string; index: string; dataDir: string }): string {
  const input =
    typeof o.input === 'string'
      ? `  - type: filestream
    id: rtas-bench
    paths: [${JSON.stringify(o.input)}]
    prospector.scanner.check_interval: 1s`
      : `  - type: kafka
    hosts: ${JSON.stringify(o.input.brokers)}
    topics: [${JSON.stringify(o.input.topic)}]
    group_id: ${JSON.stringify(o.input.groupId)}
    initial_offset: oldest`;
  return `# Written by npm run bench -- ${typeof o.input === 'string' ? 'weblogs' : 'kafka'} --peer filebeat (scripts/bench/filebeat.ts)
filebeat.inputs:
${input}
processors:
  - dissect:
      field: message
      target_prefix: ""
      tokenizer: '%{source.address} %{event.ident} %{user.name} [%{event.time}] "%{http.request.method} %{url.original} HTTP/%{http.version}" %{http.response.status_code} %{http.response.body.bytes} "%{http.request.referrer}" "%{user_agent.original}"'
  - timestamp:
      field: event.time
      layouts: ['02/Jan/2006:15:04:05 -0700']
      test: ['17/May/2015:10:05:03 +0000']
  - drop_fields:
      fields: [event.time, event.ident]
      ignore_missing: true
  # Apache writes "-" for an empty body; Filebeat's template maps the field as long (a 400 per line otherwise)
  - if:
      equals:
        http.response.body.bytes: "-"
    then:
      - drop_fields:
          fields: [http.response.body.bytes]
queue.mem:
  events: 10000
  flush.min_events: 5000
  flush.timeout: 1s
output.elasticsearch:
  hosts: [${JSON.stringify(o.hosts)}]
  index: ${JSON.stringify(o.index)}
  bulk_max_size: 5000
  worker: 2
  compression_level: 0
setup.template.enabled: false
setup.ilm.enabled: false
path.data: ${JSON.stringify(o.dataDir)}
logging.level: warning
logging.to_files: false
logging.to_stderr: true
http.enabled: false
`;
}

/**
 * A loopback HTTP shim in front of Elasticsearch: answers `GET /` with the node's name and version
 * (the local integ-test distribution answers 405 there, and Filebeat's connection check, its Ping,
 * needs it) and passes every other request through unchanged, streaming both ways.
 * Returns the shim's URL and a function that closes it.
 */
export async function startRootShim(esUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const es = new URL(esUrl);
  const nodes = (await (await fetch(new URL('/_nodes/_local?filter_path=nodes.*.name,nodes.*.version', es))).json()) as {
    nodes: Record<string, { name: string; version: string }>;
  };
  const node = Object.values(nodes.nodes)[0]!;
  const health = (await (await fetch(new URL('/_cluster/health', es))).json()) as { cluster_name: string };
  const root = JSON.stringify({
    name: node.name,
    cluster_name: health.cluster_name,
    version: { number: node.version, build_flavor: 'default' },
    tagline: 'You Know, for Search',
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?'))) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(root);
      return;
    }
    const upstream = http.request(
      { host: es.hostname, port: es.port || 80, method: req.method, path: req.url, headers: { ...req.headers, host: es.host }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { agent.destroy(); server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/**
 * Nearest core mapping for a field type that needs a module this distribution may lack (x-pack mappers,
 * mapper-extras). `match_only_text` is `text`
 * without positions, frequencies or norms (its documentation: "a variant of text that trades scoring and
 * efficiency of positional queries for space efficiency").
 */
const CORE_TYPE: Record<string, Record<string, unknown>> = {
  match_only_text: { type: 'text', index_options: 'docs', norms: false },
  wildcard: { type: 'keyword' },
  constant_keyword: { type: 'keyword' },
  flattened: { type: 'object', enabled: false },
  version: { type: 'keyword' },
  unsigned_long: { type: 'long' },
  // mapper-extras, a module of the default distribution that this one lacks
  scaled_float: { type: 'double' },
  rank_feature: { type: 'float' },
  search_as_you_type: { type: 'text' },
  token_count: { type: 'integer' },
};

/** Replaces, everywhere in a mapping tree, `{ type: from, …options }` by the core type `to` (options of `from` dropped). */
function replaceFieldType(node: unknown, from: string, to: Record<string, unknown>): void {
  if (Array.isArray(node)) {
    for (const n of node) replaceFieldType(n, from, to);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (o.type === from) {
    for (const k of Object.keys(o)) if (k !== 'fields' && k !== 'copy_to') delete o[k];
    Object.assign(o, to);
  }
  for (const v of Object.values(o)) replaceFieldType(v, from, to);
}

/**
 * Installs Filebeat's own index template (`filebeat export template`, as `setup.template` would) for
 * the peer's indices: its mappings and settings as exported for this Elasticsearch version, with the
 * index pattern changed to `pattern` (so each round's index is a data stream of its own, as Filebeat's
 * default index is) and `index.lifecycle.name` removed where the cluster has no ILM (this distribution
 * refuses the setting; a Filebeat user there runs with `setup.ilm.enabled: false`). Field types the
 * distribution lacks (x-pack mappers: `match_only_text`, `wildcard`, `constant_keyword` …) are replaced
 * by their nearest core type (`CORE_TYPE`), and the replacements are returned to be printed.
 * @returns the template name and the replacements made. @throws when Filebeat cannot export or
 * Elasticsearch refuses the template for another reason.
 */
export async function installFilebeatTemplate(bin: string, esUrl: string, name: string, pattern: string): Promise<{ name: string; replaced: string[] }> {
  const version = ((await (await fetch(new URL('/_nodes/_local?filter_path=nodes.*.version', esUrl))).json()) as { nodes: Record<string, { version: string }> });
  const esVersion = Object.values(version.nodes)[0]!.version;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rtas-filebeat-export-'));
  try {
    const config = path.join(home, 'filebeat.yml');
    writeFileSync(config, `path.data: ${JSON.stringify(path.join(home, 'data'))}\nlogging.to_stderr: true\nlogging.level: error\n`, { mode: 0o600 });
    const { stdout } = await run(bin, ['export', 'template', '--es.version', esVersion, '-c', config, '--strict.perms=false', '-E', 'setup.ilm.enabled=false']);
    const template = JSON.parse(stdout) as { index_patterns: string[]; priority?: number; template: { settings?: { index?: Record<string, unknown> } } };
    template.index_patterns = [pattern];
    const ilm = await fetch(new URL('/_ilm/status', esUrl));
    if (!ilm.ok) delete template.template.settings?.index?.lifecycle;
    // Field types a distribution without those modules refuses are replaced by their nearest core type,
    // one refused type at a time, as Elasticsearch names them.
    const replaced: string[] = [];
    for (;;) {
      const put = await fetch(new URL(`/_index_template/${encodeURIComponent(name)}`, esUrl), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...template, priority: 500 }),
      });
      if (put.ok) break;
      const text = await put.text();
      const refused = /The mapper type \[([a-z_]+)\] declared on field/.exec(text)?.[1];
      const core = refused ? CORE_TYPE[refused] : undefined;
      if (!refused || !core || replaced.includes(refused)) throw new Error(`Elasticsearch refused Filebeat's template: ${put.status} ${text.slice(0, 500)}`);
      replaceFieldType(template.template, refused, core);
      replaced.push(refused);
    }
    return { name, replaced: replaced.map((t) => `${t} → ${JSON.stringify(CORE_TYPE[t])}`) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Peak RSS of a running process in MiB (Linux `VmHWM`), or NaN when it cannot be read. */
export function peakRssOfPid(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** What one Filebeat run measured. */
export interface FilebeatRun {
  docsPerSec: number;
  seconds: number;
  peakRssMiB: number;
  /** Filebeat's user + system CPU seconds from launch until `_count` reached every line. */
  cpuSeconds: number;
  /** Elasticsearch's CPU seconds over the same time. */
  esCpuSeconds: number;
  configFile: string;
}

/**
 * Runs Filebeat (`bin`) on `input` (a file, or a Kafka topic) into `index` through the shim, from launch until `_count` of the
 * index reaches `lines`, then stops it (SIGTERM) and returns docs/s over that time, its peak RSS, and
 * the CPU seconds Filebeat and Elasticsearch used until then.
 * @throws when Filebeat exits early or does not finish within `timeoutMs`.
 */
export async function runFilebeat(o: {
  bin: string;
  esUrl: string;
  /** A file to read, or the Kafka topic and group. */
  input: string | KafkaInput;
  index: string;
  lines: number;
  workDir: string;
  timeoutMs: number;
  /** A shim already running (shared with the processor's runs, so both take the same path); else one of its own. */
  shimUrl?: string;
}): Promise<FilebeatRun> {
  const shim = o.shimUrl ? { url: o.shimUrl, close: async (): Promise<void> => undefined } : await startRootShim(o.esUrl);
  const configFile = path.join(o.workDir, 'filebeat.yml');
  writeFileSync(configFile, filebeatConfig({ input: o.input, hosts: shim.url, index: o.index, dataDir: path.join(o.workDir, 'filebeat-data') }), { mode: 0o600 });
  let stderr = '';
  await waitForIdleElasticsearch(o.esUrl);
  const es0 = await esCpuSeconds(o.esUrl);
  const started = performance.now();
  const child = spawn(o.bin, ['-c', configFile, '--strict.perms=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Elasticsearch refusing an event (a mapping conflict) makes Filebeat drop it with a warning: the count
  // would never be reached, so the run fails at once with Filebeat's words instead of waiting.
  let rejected: ((err: Error) => void) | undefined;
  const refused = new Promise<never>((_, reject) => (rejected = reject));
  refused.catch(() => undefined);
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    const line = stderr.split('\n').find((l) => l.includes('Cannot index event'));
    if (line) rejected?.(new Error(`Elasticsearch refused an event of Filebeat's: ${line.slice(0, 600)}`));
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`filebeat exited early with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`))),
  );
  exited.catch(() => undefined);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssOfPid(child.pid!) || 0)), 200);
  try {
    await Promise.race([waitForCount(o.esUrl, o.index, o.lines, o.timeoutMs), exited, refused]);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = procCpuSeconds(child.pid!);
    const es1 = await esCpuSeconds(o.esUrl);
    peak = Math.max(peak, peakRssOfPid(child.pid!) || 0);
    return { docsPerSec: o.lines / seconds, seconds, peakRssMiB: peak, cpuSeconds, esCpuSeconds: es1 - es0, configFile };
  } finally {
    clearInterval(sampler);
    child.removeAllListeners('exit');
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await shim.close();
  }
}
