/**
 * A local single-node Apache Kafka (KRaft, combined broker + controller) run straight
 * from its Maven Central jars: install, format, start (detached), health checks, stop.
 *
 * Listeners: PLAINTEXT on the client port (9092), the KRaft controller on the next one (9093) and
 * SASL_SSL on the one after (9094) for testing secured clients: TLS with a certificate signed by a CA
 * this stack makes (keytool, in `kafka/security/`), SASL mechanisms SCRAM-SHA-256, SCRAM-SHA-512 and
 * PLAIN for one test user whose random password is kept in `kafka/security/credentials.json`
 * (see {@link readKafkaSecurityInfo}). The SCRAM credentials are added at format time
 * (`StorageTool format --add-scram`) on a new data dir, and through the PLAINTEXT listener
 * (`ConfigCommand --alter --add-config SCRAM-SHA-…`) on a data dir formatted before they existed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
 * Broker configuration for one combined KRaft node: clients on `port` (PLAINTEXT), the
 * controller on `port + 1`, SASL_SSL clients on `port + 2` when `security` is given (TLS with
 * its keystore; SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN), data in the stack home.
 */
export function kafkaServerProperties(paths: StackPaths, host: string, port: number, security?: KafkaSecurityFiles): string {
  const controllerPort = port + 1;
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const secure = security ? `,SASL_SSL://${bindHost}:${port + 2}` : '';
  const securityLines = security
    ? [
        `ssl.keystore.type=PKCS12`,
        `ssl.keystore.location=${prop(security.keystore)}`,
        `ssl.keystore.password=${prop(security.keystorePassword)}`,
        `ssl.key.password=${prop(security.keystorePassword)}`,
        `listener.name.sasl_ssl.sasl.enabled.mechanisms=${SASL_MECHANISMS.join(',')}`,
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        // PLAIN checks against the users listed here (user_<name>="<password>").
        `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${security.username}="${security.password}";`,
      ]
    : [];
  return [
    '# Generated by scripts/stack (rewritten on every start).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${bindHost}:${controllerPort}`,
    `listeners=PLAINTEXT://${bindHost}:${port},CONTROLLER://${bindHost}:${controllerPort}${secure}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}${security ? `,SASL_SSL://${host}:${port + 2}` : ''}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${security ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...securityLines,
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

/** SASL mechanisms the SASL_SSL listener offers (Kafka's names). */
export const SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const;
/** The test user of the SASL_SSL listener. */
export const KAFKA_TEST_USER = 'rtas-client';

/** The TLS and SASL material of the SASL_SSL listener, as kept in `kafka/security/`. */
export interface KafkaSecurityFiles {
  /** PEM file of the CA that signed the broker certificate: what clients trust (`--kafka-ca`). */
  caFile: string;
  /** PKCS12 keystore of the broker (its key and certificate chain). */
  keystore: string;
  /** Password of the keystores (random; only in this directory and server.properties). */
  keystorePassword: string;
  /** The test user (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN). */
  username: string;
  /** Its password: random hex, made once per stack home. */
  password: string;
}

/** What a client needs to reach the local SASL_SSL listener; written by {@link startKafka}, read by {@link readKafkaSecurityInfo}. */
export interface KafkaSecurityInfo {
  /** Bootstrap brokers of the SASL_SSL listener (`127.0.0.1:9094`). */
  brokers: string[];
  /** PEM file of the CA to trust. */
  caFile: string;
  username: string;
  password: string;
  /** SASL mechanisms the listener accepts for `username`. */
  mechanisms: string[];
}

/** Where the security material of a stack home lives: `<stack home>/kafka/security/`. */
export function kafkaSecurityDir(paths: StackPaths): string {
  return join(paths.kafka.dir, 'security');
}

/** `<stack home>/kafka/security/credentials.json`: the {@link KafkaSecurityInfo} of the running listener (mode 0600). */
export function kafkaCredentialsFile(paths: StackPaths): string {
  return join(kafkaSecurityDir(paths), 'credentials.json');
}
/** Holds the cluster id whose metadata has the SCRAM credentials of the test user. */
const scramMarkerFile = (paths: StackPaths): string => join(kafkaSecurityDir(paths), 'scram-users.cluster-id');

/**
 * The CA, broker keystore and test credentials of the SASL_SSL listener, made on first use with the
 * JDK's keytool (a CA, a broker key pair whose certificate the CA signs for `localhost`, 127.0.0.1 and
 * `host`) into a temporary directory that is then renamed into place, so a half-made set never stays.
 * Reused as they are afterwards.
 * @throws Error with keytool's output when a keytool step fails.
 */
export async function ensureKafkaSecurityFiles(paths: StackPaths, java: JavaInfo, host: string, log: (msg: string) => void): Promise<KafkaSecurityFiles> {
  const dir = kafkaSecurityDir(paths);
  const files = (d: string, keystorePassword: string, password: string): KafkaSecurityFiles => ({
    caFile: join(d, 'ca.crt'),
    keystore: join(d, 'broker.p12'),
    keystorePassword,
    username: KAFKA_TEST_USER,
    password,
  });
  const stored = await readStoredSecrets(paths);
  if (stored && (await exists(join(dir, 'broker.p12'))) && (await exists(join(dir, 'ca.crt')))) return files(dir, stored.keystorePassword, stored.password);

  log(`making a CA and a broker certificate for Kafka's SASL_SSL listener (keytool) in ${dir}…`);
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const keytool = join(java.home, 'bin', 'keytool');
  const storePass = randomBytes(18).toString('hex');
  const password = randomBytes(18).toString('hex');
  const kt = async (...args: string[]): Promise<void> => {
    try {
      await run(keytool, args, { cwd: tmp, timeout: 60_000 });
    } catch (err) {
      throw new Error((err as Error).message.split(storePass).join('<redacted>'));
    }
  };
  const p12 = ['-storetype', 'PKCS12', '-storepass', storePass, '-keypass', storePass];
  const sans = ['dns:localhost', 'ip:127.0.0.1', ...(host !== 'localhost' && host !== '127.0.0.1' ? [/^[\d.]+$/.test(host) || host.includes(':') ? `ip:${host}` : `dns:${host}`] : [])];
  try {
    await kt('-genkeypair', '-alias', 'ca', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650', '-dname', 'CN=rtas-stack local Kafka CA', '-ext', 'bc:c=ca:true', '-ext', 'ku:c=keyCertSign,cRLSign', '-keystore', 'ca.p12', ...p12);
    await kt('-exportcert', '-rfc', '-alias', 'ca', '-keystore', 'ca.p12', '-storepass', storePass, '-file', 'ca.crt');
    await kt('-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650', '-dname', 'CN=localhost', '-keystore', 'broker.p12', ...p12);
    await kt('-certreq', '-alias', 'broker', '-keystore', 'broker.p12', '-storepass', storePass, '-file', 'broker.csr');
    await kt('-gencert', '-alias', 'ca', '-keystore', 'ca.p12', '-storepass', storePass, '-infile', 'broker.csr', '-outfile', 'broker.crt', '-rfc', '-validity', '3650', '-ext', `san=${sans.join(',')}`, '-ext', 'eku=serverAuth', '-ext', 'ku:c=digitalSignature,keyEncipherment');
    await kt('-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.crt', '-keystore', 'broker.p12', '-storepass', storePass);
    await kt('-importcert', '-noprompt', '-alias', 'broker', '-file', 'broker.crt', '-keystore', 'broker.p12', '-storepass', storePass);
    await writeFile(join(tmp, 'secrets.json'), JSON.stringify({ keystorePassword: storePass, password }) + '\n', { mode: 0o600 });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await chmod(dir, 0o755);
    await chmod(join(dir, 'ca.crt'), 0o644);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return files(dir, storePass, password);
}

async function readStoredSecrets(paths: StackPaths): Promise<{ keystorePassword: string; password: string } | undefined> {
  try {
    const s = JSON.parse(await readFile(join(kafkaSecurityDir(paths), 'secrets.json'), 'utf8')) as { keystorePassword?: unknown; password?: unknown };
    return typeof s.keystorePassword === 'string' && typeof s.password === 'string' ? { keystorePassword: s.keystorePassword, password: s.password } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a client needs to reach this stack home's SASL_SSL listener (brokers, CA file, test user and
 * password), from `kafka/security/credentials.json` (written at every start of Kafka by this tool).
 * @returns undefined when this stack's Kafka has never been started with the listener.
 */
export async function readKafkaSecurityInfo(paths: StackPaths): Promise<KafkaSecurityInfo | undefined> {
  try {
    return JSON.parse(await readFile(kafkaCredentialsFile(paths), 'utf8')) as KafkaSecurityInfo;
  } catch {
    return undefined;
  }
}

/** `SCRAM-SHA-256=[name=u,password=p]`-style values for the two SCRAM mechanisms (`name=` for the storage tool only). */
function scramCredentials(files: KafkaSecurityFiles, withName: boolean): string[] {
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].map((m) => `${m}=[${withName ? `name=${files.username},` : ''}password=${files.password}]`);
}

/** Runs a Kafka tool class; the test password never appears in an error message. */
async function runKafkaTool(paths: StackPaths, java: JavaInfo, files: KafkaSecurityFiles, args: string[]): Promise<void> {
  try {
    await run(java.bin, [...jvmArgs(paths, '256m'), ...args], { timeout: 120_000 });
  } catch (err) {
    throw new Error((err as Error).message.split(files.password).join('<redacted>'));
  }
}

/**
 * Gives the test user its SCRAM-SHA-256 and SCRAM-SHA-512 credentials through the PLAINTEXT listener
 * (`kafka.admin.ConfigCommand --alter --add-config`, stored in the KRaft metadata), unless the marker
 * file says this cluster has them already: for a data dir formatted before the SASL_SSL listener
 * existed, so it needs no reformat.
 * @throws Error (password redacted) when ConfigCommand fails.
 */
async function ensureScramUsers(paths: StackPaths, java: JavaInfo, files: KafkaSecurityFiles, plaintextBroker: string, log: (msg: string) => void): Promise<void> {
  const clusterId = await readClusterId(paths);
  const marked = (await readFile(scramMarkerFile(paths), 'utf8').catch(() => '')).trim();
  if (clusterId && marked === clusterId) return;
  log(`adding the SCRAM credentials of ${files.username} to Kafka (kafka-configs --alter via ${plaintextBroker})…`);
  // One mechanism per request: Kafka refuses to alter one user's credentials twice in a request.
  for (const credential of scramCredentials(files, false)) {
    await runKafkaTool(paths, java, files, [
      'kafka.admin.ConfigCommand', '--bootstrap-server', plaintextBroker, '--alter', '--entity-type', 'users', '--entity-name', files.username,
      '--add-config', credential,
    ]);
  }
  if (clusterId) await writeFile(scramMarkerFile(paths), `${clusterId}\n`);
}

/** The cluster id in the data dir's meta.properties, if formatted. */
async function readClusterId(paths: StackPaths): Promise<string | undefined> {
  const meta = await readFile(join(paths.kafka.data, 'meta.properties'), 'utf8').catch(() => '');
  return /^cluster\.id=(.+)$/m.exec(meta)?.[1]?.trim();
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
 * host:port, and that port and the next two (controller, SASL_SSL) are free.
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
  for (const p of [port, port + 1, port + 2]) {
    if (await tcpOpen(host === 'localhost' ? '127.0.0.1' : host, p)) {
      throw new StackError(`port ${p} on ${host} is taken by something that does not answer as a Kafka broker (Kafka needs ${port} for clients, ${port + 1} for its controller and ${port + 2} for SASL_SSL clients): free it or set KAFKA_BROKERS`);
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
  const security = await ensureKafkaSecurityFiles(paths, java, host, log);
  await writeFile(paths.kafka.config, kafkaServerProperties(paths, host, port, security), { mode: 0o600 });
  await chmod(paths.kafka.config, 0o600); // holds the keystore and test passwords
  await writeFile(paths.kafka.log4jConfig, kafkaLog4jProperties());
  await rm(paths.kafka.pidFile, { force: true });

  if (!(await exists(join(paths.kafka.data, 'meta.properties')))) {
    const clusterId = randomClusterId();
    log(`formatting Kafka storage (cluster id ${clusterId}, SCRAM credentials of ${security.username})…`);
    await runKafkaTool(paths, java, security, [
      'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', paths.kafka.config, '--ignore-formatted',
      ...scramCredentials(security, true).flatMap((c) => ['--add-scram', c]),
    ]);
    await writeFile(scramMarkerFile(paths), `${clusterId}\n`);
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
      // Kafka itself is up: a failure here costs only the SCRAM logins, so it is reported, not thrown.
      await ensureScramUsers(paths, java, security, first, log).catch((err: Error) => log(`warning: the SCRAM credentials could not be added (SASL_SSL logins with SCRAM will fail): ${err.message}`));
      const info: KafkaSecurityInfo = {
        brokers: [`${host.includes(':') ? `[${host}]` : host}:${port + 2}`],
        caFile: security.caFile,
        username: security.username,
        password: security.password,
        mechanisms: [...SASL_MECHANISMS],
      };
      await writeFile(kafkaCredentialsFile(paths), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
      log(`Kafka ready in ${secondsSince(started)} s, pid ${pid}; SASL_SSL on ${info.brokers.join(',')} (CA ${security.caFile}, user and password in ${kafkaCredentialsFile(paths)})`);
      return pid;
    }
    if (Date.now() >= deadline) {
      throw new StackError(`Kafka did not become ready within ${Math.round(opts.timeoutMs / 1000)} s (${probe.error ?? 'no answer'}); see ${paths.kafka.serverLog}\n--- last log lines ---\n${await tailFile(paths.kafka.serverLog, 15)}`);
    }
    await sleep(500);
  }
}

/**
 * A line for `up` when this stack's own Kafka runs but without the SASL_SSL listener on the port after
 * its controller (it was started before the listener existed); undefined otherwise. Never throws.
 */
export async function kafkaSecurityNote(paths: StackPaths, brokers: string[]): Promise<string | undefined> {
  try {
    if ((await managedKafkaPid(paths)) === undefined) return undefined;
    const { host, port } = parseBroker(brokers[0] ?? '');
    if (await tcpOpen(host === 'localhost' ? '127.0.0.1' : host, port + 2)) return undefined;
    return `Kafka runs without its SASL_SSL listener on ${host}:${port + 2} (started before it existed): \`npm run stack -- restart kafka\` adds it`;
  } catch {
    return undefined;
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
