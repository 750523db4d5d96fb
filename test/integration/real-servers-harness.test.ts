/**
 * The web-server fixtures (test/support/web-servers.ts) work: the real nginx and Apache start on both
 * loopbacks, requests made by the real curl over IPv4 and IPv6 each leave one access-log line with the
 * client's address and the status, the error logs get lines, and both servers stop with their port
 * freed. No Elasticsearch is involved.
 */
import net from 'node:net';

import {
  curl,
  rawRequest,
  readLines,
  startApache,
  startNginx,
  statusOf,
  waitForLines,
  type WebServer,
} from '../support/web-servers.js';

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host, port });
    s.setTimeout(500, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const UA = 'ua with "quotes" and UTF-8 ü';
/** How each server writes UA into its log: nginx (escape=default) as \xHH, Apache as \" and \xhh. */
const UA_NGINX = 'ua with \\x22quotes\\x22 and UTF-8 \\xC3\\xBC';
const UA_APACHE = 'ua with \\"quotes\\" and UTF-8 \\xc3\\xbc';

describe('real nginx', () => {
  let nginx: WebServer;
  beforeAll(async () => {
    nginx = await startNginx({
      logFormats: [
        { name: 'probe', format: '$remote_addr|$status|$request|$http_user_agent|$upstream_addr|$upstream_status|$request_id' },
        { name: 'probe_json', escape: 'json', format: '{"ip":"$remote_addr","status":$status,"ua":"$http_user_agent"}' },
      ],
      accessLogs: [
        { file: 'access.log', formatName: 'probe' },
        { file: 'access.json', formatName: 'probe_json' },
      ],
      errorLog: { file: 'error.log', level: 'info' },
    });
  });
  afterAll(() => nginx?.stop({ removeDir: true }));

  it('logs one line per curl request with the IPv4 or IPv6 client, the status and the upstream', async () => {
    expect((await curl(['-A', UA, nginx.url('/ok')])).status).toBe(200);
    expect((await curl(['-g', nginx.url('/missing', { ipv6: true })])).status).toBe(404);
    const proxied = await curl([nginx.url('/proxy/hello.txt')]);
    expect(proxied).toMatchObject({ status: 200, body: 'hello from a real web server\n' });
    expect((await curl(['-g', '--http1.0', nginx.url('/proxy-down/x', { ipv6: true })])).status).toBe(502);

    const lines = (await waitForLines(nginx.log('access.log'), 4)).map((l) => l.split('|'));
    expect(lines).toHaveLength(4);
    expect(lines[0]!.slice(0, 4)).toEqual(['127.0.0.1', '200', 'GET /ok HTTP/1.1', UA_NGINX]);
    expect(lines[1]!.slice(0, 3)).toEqual(['::1', '404', 'GET /missing HTTP/1.1']);
    expect(lines[2]!.slice(0, 3)).toEqual(['127.0.0.1', '200', 'GET /proxy/hello.txt HTTP/1.1']);
    expect(lines[2]![4]).toBe(`127.0.0.1:${nginx.upstreamPort}`);
    expect(lines[2]![5]).toBe('200');
    expect(lines[3]!.slice(0, 3)).toEqual(['::1', '502', 'GET /proxy-down/x HTTP/1.0']);
    expect(lines[3]![5]).toBe('502');
    for (const l of lines) expect(l[6]).toMatch(/^[0-9a-f]{32}$/);

    const json = (await waitForLines(nginx.log('access.json'), 4)).map((l) => JSON.parse(l) as { ip: string; status: number; ua: string });
    expect(json[0]).toEqual({ ip: '127.0.0.1', status: 200, ua: UA });
    expect(json[1]).toMatchObject({ ip: '::1', status: 404 });
  });

  it('answers a garbage request with 400 and logs it', async () => {
    const before = (await readLines(nginx.log('access.log'))).length;
    expect(statusOf(await rawRequest('127.0.0.1', nginx.port, 'GARBAGE\r\n\r\n'))).toBe(400);
    const lines = await waitForLines(nginx.log('access.log'), before + 1);
    expect(lines[before]!.split('|').slice(0, 3)).toEqual(['127.0.0.1', '400', 'GARBAGE']);
  });

  it('writes the error log', async () => {
    const errors = await waitForLines(nginx.log('error.log'), 1);
    expect(errors.some((l) => /\[error\].*open\(\) ".*\/missing" failed \(2: No such file or directory\).*client: ::1/.test(l))).toBe(true);
  });

  it('uses the real client address behind trusted proxies (realip)', async () => {
    const behind = await startNginx({
      logFormats: [{ name: 'ip', format: '$remote_addr $realip_remote_addr $http_x_forwarded_for' }],
      accessLogs: [{ file: 'access.log', formatName: 'ip' }],
      realIp: { from: ['127.0.0.1', '::1', '10.0.0.0/8'], header: 'X-Forwarded-For', recursive: true },
      upstream: false,
    });
    try {
      await curl(['-H', 'X-Forwarded-For: 203.0.113.9, 10.1.2.3', behind.url('/ok')]);
      await curl(['-g', '-H', 'X-Forwarded-For: 2001:db8::7', behind.url('/ok', { ipv6: true })]);
      expect(await waitForLines(behind.log('access.log'), 2)).toEqual([
        '203.0.113.9 127.0.0.1 203.0.113.9, 10.1.2.3',
        '2001:db8::7 ::1 2001:db8::7',
      ]);
    } finally {
      await behind.stop({ removeDir: true });
    }
  });

  it('times a slow proxied request ($request_time, $upstream_*_time)', async () => {
    const slow = await startNginx({
      logFormats: [{ name: 'timing', format: '$status $request_time $upstream_connect_time $upstream_response_time $upstream_status' }],
      accessLogs: [{ file: 'timing.log', formatName: 'timing' }],
    });
    try {
      expect((await curl(['-o', '/dev/null', slow.url('/proxy/slow.bin')])).status).toBe(200);
      const [line] = await waitForLines(slow.log('timing.log'), 1);
      const [status, requestTime, connectTime, responseTime, upstreamStatus] = line!.split(' ');
      expect([status, upstreamStatus]).toEqual(['200', '200']);
      expect(Number(requestTime)).toBeGreaterThanOrEqual(0.5);
      expect(Number(responseTime)).toBeGreaterThanOrEqual(0.5);
      expect(connectTime).toMatch(/^\d+\.\d{3}$/);
    } finally {
      await slow.stop({ removeDir: true });
    }
  });

  it('stops and frees its port', async () => {
    const { port } = nginx;
    await nginx.stop();
    expect(await portAnswers('127.0.0.1', port)).toBe(false);
    expect(await portAnswers('::1', port)).toBe(false);
    await nginx.stop(); // idempotent
  });
});

describe('real Apache', () => {
  let apache: WebServer;
  beforeAll(async () => {
    apache = await startApache({
      logFormats: [{ nickname: 'probe', format: '%a|%>s|%r|%{User-Agent}i|%D|%v|%p' }],
      customLogs: [
        { file: 'access.log', nickname: 'probe' },
        { file: 'vhost.log', nickname: 'vhost_combined' },
      ],
      errorLog: { file: 'error.log', level: 'info' },
    });
  });
  afterAll(() => apache?.stop({ removeDir: true }));

  it('logs one line per curl request with the IPv4 or IPv6 client and the status', async () => {
    expect((await curl(['-A', UA, '-e', 'https://ref.example/page', apache.url('/hello.txt')])).status).toBe(200);
    expect((await curl(['-g', '--http1.0', apache.url('/missing', { ipv6: true })])).status).toBe(404);
    expect(statusOf(await rawRequest('::1', apache.port, 'GARBAGE\r\n\r\n'))).toBe(400);

    const lines = (await waitForLines(apache.log('access.log'), 3)).map((l) => l.split('|'));
    expect(lines).toHaveLength(3);
    expect(lines[0]!.slice(0, 4)).toEqual(['127.0.0.1', '200', 'GET /hello.txt HTTP/1.1', UA_APACHE]);
    expect(lines[1]!.slice(0, 3)).toEqual(['::1', '404', 'GET /missing HTTP/1.0']);
    expect(lines[2]!.slice(0, 3)).toEqual(['::1', '400', 'GARBAGE']);
    for (const l of lines) {
      expect(Number(l[4])).toBeGreaterThan(0); // %D, microseconds
      expect(l.slice(5)).toEqual(['localhost', String(apache.port)]);
    }
    const vhost = await waitForLines(apache.log('vhost.log'), 3);
    const prefix = `localhost:${apache.port} 127.0.0.1 - - [`;
    expect(vhost[0]!.startsWith(prefix)).toBe(true);
    expect(vhost[0]).toMatch(/\] "GET \/hello\.txt HTTP\/1\.1" 200 \d+ "https:\/\/ref\.example\/page" "(.*)"$/);
    expect(vhost[0]!.endsWith(`"${UA_APACHE}"`)).toBe(true);
  });

  it('writes the error log', async () => {
    const errors = await waitForLines(apache.log('error.log'), 1);
    expect(errors.some((l) => /\[mpm_event:notice\].* AH00489: .* resuming normal operations$/.test(l))).toBe(true);
    expect(errors.some((l) => /\[core:info\].* \[client ::1:\d+\] AH00128: File does not exist: .*\/htdocs\/missing$/.test(l))).toBe(true);
  });

  it('uses the client address from X-Forwarded-For of a trusted proxy (mod_remoteip, prefork)', async () => {
    const behind = await startApache({
      mpm: 'prefork',
      logFormats: [{ nickname: 'ip', format: '%a %{c}a %h' }],
      customLogs: [{ file: 'access.log', nickname: 'ip' }],
      remoteIp: { header: 'X-Forwarded-For', internalProxies: ['127.0.0.1', '::1'] },
    });
    try {
      await curl(['-H', 'X-Forwarded-For: 203.0.113.5', behind.url('/')]);
      await curl(['-g', '-H', 'X-Forwarded-For: 2001:db8::5', behind.url('/', { ipv6: true })]);
      expect(await waitForLines(behind.log('access.log'), 2)).toEqual(['203.0.113.5 127.0.0.1 203.0.113.5', '2001:db8::5 ::1 2001:db8::5']);
    } finally {
      await behind.stop({ removeDir: true });
    }
  });

  it('stops and frees its port', async () => {
    const { port } = apache;
    await apache.stop();
    expect(await portAnswers('127.0.0.1', port)).toBe(false);
    expect(await portAnswers('::1', port)).toBe(false);
  });
});
