/**
 * A local single-node Apache Kafka (KRaft, combined broker + controller) run straight
 * from its Maven Central jars: install, format, start (detached), health checks, stop.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Kafka, logLevel } from 'kafkajs';

import type { JavaInfo } from './java.js';
import { mavenCopyRuntimeDependencies } from './maven.js';
import { KAFKA_SCALA, KAFKA_VERSION, type StackPaths } from './paths.js';
import { ensureDir, exists, isAlive, isLoopback, livePidFromFile, run, sleep, StackError, tailFile, secondsSince, stopService, tcpOpen } from './proc.js';

/** Outcome of one readiness probe of Kafka bootstrap brokers. */
export interface KafkaProbe {
  /** A TCP connection to the first broker was accepted. */
  reachable: boolean;
  /** A real metadata round trip (kafkajs admin listTopics + describeCluster) succeeded. */
  healthy: boolean;
  /** Number of topics, when healthy. */
  topics?: number;
  /** Number of brokers in the cluster, when healthy. */
  brokers?: number;
  /** Why it is not healthy. */
  error?: string;
}

/** Splits "host:port" (IPv6 in brackets allowed) into its parts. */
export function parseBroker(broker: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(broker.trim());
  if (!m?.[1] || !m[2]) throw new StackError(`KAFKA_BROKERS entry "${broker}" is not host:port`);
  return { host: m[1], port: Number(m[2]) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Probes Kafka: a TCP connect to the first broker, then (when open) a metadata request
 * with kafkajs. `timeoutMs` bounds each step, in milliseconds. Never throws.
 */
export async function probeKafka(brokers: string[], timeoutMs = 5000): Promise<KafkaProbe> {
  const first = brokers[0];
  if (!first) return { reachable: false, healthy: false, error: 'no brokers given' };
  const { host, port } = parseBroker(first);
  if (!(await tcpOpen(host, port, Math.min(timeoutMs, 2000)))) return { reachable: false, healthy: false, error: `nothing listens on ${host}:${port}` };
  const kafka = new Kafka({
    clientId: 'rtas-stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    const result = await withTimeout(
      (async () => {
        await admin.connect();
        const topics = await admin.listTopics();
        const cluster = await admin.describeCluster();
        return { topics: topics.length, brokers: cluster.brokers.length };
      })(),
      timeoutMs,
      'Kafka metadata request',
    );
    return { reachable: true, healthy: result.brokers > 0, ...result };
  } catch (err) {
    return { reachable: true, healthy: false, error: (err as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Pid of the Kafka that this stack started (from its pid file), if it is alive. */
export function managedKafkaPid(paths: StackPaths): Promise<number | undefined> {
  return livePidFromFile(paths.kafka.pidFile, paths.kafka.config);
}

/** The tiny pom whose runtime dependencies are the Kafka broker's class path (plus a log4j 1 binding, which Kafka's pom leaves out). */
export function kafkaPom(): string {
  const dep = (g: string, a: string, v: string) =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>local.rtas-stack</groupId>',
    '  <artifactId>kafka-runtime</artifactId>',
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dep('org.apache.kafka', `kafka_${KAFKA_SCALA}`, KAFKA_VERSION),
    // The same logging jars the Kafka 3.9 binary tarball ships.
    dep('org.slf4j', 'slf4j-reload4j', '1.7.36'),
    dep('ch.qos.reload4j', 'reload4j', '1.2.25'),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/**
 * Resolves Kafka and all its runtime jars into the stack home with Maven, unless done before.
 *
 * @param mvn resolves the `mvn` executable; called only when a download is needed.
 * @returns true when it was installed now, false when it already was.
 * @throws StackError when Maven is missing; Error with Maven's output when resolution fails.
 */
export async function installKafka(paths: StackPaths, mvn: () => Promise<string>, java: JavaInfo, log: (msg: string) => void): Promise<boolean> {
  const marker = join(paths.kafka.libs, `kafka_${KAFKA_SCALA}-${KAFKA_VERSION}.jar`);
  if (await exists(marker)) return false;
  const mvnPath = await mvn();
  await ensureDir(paths.kafka.installDir);
  await writeFile(paths.kafka.pom, kafkaPom());
  const tmp = `${paths.kafka.libs}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await rm(paths.kafka.libs, { recursive: true, force: true });
  const started = Date.now();
  log(`downloading Kafka ${KAFKA_VERSION} (org.apache.kafka:kafka_${KAFKA_SCALA}:${KAFKA_VERSION} and its runtime jars) with Maven…`);
  try {
    await mavenCopyRuntimeDependencies(mvnPath, java, paths.kafka.installDir, tmp);
    await rename(tmp, paths.kafka.libs);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(join(paths.kafka.installDir, 'target'), { recursive: true, force: true });
  }
  log(`Kafka ${KAFKA_VERSION} downloaded in ${secondsSince(started)} s`);
  return true;
}

/** Escapes a value for a Java .properties file. */
function prop(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/**
 * Broker configuration for one combined KRaft node: clients on `port`, the controller
 * on `port + 1`, data in the stack home.
 */
export function kafkaServerProperties(paths: StackPaths, host: string, port: number): string {
  const controllerPort = port + 1;
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  return [
    '# Generated by scripts/stack (rewritten on every start).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${bindHost}:${controllerPort}`,
    `listeners=PLAINTEXT://${bindHost}:${port},CONTROLLER://${bindHost}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${prop(paths.kafka.data)}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

/** log4j 1.x configuration that sends every Kafka log line to logs/server.log (rotated at 50 MB). */
export function kafkaLog4jProperties(): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    'log4j.appender.file.File=${kafka.logs.dir}/server.log',
    'log4j.appender.file.MaxFileSize=50MB',
    'log4j.appender.file.MaxBackupIndex=3',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    'log4j.logger.org.apache.kafka.clients=WARN',
    '',
  ].join('\n');
}

/** A random Kafka cluster id: 16 bytes, base64url without padding, never starting with "-". */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function jvmArgs(paths: StackPaths, heap: string): string[] {
  return [
    '-Xms256m',
    `-Xmx${heap}`,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${paths.kafka.log4jConfig}`,
    `-Dkafka.logs.dir=${paths.kafka.logs}`,
    '-cp',
    `${paths.kafka.libs}/*`,
  ];
}

/**
 * Checks that a local Kafka can be started for `brokers`: the first one is a loopback
 * host:port, and that port and the next one (controller) are free.
 *
 * @returns the host and client port of the first broker.
 * @throws StackError saying what to change otherwise.
 */
export async function checkCanServeKafka(brokers: string[]): Promise<{ host: string; port: number }> {
  const first = brokers[0];
  if (!first) throw new StackError('KAFKA_BROKERS is empty');
  const { host, port } = parseBroker(first);
  if (!isLoopback(host)) {
    throw new StackError(`KAFKA_BROKERS ${brokers.join(',')} does not answer and is not on this machine, so Kafka cannot be started here: start it or point KAFKA_BROKERS to a running broker`);
  }
  for (const p of [port, port + 1]) {
    if (await tcpOpen(host === 'localhost' ? '127.0.0.1' : host, p)) {
      throw new StackError(`port ${p} on ${host} is taken by something that does not answer as a Kafka broker (Kafka needs ${port} for clients and ${port + 1} for its controller): free it or set KAFKA_BROKERS`);
    }
  }
  return { host, port };
}

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  paths: StackPaths;
  /** Bootstrap brokers it must answer at; the first one (a loopback host:port) is served. */
  brokers: string[];
  java: JavaInfo;
  /** Maximum JVM heap, e.g. "1g". */
  heap: string;
  /** How long to wait for readiness, in milliseconds. */
  timeoutMs: number;
  log: (msg: string) => void;
}

/**
 * Writes the configuration, formats the storage on first use (random cluster id), starts
 * `java -cp 'libs/*' kafka.Kafka server.properties` detached (own session, output to
 * logs/kafka.out, pid and endpoint files written here) and waits for a metadata round trip.
 *
 * @returns the broker pid.
 * @throws StackError pointing at the log files when it exits early or is not ready
 *   within `timeoutMs`; when the brokers cannot be served locally, a port is taken, or
 *   this stack home's Kafka already runs.
 */
export async function startKafka(opts: StartKafkaOptions): Promise<number> {
  const { paths, java, log } = opts;
  const first = opts.brokers[0];
  if (!first) throw new StackError('KAFKA_BROKERS is empty');
  const running = await managedKafkaPid(paths);
  if (running !== undefined) {
    throw new StackError(`the Kafka started from ${paths.home} already runs (pid ${running}) but not ready at ${opts.brokers.join(',')}: run \`npm run stack -- down\` first, or use another STACK_HOME`);
  }
  const { host, port } = await checkCanServeKafka(opts.brokers);

  await ensureDir(paths.kafka.data);
  await ensureDir(paths.kafka.logs);
  await writeFile(paths.kafka.config, kafkaServerProperties(paths, host, port));
  await writeFile(paths.kafka.log4jConfig, kafkaLog4jProperties());
  await rm(paths.kafka.pidFile, { force: true });

  if (!(await exists(join(paths.kafka.data, 'meta.properties')))) {
    const clusterId = randomClusterId();
    log(`formatting Kafka storage (cluster id ${clusterId})…`);
    await run(java.bin, [...jvmArgs(paths, '256m'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', paths.kafka.config, '--ignore-formatted'], {
      timeout: 120_000,
    });
  }

  const started = Date.now();
  log(`starting Kafka ${KAFKA_VERSION} on ${first} (KRaft, controller on ${port + 1}, java ${java.version}, heap ${opts.heap})…`);
  const out = await open(paths.kafka.stdoutLog, 'a');
  let exitCode: number | undefined;
  let spawnError: Error | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(java.bin, [...jvmArgs(paths, opts.heap), 'kafka.Kafka', paths.kafka.config], {
      cwd: paths.kafka.dir,
      env: { ...process.env, LANG: process.env.LANG ?? 'C.UTF-8' },
      detached: true,
      stdio: ['ignore', out.fd, out.fd],
    });
    child.once('error', (err) => (spawnError = err));
    child.once('exit', (code, signal) => (exitCode = code ?? (signal ? 128 : 1)));
    child.unref();
    pid = child.pid;
  } finally {
    await out.close();
  }
  if (pid === undefined) {
    await sleep(100);
    throw new StackError(`cannot run ${java.bin}: ${spawnError?.message ?? 'spawn failed'}`);
  }
  await writeFile(paths.kafka.pidFile, `${pid}\n`);
  await writeFile(paths.kafka.endpointFile, `${opts.brokers.join(',')}\n`);

  const deadline = started + opts.timeoutMs;
  for (;;) {
    if (exitCode !== undefined || !isAlive(pid)) {
      await rm(paths.kafka.pidFile, { force: true });
      await rm(paths.kafka.endpointFile, { force: true });
      const detail = (await tailFile(paths.kafka.stdoutLog, 10)) + '\n' + (await tailFile(paths.kafka.serverLog, 15));
      throw new StackError(`Kafka exited during startup (code ${exitCode ?? '?'}); see ${paths.kafka.serverLog} and ${paths.kafka.stdoutLog}\n--- last log lines ---\n${detail.trim()}`);
    }
    const probe = await probeKafka(opts.brokers, 3000);
    if (probe.healthy) {
      log(`Kafka ready in ${secondsSince(started)} s, pid ${pid}`);
      return pid;
    }
    if (Date.now() >= deadline) {
      throw new StackError(`Kafka did not become ready within ${Math.round(opts.timeoutMs / 1000)} s (${probe.error ?? 'no answer'}); see ${paths.kafka.serverLog}\n--- last log lines ---\n${await tailFile(paths.kafka.serverLog, 15)}`);
    }
    await sleep(500);
  }
}

/**
 * Stops the Kafka this stack started (SIGTERM, up to 60 s for a controlled shutdown,
 * then SIGKILL) and removes its pid and endpoint files.
 *
 * @returns the pid that was stopped, or undefined when none was running.
 */
export async function stopKafka(paths: StackPaths, log: (msg: string) => void): Promise<number | undefined> {
  return stopService('Kafka', await managedKafkaPid(paths), paths.kafka, log);
}
