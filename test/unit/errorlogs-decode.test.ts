/**
 * The `errorlogs` dataset: decode of nginx and Apache error-log entries (each shape, each level, the
 * optional parts, multi-line entries, the input's format), the schema, enrichment and the template's
 * contract with the documents under `dynamic: strict`.
 */
import { describe, expect, it } from '@jest/globals';
import { errorlogs } from '../../processor/datasets/errorlogs/index.js';
import { decodeErrorEntry, type DecodedErrorEntry } from '../../processor/datasets/errorlogs/decode.js';
import { APACHE_LEVELS, NGINX_LEVELS, type ErrorEntry } from '../../processor/datasets/errorlogs/schema.js';
import { DecodeError, type EnrichContext } from '../../processor/datasets/types.js';
import type { InputSettings } from '../../processor/inputs/settings.js';

const input = (format?: string): InputSettings => ({ id: 'i', dataset: 'errorlogs', paths: [], format });
const NGINX_UPSTREAM =
  '2026/12/07 06:24:04 [error] 8117#8117: *10 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: errors.test, request: "GET /proxy/ HTTP/1.1", upstream: "http://127.0.0.1:1/", host: "127.0.0.1:18080"';
const APACHE_PERM =
  '[Mon Dec 07 06:24:09.204212 2026] [core:error] [pid 8126:tid 8170] (13)Permission denied: [client 127.0.0.1:43042] AH00132: file permissions deny server access: /www/secret.txt';

describe('decode: nginx', () => {
  it('reads the header, the message and the whole context', () => {
    const e = decodeErrorEntry(
      '2026/12/07 06:24:04 [error] 8117#8117: *3 open() "/www/images/logo.png" failed (2: No such file or directory), client: 127.0.0.1, server: errors.test, request: "GET /images/logo.png?v=3 HTTP/1.1", host: "127.0.0.1:18080", referrer: "http://shop.example/cart"',
    );
    expect(e).toMatchObject({
      format: 'nginx',
      time: '2026/12/07 06:24:04',
      timestampIso: '2026-12-07T06:24:04.000Z',
      level: 'error',
      pid: 8117,
      tid: 8117,
      connectionId: 3,
      message: 'open() "/www/images/logo.png" failed (2: No such file or directory)',
      errno: 2,
      errnoText: 'No such file or directory',
      client: '127.0.0.1',
      server: 'errors.test',
      request: 'GET /images/logo.png?v=3 HTTP/1.1',
      method: 'GET',
      target: '/images/logo.png?v=3',
      httpVersion: '1.1',
      host: '127.0.0.1:18080',
      referrer: 'http://shop.example/cart',
      multiline: false,
    });
    expect(e.module).toBeUndefined();
    expect(e.clientPort).toBeUndefined();
  });

  it('reads the upstream', () => {
    expect(decodeErrorEntry(NGINX_UPSTREAM)).toMatchObject({ upstream: 'http://127.0.0.1:1/', message: 'connect() failed (111: Connection refused) while connecting to upstream' });
  });

  it('reads an entry without connection and context', () => {
    const e = decodeErrorEntry('2026/12/07 06:24:04 [notice] 8114#8114: start worker process 8117');
    expect(e).toMatchObject({ level: 'notice', pid: 8114, tid: 8114, message: 'start worker process 8117' });
    expect(e.connectionId).toBeUndefined();
    expect(e.client).toBeUndefined();
  });

  it('keeps a request line that is not METHOD TARGET HTTP/x without splitting it', () => {
    const e = decodeErrorEntry('2026/12/07 06:24:05 [info] 1#1: *12 client sent invalid method while reading client request line, client: 127.0.0.1, server: errors.test, request: "GARBAGE"');
    expect(e).toMatchObject({ request: 'GARBAGE', message: 'client sent invalid method while reading client request line' });
    expect(e.method).toBeUndefined();
  });

  it('an empty server is left out', () => {
    const e = decodeErrorEntry('2026/12/07 06:24:05 [error] 1#1: *2 x, client: 10.0.0.1, server: , request: "GET / HTTP/1.0"');
    expect(e.server).toBeUndefined();
    expect(e).toMatchObject({ client: '10.0.0.1', httpVersion: '1.0', message: 'x' });
  });

  it.each(NGINX_LEVELS)('level %s', (level) => {
    const e = decodeErrorEntry(`2026/12/07 06:24:04 [${level}] 1#2: m`);
    expect(e.level).toBe(level);
    expect(errorlogs.schema.safeParse(e).success).toBe(true);
  });

  it('a multi-line entry keeps its continuation lines in the message; the context ends the last line', () => {
    const raw =
      '2026/12/07 06:24:13 [error] 8117#8117: *14 FastCGI sent in stderr: "PHP message: one\nStack trace:\n#0 {main}" while reading response header from upstream, client: 127.0.0.1, server: errors.test, request: "GET /php/ HTTP/1.1", upstream: "fastcgi://127.0.0.1:19000", host: "shop.example"';
    expect(decodeErrorEntry(raw)).toMatchObject({
      message: 'FastCGI sent in stderr: "PHP message: one\nStack trace:\n#0 {main}" while reading response header from upstream',
      upstream: 'fastcgi://127.0.0.1:19000',
      host: 'shop.example',
      multiline: true,
    });
  });

  it('lines appended after a complete entry: the context is read from the first line', () => {
    const e = decodeErrorEntry('2026/12/07 06:24:13 [error] 1#1: *1 boom, client: 192.0.2.1, server: a\n  at x\n  at y');
    expect(e).toMatchObject({ message: 'boom\n  at x\n  at y', client: '192.0.2.1', server: 'a', multiline: true });
  });
});

