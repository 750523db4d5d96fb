/**
 * How every Kafka client of the project reaches a secured broker: TLS (`--kafka-ssl`, `--kafka-ca`)
 * and SASL (`--kafka-sasl-mechanism`, `--kafka-username`, `--kafka-password`) — one set of
 * command-line options (with environment variables named like the `ES_*` ones) and one conversion to
 * kafkajs's own `ssl` and `sasl` settings, shared by the processor, the generators, `replay` and
 * `npm start`. kafkajs does the TLS handshake (Node's `tls`) and the SASL exchange; nothing here is
 * cryptography.
 *
 * | option | environment | config key (`kafka:`) | meaning |
 * | --- | --- | --- | --- |
 * | `--kafka-ssl` | `KAFKA_SSL=true` | `ssl` | TLS to the brokers, trusting the system CAs (or `--kafka-ca`) |
 * | `--kafka-ca <file>` | `KAFKA_CA_CERT` | `ca` | PEM file of the CA that signed the brokers' certificates (implies TLS) |
 * | `--kafka-sasl-mechanism <m>` | `KAFKA_SASL_MECHANISM` | `sasl_mechanism` | `plain`, `scram-sha-256` or `scram-sha-512` |
 * | `--kafka-username <name>` | `KAFKA_USERNAME` | `username` | SASL user |
 * | `--kafka-password <pw>` | `KAFKA_PASSWORD` | `password` | SASL password (prefer the variable: arguments show in `ps`) |
 *
 * The password lives only in the {@link KafkaSecurity} object and in kafkajs's connection; it is in no
 * log line, no error message of this module and no printed configuration.
 *
 * This module does not load kafkajs (types only), so a CLI can add the options without it.
 */
