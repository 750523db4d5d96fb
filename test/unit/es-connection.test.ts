/**
 * The shared Elasticsearch connection options (processor/elasticsearch/connection.ts): option/env
 * precedence, conflicts, redaction, the sentences for unfixable errors, and the Authorization header the
 * client really sends for an API key and for basic auth (captured by a local HTTP listener — this checks
 * our wiring of the client, not Elasticsearch; test/security runs against a real secured cluster).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import {
  addEsConnectionOptions,
  createEsClient,
  describeEsConnection,
  esConnectionFromOptions,
  esHttpAccess,
  explainEsError,
  redactUrl,
} from '../../processor/elasticsearch/connection.js';
import { tempDir } from '../support/stack.js';

const ES_VARS = ['ES_URL', 'ES_CA_CERT', 'ES_API_KEY', 'ES_USERNAME', 'ES_PASSWORD'] as const;
const saved = Object.fromEntries(ES_VARS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ES_VARS) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});
function clearEnv(): void {
  for (const k of ES_VARS) delete process.env[k];
}

describe('esConnectionFromOptions', () => {
  it('takes options first, then ES_* variables, then the local default', () => {
    clearEnv();
    expect(esConnectionFromOptions({})).toEqual({ url: 'http://127.0.0.1:9200' });
    process.env.ES_URL = 'https://es.example:9200/';
    process.env.ES_USERNAME = 'ingest';
    process.env.ES_PASSWORD = 'pw-from-env';
    process.env.ES_CA_CERT = '/etc/ca.pem';
    expect(esConnectionFromOptions({})).toEqual({ url: 'https://es.example:9200', username: 'ingest', password: 'pw-from-env', caFile: '/etc/ca.pem' });
    expect(esConnectionFromOptions({ esUrl: 'https://other:9243', esPassword: 'pw-from-option' })).toMatchObject({ url: 'https://other:9243', password: 'pw-from-option' });
  });

  it('refuses an API key together with a username, and a password without a username', () => {
    clearEnv();
    expect(() => esConnectionFromOptions({ esApiKey: 'k', esUsername: 'u' })).toThrow('not both');
    expect(() => esConnectionFromOptions({ esPassword: 'p' })).toThrow('needs --es-username');
  });

  it('is what addEsConnectionOptions parses, from arguments and from the environment', () => {
    clearEnv();
    process.env.ES_API_KEY = 'key-from-env';
    const cmd = addEsConnectionOptions(new Command('x').exitOverride()).parse(['--es-url', 'https://h:1', '--es-ca', '/ca.pem'], { from: 'user' });
    expect(esConnectionFromOptions(cmd.opts())).toEqual({ url: 'https://h:1', caFile: '/ca.pem', apiKey: 'key-from-env' });
  });

  it('--help names the variables but never shows a secret taken from them', () => {
    clearEnv();
    process.env.ES_PASSWORD = 'help-must-not-show-this';
    process.env.ES_API_KEY = 'nor-this-key';
    const help = addEsConnectionOptions(new Command('x')).helpInformation();
    for (const v of ES_VARS) expect(help).toContain(`env: ${v}`);
    expect(help).not.toContain('help-must-not-show-this');
    expect(help).not.toContain('nor-this-key');
  });
});

describe('redaction', () => {
  it('replaces URL credentials and keeps the rest', () => {
    expect(redactUrl('https://elastic:s3cr3t@127.0.0.1:9200/')).toBe('https://***:***@127.0.0.1:9200');
    expect(redactUrl('http://127.0.0.1:9200')).toBe('http://127.0.0.1:9200');
    expect(redactUrl('not a url://u:p@x')).not.toContain('u:p');
  });

  it('describes a connection by names only', () => {
    const d = describeEsConnection({ url: 'https://u:urlpw@h:9200', username: 'elastic', password: 'pw', caFile: '/ca.pem' });
    expect(d).toBe('https://***:***@h:9200 (basic auth as elastic, CA /ca.pem)');
    expect(describeEsConnection({ url: 'https://h', apiKey: 'abc' })).toBe('https://h (API key)');
  });
});

describe('esHttpAccess', () => {
  it('gives the Authorization header for an API key (encoded or id:key) and for basic auth, and a URL without credentials', () => {
    expect(esHttpAccess({ url: 'https://h:9200', apiKey: 'ZW5jb2RlZA==' }).headers.authorization).toBe('ApiKey ZW5jb2RlZA==');
    expect(esHttpAccess({ url: 'https://h:9200', apiKey: 'id1:secret1' }).headers.authorization).toBe(`ApiKey ${Buffer.from('id1:secret1').toString('base64')}`);
    const fromUrl = esHttpAccess({ url: 'https://elastic:p%40ss@h:9200' });
    expect(fromUrl).toEqual({ url: 'https://h:9200', headers: { authorization: `Basic ${Buffer.from('elastic:p@ss').toString('base64')}` } });
  });

  it('reads the CA file, and names it when it is missing or not PEM', () => {
    const dir = tempDir('ca');
    const bad = path.join(dir, 'bad.pem');
    writeFileSync(bad, 'not a certificate');
    expect(() => esHttpAccess({ url: 'https://h', caFile: path.join(dir, 'missing.pem') })).toThrow(/cannot read the CA certificate .*missing\.pem .*ENOENT/);
    expect(() => esHttpAccess({ url: 'https://h', caFile: bad })).toThrow(`${bad} (--es-ca / ES_CA_CERT) holds no PEM certificate`);
  });
});

describe('explainEsError', () => {
  const conn = { url: 'https://elastic:pw@h:9200', caFile: '/ca.pem' };
  it('names an untrusted certificate, refused credentials and a missing privilege, without the secret', () => {
    const tls = explainEsError(Object.assign(new Error('self-signed certificate in certificate chain'), { name: 'ConnectionError' }), conn)!;
    expect(tls).toContain('TLS: the certificate of Elasticsearch at https://***:***@h:9200 is not trusted');
    expect(tls).toContain('not signed by the CA in /ca.pem');
    expect(explainEsError({ meta: { statusCode: 401 }, message: 'security_exception' }, conn)).toContain('refused the credentials (401)');
    expect(explainEsError({ meta: { statusCode: 401 }, message: 'x' }, { url: 'https://h' })).toContain('needs credentials (401)');
    expect(explainEsError({ meta: { statusCode: 403 }, message: 'action [indices:data/write/bulk] is unauthorized' }, conn)).toContain('lacks a privilege');
    for (const s of [tls]) expect(s).not.toContain(':pw@');
  });

  it('leaves retryable errors alone', () => {
    expect(explainEsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9200'), { code: 'ECONNREFUSED' }), conn)).toBeUndefined();
    expect(explainEsError({ meta: { statusCode: 503 }, message: 'unavailable' }, conn)).toBeUndefined();
  });
});

describe('createEsClient', () => {
  /** Serves one request and resolves with its headers. */
  async function captureHeaders(make: (url: string) => ReturnType<typeof createEsClient>): Promise<IncomingHttpHeaders> {
    let headers: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      headers = req.headers;
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end('{"cluster_name":"x","status":"green"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = make(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    try {
      await client.cluster.health();
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
    return headers;
  }

  it('sends ApiKey for an encoded key and for id:key, Basic for a username, nothing without credentials', async () => {
    clearEnv();
    expect((await captureHeaders((url) => createEsClient({ url, apiKey: 'ZW5jb2RlZA==' }))).authorization).toBe('ApiKey ZW5jb2RlZA==');
    expect((await captureHeaders((url) => createEsClient({ url, apiKey: 'id1:secret1' }))).authorization).toBe(`ApiKey ${Buffer.from('id1:secret1').toString('base64')}`);
    expect((await captureHeaders((url) => createEsClient({ url, username: 'elastic', password: 'pw' }))).authorization).toBe(`Basic ${Buffer.from('elastic:pw').toString('base64')}`);
    expect((await captureHeaders((url) => createEsClient(url))).authorization).toBeUndefined();
    process.env.ES_API_KEY = 'ZnJvbS1lbnY=';
    expect((await captureHeaders((url) => createEsClient(url))).authorization).toBe('ApiKey ZnJvbS1lbnY=');
  });
});