describe('decode: Apache', () => {
  it('reads the 2.4 default format with an error status and a client', () => {
    expect(decodeErrorEntry(APACHE_PERM)).toMatchObject({
      format: 'apache',
      time: 'Mon Dec 07 06:24:09.204212 2026',
      timestampIso: '2026-12-07T06:24:09.204212Z',
      level: 'error',
      module: 'core',
      pid: 8126,
      tid: 8170,
      errno: 13,
      errnoText: 'Permission denied',
      client: '127.0.0.1',
      clientPort: 43042,
      errorCode: 'AH00132',
      message: '(13)Permission denied: AH00132: file permissions deny server access: /www/secret.txt',
    });
  });

  it('reads the source position of debug entries and the referer', () => {
    const e = decodeErrorEntry(
      '[Mon Dec 07 06:24:09.154218 2026] [authz_core:debug] [pid 8126:tid 8158] mod_authz_core.c(815): [client 127.0.0.1:43022] AH01626: authorization result of Require all granted: granted, referer: http://shop.example/cart',
    );
    expect(e).toMatchObject({
      originFile: 'mod_authz_core.c',
      originLine: 815,
      referrer: 'http://shop.example/cart',
      message: 'AH01626: authorization result of Require all granted: granted',
    });
  });

  it('an IPv6 client keeps its address; port 0 (mod_remoteip) is left out', () => {
    expect(decodeErrorEntry('[Mon Dec 07 06:24:09.185019 2026] [core:info] [pid 1:tid 2] [client ::1:40236] AH00128: File does not exist: /x')).toMatchObject({ client: '::1', clientPort: 40236 });
    const e = decodeErrorEntry('[Mon Dec 07 06:24:09.166072 2026] [core:info] [pid 1:tid 2] [client 81.2.69.160:0] AH00128: File does not exist: /x');
    expect(e.client).toBe('81.2.69.160');
    expect(e.clientPort).toBeUndefined();
  });

  it('reads an entry without tid, client or AH code, and with an empty module', () => {
    const e = decodeErrorEntry('[Wed Mar 04 10:00:00.123456 2026] [:error] [pid 77] PHP Warning:  Division by zero');
    expect(e).toMatchObject({ pid: 77, level: 'error', message: 'PHP Warning:  Division by zero' });
    expect(e.module).toBeUndefined();
    expect(e.tid).toBeUndefined();
    expect(e.errorCode).toBeUndefined();
  });

  it('reads the Apache 2.2 form (no module, no pid, no microseconds, client without port)', () => {
    const e = decodeErrorEntry('[Wed Oct 11 14:32:52 2000] [error] [client ::1] client denied by server configuration: /htdocs/test');
    expect(e).toMatchObject({ timestampIso: '2000-10-11T14:32:52.000Z', level: 'error', client: '::1', message: 'client denied by server configuration: /htdocs/test' });
    expect(e.clientPort).toBeUndefined();
  });

  it('a single-digit day padded with a space', () => {
    expect(decodeErrorEntry('[Mon Dec  7 06:24:09 2026] [core:info] [pid 1] m').timestampIso).toBe('2026-12-07T06:24:09.000Z');
  });

  it.each(APACHE_LEVELS)('level %s', (level) => {
    const e = decodeErrorEntry(`[Mon Dec 07 06:24:09.000001 2026] [core:${level}] [pid 1:tid 2] m`);
    expect(e.level).toBe(level);
    expect(errorlogs.schema.safeParse(e).success).toBe(true);
  });

  it('continuation lines (a CGI stderr) stay in the message; the referer is read from the first line', () => {
    const e = decodeErrorEntry('[Mon Dec 07 06:24:13.454409 2026] [core:info] [pid 1:tid 2] [client 127.0.0.1:5] AH01: x, referer: http://r.example/\nDBD::Pg::db do failed\nLINE 1: SELECT');
    expect(e).toMatchObject({ referrer: 'http://r.example/', message: 'AH01: x\nDBD::Pg::db do failed\nLINE 1: SELECT', multiline: true });
  });
});