import tls from 'node:tls';
import { Option, type Command } from 'commander';
import { readPemCertificate } from '../config/pem.js';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** SASL mechanisms the options accept (kafkajs's names). */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** TLS and SASL settings of a Kafka client. Empty: PLAINTEXT, as before. */
export interface KafkaSecurity {
  /** TLS to the brokers (true also when only `caFile`/`ca` is given). */
  ssl?: boolean;
  /** Path of a PEM file with the CA certificate(s) to trust instead of the system CAs. */
  caFile?: string;
  /** PEM text of the CA certificate(s); read from `caFile` when not given. */
  ca?: string;
  saslMechanism?: SaslMechanism;
  username?: string;
  password?: string;
}

/** The option values {@link addKafkaSecurityOptions} adds to a commander program (camel-cased names). */
export interface KafkaSecurityOptionValues {
  kafkaSsl?: boolean;
  kafkaCa?: string;
  kafkaSaslMechanism?: string;
  kafkaUsername?: string;
  kafkaPassword?: string;
}

/** The environment variables of the options, by option value name. */
export const KAFKA_SECURITY_ENV = {
  kafkaSsl: 'KAFKA_SSL',
  kafkaCa: 'KAFKA_CA_CERT',
  kafkaSaslMechanism: 'KAFKA_SASL_MECHANISM',
  kafkaUsername: 'KAFKA_USERNAME',
  kafkaPassword: 'KAFKA_PASSWORD',
} as const satisfies Record<keyof KafkaSecurityOptionValues, string>;

/** A problem with the security settings themselves (not with the broker): a usage error. */
export class KafkaSecurityConfigError extends Error {
  override name = 'KafkaSecurityConfigError';
}

/**
 * A connection refused for security reasons: TLS (the broker's certificate is not trusted, the
 * listener does not speak TLS) or SASL (wrong user or password, mechanism not enabled). Never retried;
 * the message names the broker, the mechanism, the user and the CA file, never the password.
 */
export class KafkaSecurityError extends Error {
  override name = 'KafkaSecurityError';
  constructor(
    message: string,
    /** `tls` or `sasl`. */
    readonly kind: 'tls' | 'sasl',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Adds `--kafka-ssl`, `--kafka-ca`, `--kafka-sasl-mechanism`, `--kafka-username` and
 * `--kafka-password`, each also read from its environment variable (which `--help` names; the password
 * is never shown as a default). `KAFKA_SSL` is read by {@link kafkaSslFromEnv}, not by commander, which
 * would take `KAFKA_SSL=false` for true. `suffix` is appended to each description (e.g. " (with --kafka)").
 * @returns the same command, for chaining.
 */
export function addKafkaSecurityOptions(cmd: Command, suffix = ''): Command {
  return cmd
    .addOption(new Option('--kafka-ssl', `connect to the Kafka brokers with TLS (system CAs unless --kafka-ca; env: KAFKA_SSL=true)${suffix}`))
    .addOption(new Option('--kafka-ca <file>', `PEM file of the CA that signed the Kafka brokers' certificates (implies --kafka-ssl)${suffix}`).env(KAFKA_SECURITY_ENV.kafkaCa))
    .addOption(
      new Option('--kafka-sasl-mechanism <mechanism>', `SASL authentication to Kafka (needs --kafka-username and --kafka-password)${suffix}`)
        .choices(SASL_MECHANISMS)
        .env(KAFKA_SECURITY_ENV.kafkaSaslMechanism),
    )
    .addOption(new Option('--kafka-username <name>', `Kafka SASL user${suffix}`).env(KAFKA_SECURITY_ENV.kafkaUsername))
    .addOption(new Option('--kafka-password <password>', `password of --kafka-username; prefer the variable (arguments show in ps)${suffix}`).env(KAFKA_SECURITY_ENV.kafkaPassword));
}

/** `true`/`1`/`yes`/`on` → true, `false`/`0`/`no`/`off`/empty → false. @throws KafkaSecurityConfigError otherwise. */
function parseBool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new KafkaSecurityConfigError(`${name}: expected true or false, got "${value}"`);
}

/**
 * `KAFKA_SSL` as a boolean (`true`/`1`/`yes`/`on`, `false`/`0`/`no`/`off`), undefined when unset or empty.
 * @throws KafkaSecurityConfigError for any other value.
 */
export function kafkaSslFromEnv(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const v = env.KAFKA_SSL;
  return v === undefined || v.trim() === '' ? undefined : parseBool(v, 'KAFKA_SSL');
}

/**
 * The security settings described by option values (or config keys mapped to them), falling back to
 * the environment for anything not given, so a caller that did not add the options still honours
 * `KAFKA_SSL`, `KAFKA_CA_CERT`, `KAFKA_SASL_MECHANISM`, `KAFKA_USERNAME` and `KAFKA_PASSWORD`.
 * @throws KafkaSecurityConfigError for an unknown mechanism, a mechanism without user and password, a
 *   user or password without a mechanism, or a `KAFKA_SSL` that is not a boolean.
 */
export function kafkaSecurityFromOptions(o: KafkaSecurityOptionValues = {}, env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const given = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const ssl = o.kafkaSsl ?? kafkaSslFromEnv(env);
  const caFile = given(o.kafkaCa) ?? given(env.KAFKA_CA_CERT);
  const mechanismText = given(o.kafkaSaslMechanism) ?? given(env.KAFKA_SASL_MECHANISM);
  const username = given(o.kafkaUsername) ?? given(env.KAFKA_USERNAME);
  const password = o.kafkaPassword ?? env.KAFKA_PASSWORD;
  let saslMechanism: SaslMechanism | undefined;
  if (mechanismText !== undefined) {
    const m = mechanismText.toLowerCase();
    if (!(SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new KafkaSecurityConfigError(`--kafka-sasl-mechanism / KAFKA_SASL_MECHANISM: "${mechanismText}" is not one of ${SASL_MECHANISMS.join(', ')}`);
    }
    saslMechanism = m as SaslMechanism;
    if (!username) throw new KafkaSecurityConfigError(`SASL ${saslMechanism} needs a user: --kafka-username / KAFKA_USERNAME`);
    if (password === undefined) throw new KafkaSecurityConfigError(`SASL ${saslMechanism} as ${username} needs a password: --kafka-password / KAFKA_PASSWORD`);
  } else if (username !== undefined || password !== undefined) {
    throw new KafkaSecurityConfigError('a Kafka user or password needs --kafka-sasl-mechanism / KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)');
  }
  return {
    ...(ssl || caFile ? { ssl: true } : ssl === false ? { ssl: false } : {}),
    ...(caFile ? { caFile } : {}),
    ...(saslMechanism ? { saslMechanism, username, password } : {}),
  };
}

/** True when the settings ask for TLS. */
export function usesTls(sec: KafkaSecurity): boolean {
  return !!(sec.ssl || sec.caFile || sec.ca);
}

/**
 * PEM text of the CA, if any.
 * @throws KafkaSecurityConfigError naming the file when it cannot be read or holds no PEM certificate.
 */
export function readKafkaCa(sec: KafkaSecurity): string | undefined {
  if (sec.ca) return sec.ca;
  if (!sec.caFile) return undefined;
  return readPemCertificate(sec.caFile, 'Kafka CA certificate', '--kafka-ca / KAFKA_CA_CERT', (m) => new KafkaSecurityConfigError(m));
}

/**
 * kafkajs's `ssl` and `sasl` client settings for `sec` (nothing for PLAINTEXT): `ssl: { ca: [pem] }`
 * with a CA, `ssl: true` for the system CAs; `sasl: { mechanism, username, password }`.
 * @throws KafkaSecurityConfigError when the CA file cannot be read.
 */
export function kafkajsSecurity(sec: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const ca = readKafkaCa(sec);
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (usesTls(sec)) out.ssl = ca ? { ca: [ca] } : true;
  if (sec.saslMechanism) out.sasl = { mechanism: sec.saslMechanism, username: sec.username ?? '', password: sec.password ?? '' } as SASLOptions;
  return out;
}

/** One line for logs: `SASL_SSL, scram-sha-512 as rtas-client, CA /etc/kafka/ca.crt` — names, never the password. */
export function describeKafkaSecurity(sec: KafkaSecurity): string {
  const protocol = `${sec.saslMechanism ? 'SASL_' : ''}${usesTls(sec) ? 'SSL' : 'PLAINTEXT'}`;
  return [
    protocol,
    ...(sec.saslMechanism ? [`${sec.saslMechanism} as ${sec.username}`] : []),
    ...(sec.caFile ? [`CA ${sec.caFile}`] : sec.ca ? ['CA given'] : usesTls(sec) ? ['system CAs'] : []),
  ].join(', ');
}

/** The settings as a config file shows them: the password replaced by `redacted`. */
export function redactKafkaSecurity(sec: KafkaSecurity, redacted = '<redacted>'): KafkaSecurity {
  return sec.password !== undefined ? { ...sec, password: redacted } : sec;
}

/** OpenSSL/Node codes of a certificate the client does not trust or that does not match the host. */
const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS error of a failed handshake as a {@link KafkaSecurityError}, or undefined for a plain network error (refused, reset before TLS…). */
function tlsFailure(err: NodeJS.ErrnoException, broker: string, sec: KafkaSecurity): KafkaSecurityError | undefined {
  const code = String(err.code ?? '');
  const trust = sec.caFile ? `the CA in ${sec.caFile} (--kafka-ca / KAFKA_CA_CERT)` : sec.ca ? 'the given CA' : 'the system CAs (give the brokers\' CA with --kafka-ca / KAFKA_CA_CERT)';
  if (CERT_CODES.has(code)) {
    return new KafkaSecurityError(`TLS to Kafka broker ${broker} failed: certificate verification failed (${err.message}, ${code}); trusted: ${trust}`, 'tls', { cause: err });
  }
  if (code.startsWith('ERR_SSL_') || /wrong version number|packet length too long|unknown protocol|before secure TLS connection was established/i.test(err.message)) {
    return new KafkaSecurityError(`TLS to Kafka broker ${broker} failed: ${err.message} (${code || 'no code'}); does this listener speak TLS (SSL or SASL_SSL)?`, 'tls', { cause: err });
  }
  return undefined;
}

/**
 * With TLS configured, makes one TLS handshake with the first bootstrap broker that accepts a TCP
 * connection, with the same CA and server-name rules as kafkajs (Node's `tls.connect`, `servername`
 * for a host name), so a certificate the client does not trust fails at once with a clear error
 * instead of after kafkajs's retries of what it takes for a network error (up to a minute or more).
 * Brokers that do not answer are skipped (kafkajs waits for them as usual). Does nothing without TLS.
 * `timeoutMs` bounds each handshake.
 * @throws KafkaSecurityError (kind `tls`) for an untrusted certificate, a host name the certificate
 *   does not cover, or a listener that does not speak TLS; KafkaSecurityConfigError for an unreadable CA.
 */
export async function checkKafkaTls(brokers: string[], sec: KafkaSecurity, timeoutMs = 10_000): Promise<void> {
  if (!usesTls(sec)) return;
  const ca = readKafkaCa(sec);
  for (const broker of brokers) {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(broker.trim());
    if (!m) continue;
    const [host, port] = [m[1]!, Number(m[2])];
    const failure = await new Promise<KafkaSecurityError | 'ok' | 'unreachable'>((resolve) => {
      const socket = tls.connect({ host, port, ...(ca ? { ca: [ca] } : {}), ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }) });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve('unreachable');
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.end();
        resolve('ok');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(tlsFailure(err, broker, sec) ?? 'unreachable');
      });
    });
    if (failure === 'ok') return;
    if (failure !== 'unreachable') throw failure;
  }
}

