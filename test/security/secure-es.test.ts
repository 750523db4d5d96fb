/**
 * The commands against an Elasticsearch with security and TLS on: a separate instance (own home, ports,
 * keystore and certificates made in the test; see test/support/secure-es.ts), never the shared one.
 * The processor indexes real sample lines with the CA and basic auth; an untrusted CA, a wrong password,
 * an unknown API key and plain HTTP to the TLS port fail at once with a clear sentence; the export CLI
 * takes the same options from the environment; no secret ever appears in what the commands print.
 *
 * API keys: this distribution (integ-test-zip) cannot create one — the `.security` index is defined with
 * analysis-common's `pattern_capture` filter, a module it lacks — so the key path is shown by a real 401
 * for an unknown key here; with a full distribution the same test indexes with a real key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEsClient, esHttpAccess } from '../../processor/elasticsearch/connection.js';
import { ensureStack } from '../../scripts/stack/stack.js';
import { spawnTsx, type Child } from '../support/processes.js';
import { startSecureEs, type SecureEs } from '../support/secure-es.js';
import { realAccessLog, tempDir, uniqueNamespace } from '../support/stack.js';

const LINES = 1000;
let es: SecureEs;
let inputDir: string;

/** Environment without any ES_* setting inherited from the shell running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  for (const k of ['ES_URL', 'ES_CA_CERT', 'ES_API_KEY', 'ES_USERNAME', 'ES_PASSWORD']) delete env[k];
  return { ...env, ...extra };
}

/** Runs the processor once over the input; returns exit code and everything it printed. */
async function processOnce(args: string[], env: Record<string, string>): Promise<{ code: number | string; out: string; err: string }> {
  const child = spawnTsx('processor/cli.ts', ['--watch', inputDir, '--once', '--no-metrics', '--data-dir', tempDir('secure-data'), ...args], cleanEnv(env));
  const code = await child.exited;
  return { code, out: child.stdout(), err: child.stderr() };
}

function expectNoSecret(text: string, ...secrets: (string | undefined)[]): void {
  for (const s of secrets) if (s) expect(text.includes(s)).toBe(false);
  expect(text).not.toMatch(/authorization"?\s*[:=]\s*"?(Basic|ApiKey) [A-Za-z0-9+/=_-]{8,}/i);
}

async function countIn(namespace: string): Promise<number> {
  const client = createEsClient({ url: es.url, caFile: es.caFile, username: 'elastic', password: es.password });
  try {
    const index = `logs-weblogs.access-${namespace}`;
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  es = await startSecureEs();
  inputDir = tempDir('secure-in');
  const head = readFileSync(realAccessLog, 'utf8').split('\n').slice(0, LINES).join('\n') + '\n';
  writeFileSync(path.join(inputDir, 'access.log'), head);
}, 400_000);

afterAll(async () => {
  await es?.stop();
}, 120_000);

