/**
 * Secured Kafka against the real local broker: its SASL_SSL listener (`npm run stack -- up`; port 9094,
 * a CA of the stack's own, SCRAM-SHA-256/512 and PLAIN for the test user in
 * `<STACK_HOME>/kafka/security/credentials.json`).
 *
 * - Produced through the project's producer factory (generators/kafka/producer.ts) with SCRAM-SHA-512,
 *   consumed by the processor (its Kafka source, processor/kafka/client.ts `createKafka`) with
 *   SCRAM-SHA-256, indexed in Elasticsearch: every message one document.
 * - A wrong password fails at once with a `KafkaSecurityError` naming mechanism and user (processor and
 *   producer, and the processor CLI with exit code 1); a CA that did not sign the broker's certificate
 *   fails with a TLS certificate-verification error; TLS to the PLAINTEXT port says the listener does not
 *   speak TLS. Jest's timeout is the only time limit: a hang fails the test.
 * - No secret anywhere: every pino line the processor and the producer logged, every error message and
 *   the CLI's stdout/stderr (`--print-config` included) are searched for the passwords.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino, { type Logger } from 'pino';
import { connectIdempotentProducer, createKafkaClient, SEND_ACKS, warmUpTopic } from '../../generators/kafka/producer.js';
import { checkKafkaTls, KafkaSecurityError, type KafkaSecurity } from '../../processor/kafka/security.js';
import { startProcessor } from '../../processor/processor.js';
import { readKafkaSecurityInfo, type KafkaSecurityInfo } from '../../scripts/stack/kafka.js';
import { stackPaths } from '../../scripts/stack/paths.js';
import { spawnTsx } from '../support/processes.js';
import { brokers as plaintextBrokers } from '../support/kafka.js';
import { countDocs, es, esUrl, realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '').slice(0, 500);

let info: KafkaSecurityInfo;
/** A CA that did not sign the broker's certificate (made here with openssl). */
let otherCa: string;
/** Everything any logger of these tests wrote, one string per line. */
const logged: string[] = [];
/** A pino logger at debug whose lines land in {@link logged}. */
function capturingLogger(): Logger {
  return pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    }),
  );
}
const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;