describe('decode: format and bad input', () => {
  it('the input format chooses the reader; auto or none chooses by shape', () => {
    expect(decodeErrorEntry(NGINX_UPSTREAM, input('nginx')).format).toBe('nginx');
    expect(decodeErrorEntry(APACHE_PERM, input('apache')).format).toBe('apache');
    expect(decodeErrorEntry(APACHE_PERM, input('auto')).format).toBe('apache');
    expect(decodeErrorEntry(NGINX_UPSTREAM, input()).format).toBe('nginx');
  });

  it('a line of the other server under a fixed format is refused', () => {
    expect(() => decodeErrorEntry(APACHE_PERM, input('nginx'))).toThrow('not an nginx error-log entry');
    expect(() => decodeErrorEntry(NGINX_UPSTREAM, input('apache'))).toThrow('not an Apache error-log entry');
  });

  it('checkFormat accepts auto, nginx, apache and nothing else', () => {
    for (const f of [undefined, 'auto', 'nginx', 'apache']) expect(() => errorlogs.checkFormat!(f)).not.toThrow();
    expect(() => errorlogs.checkFormat!('combined')).toThrow('unknown errorlogs format "combined" (known: auto, nginx, apache)');
  });

  it.each([
    ['', 'empty line'],
    ['garbage', 'not an error-log entry'],
    ['    at com.example.Worker.run(Worker.java:42)', 'not an error-log entry'],
    ['{"level":"error"}', 'not an error-log entry'],
    ['2026/12/07 06:24:04 [error] ', 'not an nginx error-log entry'],
    ['2026/12/07 06:24:04 error 1#1: m', 'not an nginx error-log entry'],
    ['[Mon Dec 07 06:24:09.204212 2026] [core:err', 'not an Apache error-log entry'],
    ['[error] no time', 'not an Apache error-log entry'],
  ])('%j → DecodeError %s', (raw, reason) => {
    expect(() => decodeErrorEntry(raw)).toThrow(DecodeError);
    expect(() => decodeErrorEntry(raw)).toThrow(reason);
  });
});

