/**
 * Makes the golden inputs of the configured weblogs formats from the real servers: Debian's nginx and
 * Apache (test/support/web-servers.ts) log real curl requests in the formats of `*.input.json` beside
 * them, and the lines they wrote become `<name>.log`. Run by hand as root (Apache runs as www-data):
 * `npx tsx test/golden/weblogs/generate-formats.ts`, then `UPDATE_GOLDEN=1 npm test -- golden` and
 * review the diff. Times, ports, pids and request ids change with every run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { curl, rawRequest, startApache, startNginx, waitForLines, type WebServer } from '../../support/web-servers.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const formatOf = (name: string): string => (JSON.parse(readFileSync(path.join(here, `${name}.input.json`), 'utf8')) as { format: string }).format;
const UA = 'ua with "quotes", a \\ backslash and UTF-8 ü';

/** The same requests against any server: IPv4 and IPv6, proxies in X-Forwarded-For, a referrer, HTTP/1.0, a garbage request, a 404. */
async function requests(server: WebServer, paths: { ok: string; missing: string; proxy?: string }): Promise<number> {
  const calls: string[][] = [
    ['-A', UA, '-e', 'https://ref.example/from?q="1"', server.url(paths.ok)],
    ['-g', '-A', UA, server.url(paths.ok, { ipv6: true })],
    ['-A', 'curl', '-H', 'X-Forwarded-For: 81.2.69.160, 10.0.0.7', server.url(`${paths.ok}?a=1&b=%C3%BC`)],
    ['-A', 'curl', '-H', 'X-Forwarded-For: 203.0.113.9, 198.51.100.1, 10.0.0.7', server.url(paths.ok)],
    ['--http1.0', '-A', 'curl/1.0', server.url(paths.missing)],
    ...(paths.proxy ? [['-A', 'curl', server.url(paths.proxy)]] : []),
  ];
  for (const args of calls) await curl(args);
  await rawRequest('127.0.0.1', server.port, 'GARBAGE\r\n\r\n');
  return calls.length + 1;
}

const nginxFormats = [
  { name: 'nginx-main', escape: undefined },
  { name: 'nginx-json', escape: 'json' as const },
];
const nginx = await startNginx({
  logFormats: nginxFormats.map((f) => ({ name: f.name, format: formatOf(f.name).replace(/^nginx:log_format \S+ (?:escape=\w+ )?'|';$/g, '').replace(/^nginx:/, ''), ...(f.escape ? { escape: f.escape } : {}) })),
  accessLogs: nginxFormats.map((f) => ({ file: `${f.name}.log`, formatName: f.name })),
});
try {
  const n = await requests(nginx, { ok: '/ok', missing: '/missing', proxy: '/proxy/hello.txt' });
  for (const f of nginxFormats) writeFileSync(path.join(here, `${f.name}.log`), (await waitForLines(nginx.log(`${f.name}.log`), n)).join('\n') + '\n');
} finally {
  await nginx.stop({ removeDir: true });
}

const apacheFormat = formatOf('apache-vhost').replace(/^apache:/, '');
const apache = await startApache({ logFormats: [{ nickname: 'vhostd', format: apacheFormat }], customLogs: [{ file: 'apache-vhost.log', nickname: 'vhostd' }] });
try {
  const n = await requests(apache, { ok: '/hello.txt', missing: '/missing' });
  writeFileSync(path.join(here, 'apache-vhost.log'), (await waitForLines(apache.log('apache-vhost.log'), n)).join('\n') + '\n');
} finally {
  await apache.stop({ removeDir: true });
}
console.log('wrote nginx-main.log, nginx-json.log, apache-vhost.log');
