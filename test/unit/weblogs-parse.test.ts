import { describe, expect, it } from '@jest/globals';
import { decodeAccessLine, parseClfTime, unescapeLogField } from '../../processor/datasets/weblogs/decode.js';
import { urlFields } from '../../processor/datasets/weblogs/enrich.js';
import { accessLineSchema, validateAccessLine } from '../../processor/datasets/weblogs/schema.js';

const line = (time: string, request = 'GET / HTTP/1.1', rest = '200 10 "-" "x"'): string =>
  `1.2.3.4 - - [${time}] "${request}" ${rest}`;

describe('unescapeLogField: nginx/Apache escapes → bytes → UTF-8', () => {
  it('decodes \\xHH to bytes and reads them as UTF-8', () => {
    expect(unescapeLogField(String.raw`q=\x22foo\x22`)).toBe('q="foo"');
    expect(unescapeLogField(String.raw`http://\xc3\xa4.example/`)).toBe('http://ä.example/');
    expect(unescapeLogField(String.raw`\xE2\x82\xAC`)).toBe('€');
  });
  it('decodes the simple escapes', () => {
    expect(unescapeLogField(String.raw`a\"b\\c\td\ne\rf`)).toBe('a"b\\c\td\ne\rf');
  });
  it('keeps unknown escapes and a trailing backslash as written', () => {
    expect(unescapeLogField(String.raw`a\qb\x4`)).toBe(String.raw`a\qb\x4`);
    expect(unescapeLogField('end\\')).toBe('end\\');
  });
  it('keeps literal non-ASCII text around escapes', () => {
    expect(unescapeLogField(String.raw`ü\x20ä`)).toBe('ü ä');
  });
  it('returns undefined for bytes that are not UTF-8 (the cp1251 referrers of the real sample)', () => {
    expect(unescapeLogField(String.raw`http://\xe4\xe5\xe3\xf2\xff\xf0\xed\xee\xe5-\xec\xfb\xeb\xee.\xf0\xf4/`)).toBeUndefined();
  });
  it('decodeAccessLine keeps a non-UTF-8 field as logged and flags it', () => {
    const d = decodeAccessLine(line('19/May/2015:11:05:10 +0000', 'GET / HTTP/1.0', String.raw`200 1 "http://\xe4\xe5.\xf0\xf4/" "ua"`));
    expect(d.referrer).toBe(String.raw`http://\xe4\xe5.\xf0\xf4/`);
    expect(d.nonUtf8Escapes).toBe(true);
    expect(d.userAgent).toBe('ua');
  });
});

describe('parseClfTime: impossible times are refused, never rolled over', () => {
  it.each([
    '31/Feb/2023:10:00:00 +0000',
    '29/Feb/2023:10:00:00 +0000',
    '29/Feb/1900:10:00:00 +0000',
    '31/Apr/2023:10:00:00 +0000',
    '00/Jan/2023:10:00:00 +0000',
    '31/Dec/2023:24:00:00 +0000',
    '17/May/2015:10:60:00 +0000',
    '17/May/2015:10:00:60 +0000',
    '17/May/2015:10:00:00 +0075',
    '17/Foo/2015:10:00:00 +0000',
  ])('%s is invalid', (t) => {
    expect(Number.isNaN(parseClfTime(t).timestamp.getTime())).toBe(true);
    const reason = validateAccessLine(decodeAccessLine(line(t)));
    expect(reason).toContain('unparseable time');
  });
  it('accepts leap days and converts the zone', () => {
    expect(parseClfTime('29/Feb/2000:23:59:59 -1130').timestampIso).toBe('2000-03-01T11:29:59.000Z');
    expect(parseClfTime('29/Feb/2024:00:00:00 +0100').timestampIso).toBe('2024-02-28T23:00:00.000Z');
    expect(parseClfTime('31/Dec/2023:23:59:59 +0000').timezone).toBe('+00:00');
  });
});

describe('urlFields: ports and CONNECT', () => {
  it('CONNECT host:port → domain + port', () => {
    expect(urlFields('www.example.com:443', 'CONNECT')).toEqual({ original: 'www.example.com:443', domain: 'www.example.com', port: 443 });
    expect(urlFields('[2001:db8::1]:8443', 'CONNECT')).toEqual({ original: '[2001:db8::1]:8443', domain: '[2001:db8::1]', port: 8443 });
  });
  it('absolute-form keeps its port', () => {
    expect(urlFields('http://user:pw@h.example:8080/p.html?q=1#f')).toEqual({
      original: 'http://user:pw@h.example:8080/p.html?q=1#f', scheme: 'http', domain: 'h.example', port: 8080,
      path: '/p.html', query: 'q=1', fragment: 'f', extension: 'html',
    });
    expect(urlFields('https://h.example/')).toEqual({ original: 'https://h.example/', scheme: 'https', domain: 'h.example', path: '/' });
  });
  it('an out-of-range port is not a port', () => {
    expect(urlFields('http://h.example:99999/').port).toBeUndefined();
  });
});

describe('validateAccessLine agrees with the zod schema', () => {
  const cases = [
    line('17/May/2015:10:05:03 +0000'),
    line('17/May/2015:10:05:03 +0000', 'get / HTTP/1.1'),
    line('17/May/2015:10:05:03 +0000', 'GET / HTTP/1.1', '999 10 "-" "x"'),
    line('17/May/2015:10:05:03 +0000', 'GET / HTTP/1.1', '- 10 "-" "x"'),
    line('17/May/2015:10:05:03 +0000', 'GET / HTTP/1.1', '099 10 "-" "x"'),
    line('31/Feb/2015:10:05:03 +0000', 'get / HTTP/1.1', '999 10'),
    line('17/May/2015:10:05:03 +0000', '-', '408 0 "-" "-"'),
    line('17/May/2015:10:05:03 +0000', 'GET / HTTP/1.1', `200 ${'9'.repeat(20)} "-" "x"`),
    `1.2.3.4 - ${'u'.repeat(300)} [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1`,
  ];
  it.each(cases)('%s', (raw) => {
    const decoded = decodeAccessLine(raw);
    const zod = accessLineSchema.safeParse(decoded);
    const reason = validateAccessLine(decoded);
    expect(reason === undefined).toBe(zod.success);
    if (!zod.success) {
      const zodPaths = zod.error.issues.map((i) => i.path.join('.'));
      expect(reason!.split('; ').map((r) => r.slice(0, r.indexOf(':')))).toEqual([...new Set(zodPaths)]);
      for (const issue of zod.error.issues.filter((i) => ['timestamp', 'method', 'status'].includes(String(i.path[0])))) {
        expect(reason).toContain(`${issue.path.join('.')}: ${issue.message}`);
      }
    }
  });
});