beforeAll(() => {
  return readKafkaSecurityInfo(stackPaths()).then((i) => {
    if (!i) throw new Error(`no SASL_SSL listener in ${stackPaths().kafka.dir}: run \`npm run stack -- up\` (or \`npm run stack -- restart kafka\` for a Kafka started before the listener existed)`);
    info = i;
    const dir = tempDir('kafka-other-ca');
    otherCa = path.join(dir, 'ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'ca.key'), '-out', otherCa, '-days', '2', '-subj', '/CN=not the Kafka CA'], { stdio: 'ignore' });
  });
});

afterAll(async () => {
  await es.close();
});

const secure = (mechanism: KafkaSecurity['saslMechanism'], overrides: Partial<KafkaSecurity> = {}): KafkaSecurity => ({
  ssl: true,
  caFile: info.caFile,
  saslMechanism: mechanism,
  username: info.username,
  password: info.password,
  ...overrides,
});

/** Sends `values` to `topic` over SASL_SSL with the project's producer settings. */
async function produceSecure(topic: string, values: string[], security: KafkaSecurity): Promise<void> {
  const kafka = createKafkaClient({ clientId: 'kafka-security-test', brokers: info.brokers, log: capturingLogger(), security });
  const producer = await connectIdempotentProducer(kafka, { brokers: info.brokers, security });
  try {
    await warmUpTopic(producer, topic);
    for (let i = 0; i < values.length; i += 100) {
      await producer.send({ topic, acks: SEND_ACKS, messages: values.slice(i, i + 100).map((value) => ({ value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** What a rejected promise rejected with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(info.password);
  expect(text).not.toContain(wrongPassword);
}

describe('Kafka over SASL_SSL (real broker)', () => {
  it('produce with SCRAM-SHA-512 → the processor consumes with SCRAM-SHA-256 → every message indexed', async () => {
    const namespace = uniqueNamespace('ksec');
    const topic = `test.${namespace}`;
    await produceSecure(topic, lines, secure('scram-sha-512'));
    const handle = await startProcessor({
      kafka: { brokers: info.brokers, groupId: `g-${namespace}`, topics: [`${topic}=weblogs`], security: secure('scram-sha-256') },
      once: true,
      esUrl,
      namespace,
      dataDir: tempDir('ksec'),
      windows: false,
      transformThreads: 0,
      log: capturingLogger(),
    });
    expect(await handle.done).toMatchObject({ lines: lines.length, indexed: lines.length, rejected: 0 });
    expect(await countDocs(`logs-weblogs.access-${namespace}`)).toBe(lines.length);
  });

  it('PLAIN over TLS works with the same user', async () => {
    await produceSecure(`test.${uniqueNamespace('kplain')}`, lines.slice(0, 10), secure('plain'));
  });

  it('a wrong password fails at once with the mechanism and the user named, not the password', async () => {
    const bad = secure('scram-sha-256', { password: wrongPassword });
    const err = await rejection(
      startProcessor({
        kafka: { brokers: info.brokers, groupId: 'g-never', topics: ['test.never=weblogs'], security: bad },
        once: true, esUrl, namespace: uniqueNamespace('kbad'), dataDir: tempDir('kbad'), windows: false, transformThreads: 0, log: capturingLogger(),
      }),
    );
    expect(err).toBeInstanceOf(KafkaSecurityError);
    expect(err.message).toMatch(/^Kafka SASL authentication failed \(SCRAM-SHA-256 as user "rtas-client"\) at 127\.0\.0\.1:\d+: .*invalid credentials/);
    expectNoSecret(err.message);

    const perr = await rejection(produceSecure('test.never', ['x'], secure('scram-sha-512', { password: wrongPassword })));
    expect(perr.message).toMatch(/SASL authentication failed \(SCRAM-SHA-512 as user "rtas-client"\)/);
    expectNoSecret(perr.message);
  });

  it('a CA that did not sign the broker certificate fails with a TLS verification error', async () => {
    const err = await rejection(
      startProcessor({
        kafka: { brokers: info.brokers, groupId: 'g-never', topics: ['test.never=weblogs'], security: secure('scram-sha-256', { caFile: otherCa }) },
        once: true, esUrl, namespace: uniqueNamespace('kca'), dataDir: tempDir('kca'), windows: false, transformThreads: 0, log: capturingLogger(),
      }),
    );
    expect(err).toBeInstanceOf(KafkaSecurityError);
    expect((err as KafkaSecurityError).kind).toBe('tls');
    expect(err.message).toContain('certificate verification failed');
    expect(err.message).toContain(otherCa);
    expectNoSecret(err.message);

    // No CA at all: the system CAs do not know the stack's CA either.
    const sys = await rejection(produceSecure('test.never', ['x'], secure('scram-sha-256', { caFile: undefined })));
    expect(sys.message).toMatch(/certificate verification failed .*system CAs/);
  });

  it('TLS to the PLAINTEXT listener says the listener does not speak TLS', async () => {
    const err = await rejection(checkKafkaTls(plaintextBrokers, secure('scram-sha-256')));
    expect(err).toBeInstanceOf(KafkaSecurityError);
    expect(err.message).toMatch(/does this listener speak TLS/);
  });

  it('the processor CLI: a wrong password exits 1 with a clear line; --print-config redacts; no password in any output', async () => {
    const args = [
      '--kafka', '--brokers', info.brokers.join(','), '--topics', 'test.never=weblogs', '--kafka-ca', info.caFile,
      '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', info.username,
      '--once', '--no-metrics', '--no-windows', '--transform-threads', '0', '--data-dir', tempDir('kcli'), '--namespace', uniqueNamespace('kcli'), '--es-url', esUrl,
    ];
    const bad = spawnTsx('processor/cli.ts', args, { KAFKA_PASSWORD: wrongPassword, LOG_LEVEL: 'debug' });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('Kafka SASL authentication failed (SCRAM-SHA-512 as user \\"rtas-client\\")');
    expectNoSecret(bad.stdout() + bad.stderr());

    const printed = spawnTsx('processor/cli.ts', [...args, '--print-config'], { KAFKA_PASSWORD: info.password });
    expect(await printed.exited).toBe(0);
    expect(printed.stdout()).toMatch(/^ {2}password: <redacted>$/m);
    expect(printed.stdout()).toMatch(/^ {2}sasl_mechanism: scram-sha-512$/m);
    expectNoSecret(printed.stdout() + printed.stderr());
  });

  it('no password in anything the loggers wrote', () => {
    expect(logged.length).toBeGreaterThan(0);
    expectNoSecret(logged.join(''));
  });
});