describe('schema', () => {
  const issues = (raw: string): string[] => {
    const r = errorlogs.schema.safeParse(decodeErrorEntry(raw));
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it.each([
    ['2026/02/29 00:00:00 [error] 1#1: m', 'timestamp'],
    ['2026/12/07 24:00:00 [error] 1#1: m', 'timestamp'],
    ['2026/12/07 06:60:00 [error] 1#1: m', 'timestamp'],
    ['[Mon Foo 07 06:24:09 2026] [core:error] m', 'timestamp'],
    ['2026/12/07 06:00:00 [loud] 1#1: m', 'level'],
    ['2026/12/07 06:00:00 [trace1] 1#1: m', 'level'],
    ['[Mon Dec 07 06:24:09 2026] [core:trace9] m', 'level'],
  ])('%j is refused at %s', (raw, path) => {
    expect(issues(raw)[0]).toMatch(new RegExp(`^${path}: `));
  });
  it('a leap day is a real day', () => {
    expect(issues('2028/02/29 00:00:00 [error] 1#1: m')).toEqual([]);
  });
  it('the multilineStart regex starts entries of both servers and nothing else', () => {
    const start = errorlogs.multilineStart!;
    expect(start.test(NGINX_UPSTREAM)).toBe(true);
    expect(start.test(APACHE_PERM)).toBe(true);
    expect(start.test('[Wed Oct 11 14:32:52 2000] [error] x')).toBe(true);
    expect(start.test('[stack] frame')).toBe(false);
    expect(start.test('  thrown in /srv/app/index.php on line 13')).toBe(false);
    expect(start.test('Stack trace:')).toBe(false);
  });
});

describe('enrich', () => {
  const geo = { country_iso_code: 'GB' };
  const looked: string[] = [];
  const ctx = {
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    geoip: { lookup: (ip: string) => (looked.push(ip), ip === '81.2.69.160' ? geo : undefined) },
  } as unknown as EnrichContext;
  const meta = (raw: string) => ({
    raw,
    position: { kind: 'file' as const, path: '/var/log/nginx/error.log', fileId: '1:2', generation: 0, offset: 10, nextOffset: 20 },
    dataStream: { ...errorlogs.dataStream, namespace: 'default' },
  });
  const doc = (raw: string) => errorlogs.enrich(errorlogs.schema.parse(decodeErrorEntry(raw)) as ErrorEntry, ctx, meta(raw));

  it('nginx upstream error → ECS document', () => {
    expect(doc(NGINX_UPSTREAM)).toEqual({
      '@timestamp': '2026-12-07T06:24:04.000Z',
      message: 'connect() failed (111: Connection refused) while connecting to upstream',
      ecs: { version: '8.17.0' },
      event: { kind: 'event', category: ['web'], type: ['error'], dataset: 'weblogs.error', module: 'weblogs', ingested: '2026-01-01T00:00:00.000Z', original: NGINX_UPSTREAM },
      log: { level: 'error', file: { path: '/var/log/nginx/error.log' }, offset: 10 },
      process: { pid: 8117, thread: { id: 8117 } },
      source: { address: '127.0.0.1', ip: '127.0.0.1' },
      http: { request: { method: 'GET' }, version: '1.1' },
      url: { original: '/proxy/', path: '/proxy/', domain: '127.0.0.1', port: 18080 },
      server: { domain: 'errors.test' },
      weblogs: { error: { connection_id: 10, upstream: 'http://127.0.0.1:1/', errno: 111, errno_text: 'Connection refused' } },
      data_stream: { type: 'logs', dataset: 'weblogs.error', namespace: 'default' },
    });
  });

  it('Apache error → ECS document with logger, error.code and source.port', () => {
    expect(doc(APACHE_PERM)).toMatchObject({
      '@timestamp': '2026-12-07T06:24:09.204212Z',
      log: { level: 'error', logger: 'core' },
      error: { code: 'AH00132' },
      source: { address: '127.0.0.1', ip: '127.0.0.1', port: 43042 },
      weblogs: { error: { errno: 13, errno_text: 'Permission denied' } },
    });
  });

  it('an IPv4-mapped IPv6 client is looked up as its IPv4 address and kept as written', () => {
    looked.length = 0;
    const d = doc('2026/12/07 06:24:04 [error] 1#1: *5 x, client: ::ffff:81.2.69.160, server: s');
    expect(looked).toEqual(['81.2.69.160']);
    expect(d.source).toEqual({ address: '::ffff:81.2.69.160', ip: '::ffff:81.2.69.160', geo });
  });

  it('a client that is a host name has no source.ip and no lookup', () => {
    looked.length = 0;
    expect(doc('[Wed Oct 11 14:32:52 2000] [error] [client proxy.example] m').source).toEqual({ address: 'proxy.example' });
    expect(looked).toEqual([]);
  });

  it('a multi-line entry is tagged', () => {
    expect(doc('2026/12/07 06:24:04 [error] 1#1: a\nb').tags).toEqual(['multiline']);
  });

  it('every field of a full document is mapped by the template (dynamic: strict)', () => {
    const mappings = errorlogs.indexTemplate().body.template.mappings as { dynamic: string; properties: Record<string, any> };
    expect(mappings.dynamic).toBe('strict');
    const d = doc(
      '[Wed Mar 04 10:00:01.5 2026] [proxy:trace5] [pid 77:tid 78] proxy_util.c(2456): (111)Connection refused: [client ::ffff:81.2.69.160:443] AH00947: x, referer: http://r/',
    );
    const d2 = doc('2026/12/07 06:24:04 [error] 1#1: *5 x, client: 81.2.69.160, server: s, request: "GET /a.php?q#f HTTP/1.1", upstream: "http://u/", host: "h:81", referrer: "http://r/"\ny');
    const missing: string[] = [];
    const walk = (o: Record<string, unknown>, props: Record<string, any>, prefix: string) => {
      for (const [k, v] of Object.entries(o)) {
        const m = props[k];
        if (!m) missing.push(prefix + k);
        else if (v && typeof v === 'object' && !Array.isArray(v) && m.properties) walk(v as Record<string, unknown>, m.properties, `${prefix}${k}.`);
        else if (v && typeof v === 'object' && !Array.isArray(v) && m.type !== 'geo_point') missing.push(prefix + k + ' (object)');
      }
    };
    walk(d, mappings.properties, '');
    walk(d2, mappings.properties, '');
    expect(missing).toEqual([]);
    expect(mappings.properties.event.properties.original).toEqual({ type: 'keyword', index: false, doc_values: false });
    expect(Object.keys(mappings.properties)).toEqual(expect.arrayContaining(['labels', 'service', 'host']));
  });
});

// The decoded shape is the schema's input: a compile-time check that the two stay in step.
const _shape: (e: DecodedErrorEntry) => ErrorEntry = (e) => e;
void _shape;