/**
 * `err` (a kafkajs error, or one that has it as a cause) as a {@link KafkaSecurityError} when it is a
 * SASL authentication failure or a TLS certificate error: the message names the mechanism, the user,
 * the brokers and where the settings come from, plus kafkajs's (password-free) reason. Any other
 * error is returned unchanged.
 */
export function explainKafkaError(err: unknown, brokers: string[], sec: KafkaSecurity): unknown {
  for (let e = err as { name?: string; message?: string; code?: string; cause?: unknown } | undefined; e && typeof e === 'object'; e = e.cause as typeof e) {
    if (e instanceof KafkaSecurityError) return e;
    if (e.name === 'KafkaJSSASLAuthenticationError') {
      const who = sec.saslMechanism ? `${sec.saslMechanism.toUpperCase()} as user "${sec.username}"` : 'SASL';
      return new KafkaSecurityError(
        `Kafka SASL authentication failed (${who}) at ${brokers.join(',')}: ${e.message}; check --kafka-username / KAFKA_USERNAME, --kafka-password / KAFKA_PASSWORD and --kafka-sasl-mechanism / KAFKA_SASL_MECHANISM`,
        'sasl',
        { cause: err },
      );
    }
    if (e.name === 'KafkaJSConnectionError' && e.code) {
      const tlsErr = tlsFailure(Object.assign(new Error(String(e.message).replace(/^Connection error: /, '')), { code: e.code }), brokers.join(','), sec);
      if (tlsErr) return tlsErr;
    }
  }
  return err;
}
