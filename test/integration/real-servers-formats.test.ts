/**
 * Logs written by the real nginx and Apache (test/support/web-servers.ts) for requests made by the
 * real curl, indexed through the processor with the weblogs format compiled from the very definition
 * the server was given (`nginx:<log_format>`, `apache:<LogFormat>`): every document says what curl
 * sent — client address (behind trusted proxies too), user agent with quotes and UTF-8, referrer,
 * HTTP version, status (400 for a garbage request), duration — and no well-formed line is dead-lettered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startProcessor, type RunSummary } from '../../processor/processor.js';
import { es, esUrl, quietLog, tempDir, uniqueNamespace } from '../support/stack.js';
import { curl, rawRequest, startApache, startNginx, statusOf, waitForLines, type WebServer } from '../support/web-servers.js';

const UA = 'ua with "quotes" and UTF-8 ü';
const REFERRER = 'https://ref.example/from?q=1';

type Doc = Record<string, any>;

/**
 * Indexes `file` once with the weblogs `format` into a fresh namespace.
 * @returns the run summary, the documents in file order and the dead-letter lines.
 */
async function indexLog(file: string, format: string, trustedProxies?: string[]): Promise<{ summary: RunSummary; docs: Doc[]; deadLetters: string[] }> {
  const namespace = uniqueNamespace('rs');
  const handle = await startProcessor({
    inputs: [{ id: 'real-server', dataset: 'weblogs', paths: [file], format, ...(trustedProxies ? { trustedProxies } : {}) }],
    once: true,
    keepOriginal: true, // every document carries its line: compared with the file below
    esUrl,
    namespace,
    dataDir: tempDir('real-servers'),
    log: quietLog,
  });
  const summary = await handle.done;
  const index = `logs-weblogs.access-${namespace}`;
  let docs: Doc[] = [];
  if (summary.indexed > 0) {
    await es.indices.refresh({ index });
    const r = await es.search<Doc>({ index, size: 100, sort: [{ 'log.offset': 'asc' }] });
    docs = r.hits.hits.map((h) => h._source!);
  }
  const deadLetters = existsSync(handle.deadLetterFile) ? readFileSync(handle.deadLetterFile, 'utf8').split('\n').filter(Boolean) : [];
  return { summary, docs, deadLetters };
}

afterAll(async () => {
  await es.close();
});

describe('nginx main + forwarded-for and timings', () => {
  const FORMAT =
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
    '"$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time"';
  let nginx: WebServer;
  beforeAll(async () => {
    nginx = await startNginx({ logFormats: [{ name: 'main', format: FORMAT }], accessLogs: [{ file: 'access.log', formatName: 'main' }] });
  });
  afterAll(() => nginx?.stop({ removeDir: true }));

  it('indexes what curl sent, with the client behind the trusted proxies', async () => {
    // 1. IPv4, through a proxy chain, to the (slow) upstream.
    expect((await curl(['-o', '/dev/null', '-A', UA, '-e', REFERRER, '-H', 'X-Forwarded-For: 203.0.113.7, 10.0.0.2', nginx.url('/proxy/slow.bin')])).status).toBe(200);
    // 2. IPv6, HTTP/1.0, an IPv6 client behind it.
    expect((await curl(['-g', '--http1.0', '-A', UA, '-H', 'X-Forwarded-For: 2001:db8::7', nginx.url('/ok?x=1', { ipv6: true })])).status).toBe(200);
    // 3. A 404, no proxy header: the peer is the client.
    expect((await curl([nginx.url('/missing.html')])).status).toBe(404);
    // 4. Garbage: 400.
    expect(statusOf(await rawRequest('127.0.0.1', nginx.port, 'GARBAGE\r\n\r\n'))).toBe(400);
    const lines = await waitForLines(nginx.log('access.log'), 4);

    const { summary, docs, deadLetters } = await indexLog(nginx.log('access.log'), `nginx:${FORMAT}`, ['127.0.0.1', '::1', '10.0.0.0/8']);
    expect(deadLetters).toEqual([]);
    expect(summary).toMatchObject({ lines: 4, indexed: 4, rejected: 0 });
    expect(docs.map((d) => d.event.original)).toEqual(lines);

    const [slow, v6, missing, garbage] = docs as [Doc, Doc, Doc, Doc];
    expect(slow.source).toMatchObject({ ip: '127.0.0.1' });
    expect(slow.client).toMatchObject({ ip: '203.0.113.7' });
    expect(slow.weblogs.forwarded_for).toEqual(['203.0.113.7', '10.0.0.2']);
    expect(slow.user_agent.original).toBe(UA);
    expect(slow.http).toMatchObject({ version: '1.1', request: { method: 'GET', referrer: REFERRER }, response: { status_code: 200, body: { bytes: 48 * 1024 } } });
    expect(slow.url).toMatchObject({ path: '/proxy/slow.bin', extension: 'bin' });
    expect(slow.event.duration).toBeGreaterThanOrEqual(500_000_000); // ~1 s: the file is sent at 32 KiB/s
    expect(slow.weblogs.upstream.response.duration).toBeGreaterThan(0);
    expect(slow.weblogs.upstream.connect.duration).toBeGreaterThanOrEqual(0);

    expect(v6.source).toMatchObject({ ip: '::1' });
    expect(v6.client).toMatchObject({ ip: '2001:db8::7' });
    expect(v6.user_agent.original).toBe(UA);
    expect(v6.http).toMatchObject({ version: '1.0', response: { status_code: 200 } });
    expect(v6.url).toMatchObject({ path: '/ok', query: 'x=1' });
    expect(v6.event.duration).toBeGreaterThanOrEqual(0);

    expect(missing.source).toMatchObject({ ip: '127.0.0.1' });
    expect(missing.client).toBeUndefined();
    expect(missing.http.response.status_code).toBe(404);
    expect(missing.event.outcome).toBe('failure');

    expect(garbage.source).toMatchObject({ ip: '127.0.0.1' });
    expect(garbage.http.response.status_code).toBe(400);
  });
});