describe('commands against Elasticsearch with security and TLS on', () => {
  it('the processor indexes the real sample over https with the CA and basic auth, printing no secret', async () => {
    const namespace = uniqueNamespace('sec');
    const r = await processOnce(['--es-url', es.url, '--es-ca', es.caFile, '--es-username', 'elastic', '--namespace', namespace], { ES_PASSWORD: es.password });
    expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(r.out.trim().split('\n').pop()!) as { indexed: number; rejected: number };
    expect(summary).toMatchObject({ indexed: LINES, rejected: 0 });
    expect(await countIn(namespace)).toBe(LINES);
    expectNoSecret(r.out + r.err, es.password);
  });

  it('credentials in the URL and the CA from ES_CA_CERT work too, and never show in the output', async () => {
    const namespace = uniqueNamespace('secu');
    const url = es.url.replace('https://', `https://elastic:${encodeURIComponent(es.password)}@`);
    const r = await processOnce(['--namespace', namespace], { ES_URL: url, ES_CA_CERT: es.caFile });
    expect(r.code).toBe(0);
    expect(await countIn(namespace)).toBe(LINES);
    expectNoSecret(r.out + r.err, es.password, encodeURIComponent(es.password));
  });

  it('with the API key: indexes when the distribution can make keys, else an unknown key is refused with 401', async () => {
    const namespace = uniqueNamespace('seck');
    if (es.apiKey) {
      const r = await processOnce(['--es-url', es.url, '--es-ca', es.caFile, '--namespace', namespace], { ES_API_KEY: es.apiKey });
      expect(r.code).toBe(0);
      expect(await countIn(namespace)).toBe(LINES);
      expectNoSecret(r.out + r.err, es.apiKey, es.apiKeyIdAndKey?.split(':')[1]);
    } else {
      expect(es.apiKeyError).toMatch(/pattern_capture/);
      const fakeKey = Buffer.from('rtas-unknown-id:rtas-unknown-secret-value').toString('base64');
      const r = await processOnce(['--es-url', es.url, '--es-ca', es.caFile, '--namespace', namespace], { ES_API_KEY: fakeKey });
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Elasticsearch at ${es.url} refused the credentials (401)`);
      expectNoSecret(r.out + r.err, fakeKey, 'rtas-unknown-secret-value');
    }
  });

  it('what cannot work fails at once with a clear sentence and no secret: wrong CA, no CA, wrong password, http to the TLS port', async () => {
    // independent processes, run side by side to keep the suite short
    const withUrlCredentials = es.url.replace('https://', `https://elastic:${encodeURIComponent(es.password)}@`);
    const wrong = 'wrong-password-rtas-7f3a';
    const [wrongCa, noCa, wrongPassword, http] = await Promise.all([
      processOnce(['--es-url', withUrlCredentials, '--es-ca', es.wrongCaFile], {}),
      processOnce(['--es-url', es.url, '--es-username', 'elastic'], { ES_PASSWORD: es.password }),
      processOnce(['--es-url', es.url, '--es-ca', es.caFile, '--es-username', 'elastic'], { ES_PASSWORD: wrong }),
      processOnce(['--es-url', es.url.replace('https://', 'http://')], {}),
    ]);

    expect(wrongCa.code).toBe(1);
    expect(wrongCa.err).toContain(`TLS: the certificate of Elasticsearch at ${es.url.replace('https://', 'https://***:***@')} is not trusted`);
    expect(wrongCa.err).toContain(`not signed by the CA in ${es.wrongCaFile}`);
    expectNoSecret(wrongCa.out + wrongCa.err, es.password, encodeURIComponent(es.password));

    expect(noCa.code).toBe(1);
    expect(noCa.err).toContain('give the CA that signed it with --es-ca <file> / ES_CA_CERT');
    expectNoSecret(noCa.out + noCa.err, es.password);

    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.err).toContain('refused the credentials (401)');
    expectNoSecret(wrongPassword.out + wrongPassword.err, wrong);

    expect(http.code).toBe(1);
    expect(http.err).toContain('if it serves HTTPS, use an https:// URL');
  });

  it("npm start's stack check takes the secured cluster as running (starts nothing), and says when credentials are missing", async () => {
    const { headers, ca } = esHttpAccess({ url: es.url, caFile: es.caFile, username: 'elastic', password: es.password });
    const r = await ensureStack({ kafka: false, esUrl: es.url, esAccess: { headers, ...(ca ? { ca } : {}) } });
    expect(r).toMatchObject({ esUrl: es.url, startedEs: false, startedKafka: false });
    await expect(ensureStack({ kafka: false, esUrl: es.url, esAccess: { ...(ca ? { ca } : {}) } })).rejects.toThrow(/HTTP 401: credentials required/);
    await expect(ensureStack({ kafka: false, esUrl: es.url, esAccess: { headers } })).rejects.toThrow(/TLS: certificate not trusted/);
  });

  it('export:s3 snapshot takes the same options from ES_* variables; without credentials it says what to give', async () => {
    const ok = spawnTsx('scripts/export/cli.ts', ['snapshot', '--es-url', es.url, '--indices', 'logs-*'], cleanEnv({ ES_CA_CERT: es.caFile, ES_USERNAME: 'elastic', ES_PASSWORD: es.password }));
    const denied = spawnTsx('scripts/export/cli.ts', ['snapshot', '--es-url', es.url, '--es-ca', es.caFile], cleanEnv({}));
    const [okCode, deniedCode] = await Promise.all([ok.exited, denied.exited]);
    expect(okCode).toBe(0);
    expect(JSON.parse(ok.stdout().trim())).toMatchObject({ state: 'SUCCESS' });
    expectNoSecret(ok.stdout() + ok.stderr(), es.password);
    expect(deniedCode).toBe(1);
    expect(denied.stderr()).toContain(`Elasticsearch at ${es.url} needs credentials (401)`);
  });

  it('the dashboard server reads the secured cluster with the CA and basic auth; a wrong password is a clear 502, no secret shown', async () => {
    const namespace = uniqueNamespace('secdash');
    const ingest = await processOnce(['--es-url', es.url, '--es-ca', es.caFile, '--es-username', 'elastic', '--namespace', namespace], { ES_PASSWORD: es.password });
    expect(ingest.code).toBe(0);
    const start = async (password: string): Promise<{ child: Child; url: string }> => {
      const child = spawnTsx('scripts/dashboard/cli.ts', ['--port', '0', '--namespace', namespace, '--es-url', es.url, '--es-ca', es.caFile, '--es-username', 'elastic'], cleanEnv({ ES_PASSWORD: password }));
      let url: string | undefined;
      for (let i = 0; i < 600 && !url; i++) {
        url = /dashboard: (http:\/\/\S+)/.exec(child.stdout())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      if (!url) throw new Error(`the dashboard did not start: ${child.stderr()}`);
      return { child, url };
    };
    const good = await start(es.password);
    const bad = await start('not-the-password');
    try {
      const view = await fetch(`${good.url}api/views/web?from=2015-05-17T00:00:00Z&to=2015-05-21T00:00:00Z`);
      expect(view.status).toBe(200);
      expect(((await view.json()) as { kpis: { requests: number } }).kpis.requests).toBe(LINES);
      const refused = await fetch(`${bad.url}api/views/web`);
      expect(refused.status).toBe(502);
      expect(((await refused.json()) as { error: string }).error).toContain('refused the credentials (401)');
    } finally {
      good.child.proc.kill('SIGTERM');
      bad.child.proc.kill('SIGTERM');
      await Promise.all([good.child.exited, bad.child.exited]);
    }
    expectNoSecret(good.child.stdout() + good.child.stderr() + bad.child.stdout() + bad.child.stderr(), es.password, 'not-the-password');
  });
});
