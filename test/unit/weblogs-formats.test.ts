/**
 * The weblogs formats compiled from a server's own definition (processor/datasets/weblogs/formats/):
 * each field of a line lands on its ECS field, a bad format names its position, a line that does not
 * match names its column. The lines here have the shapes real nginx 1.22 and Apache 2.4 write; the
 * end-to-end check against the real servers is test/integration/real-servers-formats.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { DecodeError } from '../../processor/datasets/types.js';
import { FormatError, formatDecoder, nginxFormatText, apacheFormatText, onAutoFormatChoice } from '../../processor/datasets/weblogs/formats/index.js';
import { validateAccessLine, accessLineSchema } from '../../processor/datasets/weblogs/schema.js';
import { realClient, trustedProxies } from '../../processor/enrich/real-client.js';

const NGINX_MAIN =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" ' +
  '"$http_user_agent" "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time"';

describe('nginx log_format', () => {
  const decode = formatDecoder(`nginx:${NGINX_MAIN}`);
  it('maps every variable of the main format with X-Forwarded-For and timings', () => {
    const d = decode(
      '10.0.0.5 - - [07/Dec/2026:06:18:16 +0100] "GET /a/b.css?x=1 HTTP/1.1" 200 512 "-" "curl/7.88.1" "203.0.113.9, 10.0.0.7" rt=0.013 uct="0.001, 0.002" urt="0.010 : 0.002"',
    );
    expect(d.client).toBe('10.0.0.5');
    expect(d.timestampIso).toBe('2026-12-07T05:18:16.000Z');
    expect(d.timezone).toBe('+01:00');
    expect([d.method, d.target, d.httpVersion, d.status, d.bytes]).toEqual(['GET', '/a/b.css?x=1', '1.1', 200, 512]);
    expect(d.referrer).toBeUndefined();
    expect(d.userAgent).toBe('curl/7.88.1');
    expect(d.extra).toEqual({
      forwardedFor: ['203.0.113.9', '10.0.0.7'],
      durationNs: 13_000_000,
      upstream: { connectNs: 3_000_000, responseNs: 12_000_000 },
    });
    expect(validateAccessLine(d)).toBeUndefined();
    expect(accessLineSchema.safeParse(d).success).toBe(true);
  });
  it('reads times in seconds exactly, in the milliseconds nginx writes and in any other number shape', () => {
    const rt = formatDecoder('nginx:$remote_addr [$time_local] $status $request_time');
    const ns = (v: string): number | undefined => rt(`1.2.3.4 [07/Dec/2026:06:18:16 +0000] 200 ${v}`).extra?.durationNs;
    expect(['0.000', '0.004', '12.345', '999999.999', '1000000.000', '0.5', '1e-3', '2', '0.0001'].map(ns)).toEqual([
      0, 4_000_000, 12_345_000_000, 999_999_999_000_000, 1_000_000_000_000_000, 500_000_000, 1_000_000, 2_000_000_000, 100_000,
    ]);
    expect(() => ns('0.00x')).toThrow(/request_time: not a duration/);
    expect(() => ns('-0.004')).toThrow(/request_time: not a duration/);
  });
  it('shares the lists of lines that logged the same text, and keeps them apart otherwise', () => {
    const f = formatDecoder('nginx:$remote_addr [$time_local] $status "$http_x_forwarded_for" "$upstream_addr" "$upstream_status"');
    const line = (xff: string, addr: string, st: string): string => `10.0.0.5 [07/Dec/2026:06:18:16 +0000] 200 "${xff}" "${addr}" "${st}"`;
    const a = f(line('203.0.113.9, 10.0.0.7', '10.0.1.1:80', '200')).extra!;
    const b = f(line('203.0.113.9, 10.0.0.7', '10.0.1.1:80', '200')).extra!;
    const c = f(line('198.51.100.1', '10.0.1.1:80, 10.0.1.2:80', '502, 200')).extra!;
    expect([a.forwardedFor, a.upstream]).toEqual([['203.0.113.9', '10.0.0.7'], { address: ['10.0.1.1:80'], statusCode: [200] }]);
    expect(b.forwardedFor).toBe(a.forwardedFor);
    expect(b.upstream!.address).toBe(a.upstream!.address);
    expect(Object.isFrozen(a.forwardedFor)).toBe(true);
    expect([c.forwardedFor, c.upstream]).toEqual([['198.51.100.1'], { address: ['10.0.1.1:80', '10.0.1.2:80'], statusCode: [502, 200] }]);
  });
  it('takes `-` as no value and keeps unknown variables by name', () => {
    const d = formatDecoder('nginx:$remote_addr [$time_iso8601] $status $request_id $gzip_ratio $pipe')('::1 [2026-12-07T06:18:16+00:00] 404 abc123 - p');
    expect(d.timestampIso).toBe('2026-12-07T06:18:16.000Z');
    expect(d.extra).toEqual({ requestId: 'abc123', variables: { pipe: 'p' } });
  });
  it('reads $msec and the request from its parts', () => {
    const d = formatDecoder('nginx:$msec $remote_addr $request_method $uri $args $server_protocol $status')('1765088296.123 1.2.3.4 POST /api q=1 HTTP/2.0 201');
    expect(d.timestampIso).toBe('2025-12-07T06:18:16.123Z');
    expect([d.method, d.target, d.httpVersion, d.request]).toEqual(['POST', '/api?q=1', '2.0', 'POST /api?q=1 HTTP/2.0']);
  });
  it('accepts the whole directive as pasted from nginx.conf', () => {
    expect(nginxFormatText(`log_format main '$remote_addr [$time_local]'\n  ' "$request" $status';`)).toEqual({ text: '$remote_addr [$time_local] "$request" $status', escape: 'default' });
  });
  it('names the position of a malformed format', () => {
    expect(() => formatDecoder('nginx:$remote_addr $ [$time_local] $status')).toThrow(/position 14/);
    expect(() => formatDecoder('nginx:$remote_addr ${status')).toThrow(FormatError);
    expect(() => formatDecoder('nginx:$remote_addr $status')).toThrow(/no a time/);
  });
  it('dead-letters a line that does not match with the column where it stopped matching', () => {
    expect(() => decode('10.0.0.5 - - [07/Dec/2026:06:18:16 +0100] "GET / HTTP/1.1" 200 512 "-" "curl" rt=0.1')).toThrow(
      new DecodeError('line does not match the nginx log_format format at column 77: expected the text `" "`'),
    );
  });
});

describe('Apache LogFormat', () => {
  it('vhost_combined with %D', () => {
    const d = formatDecoder('apache:%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D')(
      'www.example.org:8080 ::ffff:81.2.69.160 - bob [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.0" 200 1234 "http://r.example/" "Mozilla/5.0 \\"x\\" ü" 1532',
    );
    expect(d.client).toBe('::ffff:81.2.69.160');
    expect(d.user).toBe('bob');
    expect(d.userAgent).toBe('Mozilla/5.0 "x" ü');
    expect(d.extra).toEqual({ serverDomain: 'www.example.org', serverPort: 8080, responseBytes: 1234, durationNs: 1_532_000 });
  });
  it('the vhost_combined name, which ignores fields a site appends (as combined does)', () => {
    expect(formatDecoder('vhost_combined')('h:80 1.2.3.4 - - [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.1" 404 10 "-" "-"').status).toBe(404);
    expect(formatDecoder('vhost_combined')('h:80 1.2.3.4 - - [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.1" 200 10 "-" "-" 1532 "x"').status).toBe(200);
    expect(() => formatDecoder('apache:%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"')('h:80 1.2.3.4 - - [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.1" 200 10 "-" "-" 1532')).toThrow(
      /unexpected text after the last field/,
    );
  });
  it('strftime times with a millisecond fraction', () => {
    const d = formatDecoder('apache:%h [%{%d/%b/%Y %H:%M:%S}t.%{msec_frac}t %{%z}t] %>s')('1.2.3.4 [07/Dec/2026 06:18:16.250 -0500] 200');
    expect(d.timestampIso).toBe('2026-12-07T11:18:16.250Z');
    expect(d.timezone).toBe('-05:00');
  });
  it('the directive as pasted, with its config quoting', () => {
    expect(apacheFormatText('LogFormat "%h %t \\"%r\\" %>s" common')).toBe('%h %t "%r" %>s');
  });
  it('refuses an unknown directive at its position', () => {
    expect(() => formatDecoder('apache:%h %t %>s %Z')).toThrow(/"%Z" is not a LogFormat directive \(at position 11/);
    expect(() => formatDecoder('apache:%h %{%Q}t %>s')).toThrow(/strftime conversion "%Q"/);
  });
});

describe('JSON lines', () => {
  const template = `nginx:log_format j escape=json '{"ts":"$time_iso8601","ip":"$remote_addr","req":"$request","st":$status,"b":$body_bytes_sent,"ua":"$http_user_agent","rt":$request_time,"x":"$http_x_custom"}';`;
  it('keys mean what the template put there', () => {
    const d = formatDecoder(template)('{"ts":"2026-12-07T06:18:16+00:00","ip":"127.0.0.1","req":"GET /q?a=\\"1\\" HTTP/1.1","st":200,"b":5,"ua":"a \\"b\\" ü","rt":0.002,"x":"y"}');
    expect([d.client, d.method, d.target, d.status, d.bytes, d.userAgent]).toEqual(['127.0.0.1', 'GET', '/q?a="1"', 200, 5, 'a "b" ü']);
    expect(d.extra).toEqual({ durationNs: 2_000_000, variables: { http_x_custom: 'y' } });
  });
  it('json: keys named after the variables; escape=default \\xHH read as UTF-8 bytes', () => {
    const d = formatDecoder('json')('{"remote_addr":"1.2.3.4","time_local":"07/Dec/2026:06:18:16 +0000","request":"GET / HTTP/1.1","status":"200","http_user_agent":"\\xC3\\xBC \\x22q\\x22","extra":"e"}');
    expect([d.client, d.status, d.userAgent]).toEqual(['1.2.3.4', 200, 'ü "q"']);
    expect(d.extra).toEqual({ variables: { extra: 'e' } });
  });
  it('json: common key names too, a time of any shape, and a clear reason when the essentials are missing', () => {
    const d = formatDecoder('json')('{"ip":"1.2.3.4","time":1765088296.5,"status":404,"method":"GET","uri":"/x?y=1","ua":"curl","duration":0.25,"req_id":"r1"}');
    expect([d.client, d.timestampIso, d.status, d.method, d.target, d.userAgent]).toEqual(['1.2.3.4', '2025-12-07T06:18:16.500Z', 404, 'GET', '/x?y=1', 'curl']);
    expect(d.extra).toEqual({ durationNs: 250_000_000, requestId: 'r1' });
    expect(formatDecoder('json')('{"remote_addr":"::1","time":"07/Dec/2026:06:18:16 +0100","status":"200"}').timestampIso).toBe('2026-12-07T05:18:16.000Z');
    expect(() => formatDecoder('json')('{"ts":"2026-12-07T06:18:16Z","addr":"1.2.3.4","st":200}')).toThrow(/without a client address, status under a known key/);
  });
  it('invalid JSON is a dead letter with its column', () => {
    expect(() => formatDecoder('json')('{"remote_addr":1.2.3.4}')).toThrow(/invalid JSON at column/);
  });
});

describe('auto', () => {
  it('tries JSON, combined and vhost_combined and says which it chose', () => {
    const chosen: string[] = [];
    onAutoFormatChoice((f) => chosen.push(f));
    const decode = formatDecoder('auto');
    decode('1.2.3.4 - - [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"');
    decode('1.2.3.4 - - [07/Dec/2026:06:18:17 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"');
    decode('h:80 1.2.3.4 - - [07/Dec/2026:06:18:16 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"');
    decode('{"remote_addr":"1.2.3.4","time_iso8601":"2026-12-07T06:18:16Z","status":200}');
    onAutoFormatChoice(undefined);
    expect(chosen).toEqual(['combined', 'vhost_combined', 'json']);
    expect(() => decode('garbage')).toThrow(/any known format/);
  });
});

describe('the real client behind trusted proxies (nginx realip, recursive)', () => {
  const trusted = trustedProxies(['10.0.0.0/8', '::1', '127.0.0.1']);
  it('walks X-Forwarded-For right to left past trusted addresses', () => {
    expect(realClient('10.0.0.5', ['203.0.113.9', '10.0.0.7'], trusted)).toBe('203.0.113.9');
    expect(realClient('10.0.0.5', ['198.51.100.1', '203.0.113.9', '10.0.0.7'], trusted)).toBe('203.0.113.9');
    expect(realClient('::ffff:10.0.0.5', ['203.0.113.9'], trusted)).toBe('203.0.113.9');
  });
  it('an untrusted peer is the client whatever it claims', () => {
    expect(realClient('198.51.100.1', ['203.0.113.9'], trusted)).toBe('198.51.100.1');
  });
  it('an all-trusted chain ends at its left-most address', () => {
    expect(realClient('127.0.0.1', ['10.1.1.1', '10.0.0.7'], trusted)).toBe('10.1.1.1');
  });
  it('refuses an entry that is not a CIDR', () => {
    expect(() => trustedProxies(['10.0.0.0/33'])).toThrow(/not an IP address or CIDR/);
  });
});