describe('nginx JSON (escape=json)', () => {
  const TEMPLATE =
    '{"time":"$time_iso8601","remote_addr":"$remote_addr","request":"$request","status":$status,' +
    '"bytes":$body_bytes_sent,"referrer":"$http_referer","agent":"$http_user_agent","xff":"$http_x_forwarded_for",' +
    '"request_time":$request_time,"request_id":"$request_id"}';
  let nginx: WebServer;
  beforeAll(async () => {
    nginx = await startNginx({ logFormats: [{ name: 'json', escape: 'json', format: TEMPLATE }], accessLogs: [{ file: 'access.json', formatName: 'json' }], upstream: false });
  });
  afterAll(() => nginx?.stop({ removeDir: true }));

  it('indexes what curl sent, from the directive as written in nginx.conf', async () => {
    expect((await curl(['-o', '/dev/null', '-A', UA, '-e', REFERRER, '-H', 'X-Forwarded-For: 198.51.100.4', nginx.url('/slow.bin')])).status).toBe(200);
    expect((await curl(['-g', '--http1.0', '-A', UA, nginx.url('/hello.txt', { ipv6: true })])).status).toBe(200);
    expect(statusOf(await rawRequest('::1', nginx.port, 'GARBAGE\r\n\r\n'))).toBe(400);
    const lines = await waitForLines(nginx.log('access.json'), 3);
    const requestIds = lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id);

    const directive = `log_format json escape=json '${TEMPLATE}';`;
    const { summary, docs, deadLetters } = await indexLog(nginx.log('access.json'), `nginx:${directive}`, ['127.0.0.1', '::1']);
    expect(deadLetters).toEqual([]);
    expect(summary).toMatchObject({ lines: 3, indexed: 3, rejected: 0 });
    expect(docs.map((d) => d.event.original)).toEqual(lines);

    const [slow, v6, garbage] = docs as [Doc, Doc, Doc];
    expect(slow.source).toMatchObject({ ip: '127.0.0.1' });
    expect(slow.client).toMatchObject({ ip: '198.51.100.4' });
    expect(slow.user_agent.original).toBe(UA);
    expect(slow.http).toMatchObject({ version: '1.1', request: { method: 'GET', referrer: REFERRER, id: requestIds[0] }, response: { status_code: 200 } });
    expect(slow.event.duration).toBeGreaterThanOrEqual(500_000_000);

    expect(v6.source).toMatchObject({ ip: '::1' });
    expect(v6.client).toBeUndefined();
    expect(v6.user_agent.original).toBe(UA);
    expect(v6.http).toMatchObject({ version: '1.0', request: { id: requestIds[1] }, response: { status_code: 200 } });

    expect(garbage.source).toMatchObject({ ip: '::1' });
    expect(garbage.http.response.status_code).toBe(400);
  });
});

describe('Apache vhost_combined + %D', () => {
  const FORMAT = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D';
  let apache: WebServer;
  beforeAll(async () => {
    apache = await startApache({ logFormats: [{ nickname: 'vhost_timed', format: FORMAT }], customLogs: [{ file: 'access.log', nickname: 'vhost_timed' }] });
  });
  afterAll(() => apache?.stop({ removeDir: true }));

  it('indexes what curl sent', async () => {
    expect((await curl(['-A', UA, '-e', REFERRER, apache.url('/hello.txt')])).status).toBe(200);
    expect((await curl(['-g', '--http1.0', '-A', UA, apache.url('/missing', { ipv6: true })])).status).toBe(404);
    expect(statusOf(await rawRequest('127.0.0.1', apache.port, 'GARBAGE\r\n\r\n'))).toBe(400);
    const lines = await waitForLines(apache.log('access.log'), 3);
    const micros = lines.map((l) => Number(/ (\d+)$/.exec(l)![1]));

    const { summary, docs, deadLetters } = await indexLog(apache.log('access.log'), `apache:${FORMAT}`);
    expect(deadLetters).toEqual([]);
    expect(summary).toMatchObject({ lines: 3, indexed: 3, rejected: 0 });
    expect(docs.map((d) => d.event.original)).toEqual(lines);

    const [hello, missing, garbage] = docs as [Doc, Doc, Doc];
    for (const [i, d] of docs.entries()) {
      expect(d.event.duration).toBe(micros[i]! * 1000);
      expect(d.event.duration).toBeGreaterThan(0);
      expect(d.server).toMatchObject({ domain: 'localhost', port: apache.port });
    }
    expect(hello.source).toMatchObject({ ip: '127.0.0.1' });
    expect(hello.user_agent.original).toBe(UA);
    expect(hello.http).toMatchObject({ version: '1.1', request: { method: 'GET', referrer: REFERRER }, response: { status_code: 200 } });
    expect(missing.source).toMatchObject({ ip: '::1' });
    expect(missing.user_agent.original).toBe(UA);
    expect(missing.http).toMatchObject({ version: '1.0', response: { status_code: 404 } });
    expect(garbage.http.response.status_code).toBe(400);
  });
});
