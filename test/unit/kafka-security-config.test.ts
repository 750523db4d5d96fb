/**
 * Kafka TLS/SASL settings (processor/kafka/security.ts) and their place in the config: the `kafka`
 * section's keys, flags and environment variables over the file, the checks, `--print-config`'s
 * redaction, and what kafkajs is given. The real broker is in test/integration/kafka-security.test.ts.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../../processor/config/load.js';
import { applyFlags, kafkaSecurityOf, printableConfig, processorOptionsOf } from '../../processor/config/resolve.js';
import { defaultConfig } from '../../processor/config/schema.js';
import { describeKafkaSecurity, kafkajsSecurity, kafkaSecurityFromOptions, KafkaSecurityConfigError, kafkaSslFromEnv } from '../../processor/kafka/security.js';

const SECRET = 's3cret-Pa55';

describe('the kafka section', () => {
  it('takes ssl, ca, sasl_mechanism, username and password, and hands them to the Kafka input', () => {
    const c = parseConfig(
      `kafka:
  brokers: [k1:9094]
  ca: /etc/kafka/ca.crt
  sasl_mechanism: scram-sha-512
  username: ingest
  password: ${SECRET}
`,
      'c.yaml',
    );
    expect(c.kafka).toMatchObject({ ca: '/etc/kafka/ca.crt', sasl_mechanism: 'scram-sha-512', username: 'ingest', password: SECRET });
    expect(processorOptionsOf(c).kafka?.security).toEqual({ ssl: true, caFile: '/etc/kafka/ca.crt', saslMechanism: 'scram-sha-512', username: 'ingest', password: SECRET });
  });

  it('reports an unknown mechanism at its line and column', () => {
    expect(() => parseConfig('kafka:\n  sasl_mechanism: gssapi\n', 'c.yaml')).toThrow(ConfigError);
    try {
      parseConfig('kafka:\n  sasl_mechanism: gssapi\n', 'c.yaml');
    } catch (err) {
      expect((err as Error).message).toMatch(/^c\.yaml:2:19: kafka\.sasl_mechanism: .*plain.*scram-sha-256.*scram-sha-512/);
    }
  });

  it('a user without a mechanism is a ConfigError naming the options', () => {
    const c = parseConfig('kafka:\n  username: ingest\n', 'c.yaml');
    expect(() => kafkaSecurityOf(c)).toThrow(/needs --kafka-sasl-mechanism/);
  });

  it('flags win over the file and create the section', () => {
    const c = applyFlags(defaultConfig(), { kafka: true, kafkaCa: '/ca.pem', kafkaSaslMechanism: 'plain', kafkaUsername: 'u', kafkaPassword: SECRET });
    expect(c.kafka).toMatchObject({ enabled: true, ca: '/ca.pem', sasl_mechanism: 'plain', username: 'u', password: SECRET });
    const over = applyFlags(parseConfig('kafka:\n  ssl: true\n  sasl_mechanism: plain\n  username: a\n  password: b\n', 'c.yaml'), { kafkaUsername: 'z', kafkaSsl: false });
    expect(over.kafka).toMatchObject({ ssl: false, username: 'z', password: 'b' });
  });

  it('--print-config redacts the Kafka password and stays a valid config', () => {
    const c = applyFlags(defaultConfig(), { kafka: true, kafkaSaslMechanism: 'scram-sha-256', kafkaUsername: 'u', kafkaPassword: SECRET });
    const text = printableConfig(c);
    expect(text).not.toContain(SECRET);
    const printed = parseYaml(text) as { kafka: Record<string, unknown> };
    expect(printed.kafka).toMatchObject({ sasl_mechanism: 'scram-sha-256', username: 'u', password: '<redacted>' });
    expect(parseConfig(text, 'printed.yaml').kafka?.username).toBe('u');
  });
});

describe('kafkaSecurityFromOptions', () => {
  it('falls back to the KAFKA_* variables, options first', () => {
    const env = { KAFKA_CA_CERT: '/env-ca.pem', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_USERNAME: 'env-user', KAFKA_PASSWORD: SECRET };
    expect(kafkaSecurityFromOptions({}, env)).toEqual({ ssl: true, caFile: '/env-ca.pem', saslMechanism: 'scram-sha-256', username: 'env-user', password: SECRET });
    expect(kafkaSecurityFromOptions({ kafkaUsername: 'opt-user' }, env).username).toBe('opt-user');
    expect(kafkaSecurityFromOptions({}, {})).toEqual({});
  });

  it('reads KAFKA_SSL as a boolean (false is false) and refuses anything else', () => {
    expect(kafkaSslFromEnv({ KAFKA_SSL: 'false' })).toBe(false);
    expect(kafkaSslFromEnv({ KAFKA_SSL: 'true' })).toBe(true);
    expect(kafkaSecurityFromOptions({}, { KAFKA_SSL: '1' })).toEqual({ ssl: true });
    expect(() => kafkaSslFromEnv({ KAFKA_SSL: 'maybe' })).toThrow(KafkaSecurityConfigError);
  });

  it('refuses a mechanism without user or password, and never echoes the password', () => {
    expect(() => kafkaSecurityFromOptions({ kafkaSaslMechanism: 'plain', kafkaPassword: SECRET }, {})).toThrow(/needs a user/);
    expect(() => kafkaSecurityFromOptions({ kafkaSaslMechanism: 'plain', kafkaUsername: 'u' }, {})).toThrow(/as u needs a password/);
    try {
      kafkaSecurityFromOptions({ kafkaSaslMechanism: 'kerberos', kafkaUsername: 'u', kafkaPassword: SECRET }, {});
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as Error).message).toMatch(/"kerberos" is not one of plain, scram-sha-256, scram-sha-512/);
      expect((err as Error).message).not.toContain(SECRET);
    }
  });
});

describe('what kafkajs gets', () => {
  it('ssl with the CA text, sasl with mechanism, user and password; nothing for PLAINTEXT', () => {
    const dir = os.tmpdir();
    const ca = path.join(dir, `rtas-kafka-ca-${process.pid}.pem`);
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(kafkajsSecurity({ ssl: true, caFile: ca, saslMechanism: 'scram-sha-512', username: 'u', password: SECRET })).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: SECRET },
    });
    expect(kafkajsSecurity({ ssl: true })).toEqual({ ssl: true });
    expect(kafkajsSecurity({})).toEqual({});
    expect(() => kafkajsSecurity({ caFile: path.join(dir, 'no-such-ca.pem') })).toThrow(/cannot read the Kafka CA certificate .*no-such-ca\.pem \(--kafka-ca \/ KAFKA_CA_CERT\): ENOENT/);
  });

  it('describes the settings for logs without the password', () => {
    const line = describeKafkaSecurity({ ssl: true, caFile: '/ca.pem', saslMechanism: 'scram-sha-256', username: 'u', password: SECRET });
    expect(line).toBe('SASL_SSL, scram-sha-256 as u, CA /ca.pem');
    expect(describeKafkaSecurity({})).toBe('PLAINTEXT');
  });
});
