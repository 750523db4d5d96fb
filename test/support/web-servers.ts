/**
 * Real nginx and Apache as test fixtures: the distribution's `/usr/sbin/nginx` and `/usr/sbin/apache2`
 * (installed by the prerequisite step, scripts/prereqs), each run as a child process of the test with a
 * configuration, document root and logs of its own in a temp dir, listening on one free port on both
 * loopbacks (127.0.0.1 and [::1]). The packages' own services and /etc configuration are not used.
 * Requests come from the real `curl` binary ({@link curl}) or raw bytes over a socket ({@link rawRequest}),
 * so the access and error logs are exactly what those servers write for real clients.
 *
 * Typical use:
 * ```ts
 * const nginx = await startNginx({
 *   logFormats: [{ name: 'main', format: '$remote_addr - $remote_user [$time_local] "$request" $status ...' }],
 *   accessLogs: [{ file: 'access.log', formatName: 'main' }],
 *   errorLog: { file: 'error.log', level: 'info' },
 * });
 * afterAll(() => nginx.stop());
 * await curl(['-A', 'ua "quoted" ü', nginx.url('/ok')]);
 * await curl(['-g', nginx.url('/ok', { ipv6: true })]);
 * const lines = await waitForLines(nginx.log('access.log'), 2);
 * ```
 *
 * Both servers serve the same small site from `<dir>/htdocs` ({@link SITE_FILES}): `/` (index.html),
 * `/hello.txt`, `/slow.bin` (48 KiB that nginx sends at 32 KiB/s: its first second's 32 KiB at once, the rest
 * one second later, so `$request_time` is about 1 s),
 * and a 404 for anything else (`/missing` for instance, which also writes an error-log line on nginx).
 * nginx adds `/ok` (`return 200`), `/not-found` (`return 404`), `/proxy/<path>` (proxied to a second,
 * upstream server block on 127.0.0.1, so `$upstream_addr`, `$upstream_status`,
 * `$upstream_connect_time` and `$upstream_response_time` are real; `/proxy/slow.bin` is slow upstream)
 * and `/proxy-down/` (proxied to a closed port: 502, `$upstream_status` 502).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { APACHE_BIN, APACHE_MODULES, NGINX_BIN } from '../../scripts/prereqs/binaries.js';

export { APACHE_BIN, APACHE_MODULES, NGINX_BIN };

/** One `log_format` of nginx.conf: `log_format <name> [escape=<escape>] '<format>';`. */
export interface NginxLogFormat {
  name: string;
  /** The format as nginx reads it (what goes between the quotes, unescaped), e.g. `$remote_addr [$time_local] "$request"`. */
  format: string;
  /** nginx's `escape=` parameter (default: nginx's own default, `default`). */
  escape?: 'default' | 'json' | 'none';
}

/** Severity levels of nginx's `error_log` and Apache's `LogLevel` (Apache also knows `trace1`…`trace8`). */
export type ErrorLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

/** A log file: `file` relative to the server's log dir (or absolute). */
export interface ErrorLogSpec {
  file: string;
  level: ErrorLevel;
}

/** Options of {@link startNginx}. */
export interface NginxOptions {
  /** `log_format` definitions (nginx's predefined `combined` needs none). */
  logFormats?: NginxLogFormat[];
  /** `access_log <file> <formatName>;` lines of the http block (default: `access.log` in `combined`). */
  accessLogs?: { file: string; formatName: string }[];
  /** `error_log <file> <level>;` (default: `error.log` at `info`). */
  errorLog?: ErrorLogSpec;
  /** ngx_http_realip_module: `set_real_ip_from` each of `from`, `real_ip_header <header>`, `real_ip_recursive`. */
  realIp?: { from: string[]; header: string; recursive: boolean };
  /** Adds the upstream server block and the `/proxy/` and `/proxy-down/` locations (default true). */
  upstream?: boolean;
}

/** Options of {@link startApache}. */
export interface ApacheOptions {
  /** `LogFormat "<format>" <nickname>` lines; `format` as Apache reads it (between the quotes, unescaped). */
  logFormats?: { nickname: string; format: string }[];
  /** `CustomLog <file> <nickname>` lines (default: `access.log` in `combined`, which this helper defines as Debian does). */
  customLogs?: { file: string; nickname: string }[];
  /** `ErrorLog <file>` and `LogLevel <level>` (default: `error.log` at `info`). */
  errorLog?: ErrorLogSpec;
  /** mod_remoteip: `RemoteIPHeader <header>` and `RemoteIPInternalProxy` for each of `internalProxies`. */
  remoteIp?: { header: string; internalProxies: string[] };
  /** MPM module (default `event`). */
  mpm?: 'event' | 'prefork';
}

/** A running server started by {@link startNginx} or {@link startApache}. */
export interface WebServer {
  kind: 'nginx' | 'apache';
  /** The port it listens on, on 127.0.0.1 and on [::1]. */
  port: number;
  /** Port of nginx's upstream server block on 127.0.0.1 (undefined without `upstream`, and for Apache). */
  upstreamPort?: number;
  /** pid of the master (nginx) or parent (Apache) process. */
  pid: number;
  /** The temp dir holding everything: `conf/`, `htdocs/`, `logs/`, `run/`. */
  dir: string;
  /** Where relative log file names go (`<dir>/logs`). */
  logDir: string;
  /** The configuration file it was started with (its text, for failure messages). */
  configFile: string;
  /** `http://127.0.0.1:<port><path>`, or `http://[::1]:<port><path>` with `ipv6` (give curl `-g`). */
  url(urlPath?: string, opts?: { ipv6?: boolean }): string;
  /** Absolute path of a log file named in the options (relative names resolve in {@link WebServer.logDir}). */
  log(file: string): string;
  /**
   * Stops the server (SIGTERM, then SIGKILL of its process group after 10 s); resolves once both ports
   * are free. Idempotent. The temp dir (logs included) is kept for inspection unless `removeDir`.
   */
  stop(opts?: { removeDir?: boolean }): Promise<void>;
}

/** The site both servers serve from `<dir>/htdocs`: file name → content. */
export const SITE_FILES: Readonly<Record<string, string | Buffer>> = {
  'index.html': '<!doctype html><title>rtas test site</title><p>hello</p>\n',
  'hello.txt': 'hello from a real web server\n',
  'slow.bin': Buffer.alloc(48 * 1024, 0x61),
};

// Servers not stopped yet. A test process that exits without stop() must not leave them behind (their
// process groups were started detached): while any runs, an exit hook kills what is left. The hook is
// removed when the last one stops, so hooks do not pile up over the test files of one Jest worker.
const running = new Set<ChildProcess>();
function killLeft(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
function track(child: ChildProcess): void {
  if (running.size === 0) process.on('exit', killLeft);
  running.add(child);
}
function untrack(child: ChildProcess): void {
  if (running.delete(child) && running.size === 0) process.off('exit', killLeft);
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

function resolveIn(dir: string, file: string): string {
  return path.isAbsolute(file) ? file : path.join(dir, file);
}

/** Quotes `value` for an nginx.conf single-quoted string (nginx unescapes `\\` and `\'` inside quotes). */
export function nginxQuote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Quotes `value` for an Apache config double-quoted argument (Apache unescapes `\\` and `\"` inside quotes). */
export function apacheQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function listenOnce(host: string, port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

/**
 * A TCP port free on both 127.0.0.1 and ::1 at the time of the call (probed by binding both, then
 * released). A server binding it later can still lose a race; the starters retry on "address in use".
 */
export async function freeDualStackPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const v4 = await listenOnce('127.0.0.1', 0);
    if (!v4) continue;
    const port = (v4.address() as net.AddressInfo).port;
    const v6 = await listenOnce('::1', port);
    await new Promise((r) => v4.close(r));
    if (v6) {
      await new Promise((r) => v6.close(r));
      return port;
    }
  }
  throw new Error('no TCP port free on both 127.0.0.1 and ::1 after 50 attempts');
}

/** True when a TCP connection to host:port is accepted within `timeoutMs`. */
function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function prepareDir(kind: string): { dir: string; logDir: string; htdocs: string; conf: string; run: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `rtas-webserver-${kind}-`));
  const sub = (name: string) => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    chmodSync(p, 0o755);
    return p;
  };
  // Apache's children (www-data) and nginx's workers must reach the document root.
  chmodSync(dir, 0o755);
  const htdocs = sub('htdocs');
  for (const [name, content] of Object.entries(SITE_FILES)) writeFileSync(path.join(htdocs, name), content, { mode: 0o644 });
  return { dir, logDir: sub('logs'), htdocs, conf: sub('conf'), run: sub('run') };
}

interface Launch {
  kind: 'nginx' | 'apache';
  bin: string;
  args: string[];
  configFile: string;
  port: number;
  dir: string;
  logDir: string;
  /** Log file read for the failure message when the server does not come up. */
  errorLogFile: string;
  upstreamPort?: number;
}

/** Spawns the server, waits until both loopbacks accept connections, and returns its handle. */
async function launch(l: Launch): Promise<WebServer> {
  const child = spawn(l.bin, l.args, { cwd: l.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = `${code ?? signal}`;
      untrack(child);
      resolve();
    }),
  );
  child.once('error', (err) => {
    output += `\n${err.message}`;
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exitedWith !== undefined) break;
    if ((await canConnect('127.0.0.1', l.port)) && (await canConnect('::1', l.port))) break;
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  const stop = async (opts: { removeDir?: boolean } = {}): Promise<void> => {
    if (exitedWith === undefined && child.pid) {
      try {
        child.kill('SIGTERM');
      } catch {
        // gone
      }
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 10_000)))]);
      clearTimeout(timer);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
        await exited;
      }
    }
    // Workers/children may outlive the master by a moment: wait until nothing answers on the port.
    const until = Date.now() + 10_000;
    while (Date.now() < until && ((await canConnect('127.0.0.1', l.port, 200)) || (await canConnect('::1', l.port, 200)))) await sleep(50);
    if (opts.removeDir) await rm(l.dir, { recursive: true, force: true });
  };
  if (exitedWith !== undefined || Date.now() > deadline) {
    await stop(); // keeps the dir: the message points at its config
    const errLog = existsSync(l.errorLogFile) ? readFileSync(l.errorLogFile, 'utf8').trim().split('\n').slice(-20).join('\n') : '';
    const err = new Error(
      `${l.kind} did not come up on 127.0.0.1:${l.port} and [::1]:${l.port} (${exitedWith !== undefined ? `exited ${exitedWith}` : 'timeout'}): ` +
        `${output.trim()}${errLog ? `\n${errLog}` : ''}\nconfig ${l.configFile}:\n${readFileSync(l.configFile, 'utf8')}`,
    ) as Error & { addressInUse?: boolean };
    err.addressInUse = /Address already in use|could not bind/i.test(`${output}\n${errLog}`);
    throw err;
  }
  return {
    kind: l.kind,
    port: l.port,
    ...(l.upstreamPort !== undefined ? { upstreamPort: l.upstreamPort } : {}),
    pid: child.pid!,
    dir: l.dir,
    logDir: l.logDir,
    configFile: l.configFile,
    url: (urlPath = '/', opts = {}) => `http://${opts.ipv6 ? '[::1]' : '127.0.0.1'}:${l.port}${urlPath}`,
    log: (file) => resolveIn(l.logDir, file),
    stop,
  };
}

/** Retries `start` (which picks fresh ports) when the server lost the race for its port. */
async function withPortRetry(start: () => Promise<WebServer>): Promise<WebServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!(err as { addressInUse?: boolean }).addressInUse || attempt >= 3) throw err;
    }
  }
}

/**
 * Writes the nginx.conf of {@link startNginx} (exported so a failing test can show it). Paths that
 * nginx would otherwise take from its compiled-in prefix (/var/lib/nginx, /run/nginx.pid) all point
 * into `dir`.
 */
export function nginxConfig(opts: NginxOptions, p: { dir: string; logDir: string; htdocs: string; run: string; port: number; upstreamPort?: number }): string {
  const errorLog = opts.errorLog ?? { file: 'error.log', level: 'info' };
  const accessLogs = opts.accessLogs ?? [{ file: 'access.log', formatName: 'combined' }];
  const formats = (opts.logFormats ?? []).map(
    (f) => `    log_format ${f.name}${f.escape ? ` escape=${f.escape}` : ''} ${nginxQuote(f.format)};`,
  );
  const realIp = opts.realIp
    ? [
        ...opts.realIp.from.map((f) => `        set_real_ip_from ${f};`),
        `        real_ip_header ${opts.realIp.header};`,
        `        real_ip_recursive ${opts.realIp.recursive ? 'on' : 'off'};`,
      ]
    : [];
  const upstream = p.upstreamPort !== undefined;
  return [
    '# written by test/support/web-servers.ts',
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    ...(isRoot() ? ['user root root;'] : []),
    `pid ${p.run}/nginx.pid;`,
    `lock_file ${p.run}/nginx.lock;`,
    `error_log ${resolveIn(p.logDir, errorLog.file)} ${errorLog.level};`,
    'events { worker_connections 256; }',
    'http {',
    '    types { text/html html; text/plain txt; application/octet-stream bin; }',
    '    default_type application/octet-stream;',
    `    client_body_temp_path ${p.run}/client_body;`,
    `    proxy_temp_path ${p.run}/proxy;`,
    `    fastcgi_temp_path ${p.run}/fastcgi;`,
    `    uwsgi_temp_path ${p.run}/uwsgi;`,
    `    scgi_temp_path ${p.run}/scgi;`,
    ...formats,
    ...accessLogs.map((a) => `    access_log ${resolveIn(p.logDir, a.file)} ${a.formatName};`),
    '    server {',
    `        listen 127.0.0.1:${p.port};`,
    `        listen [::1]:${p.port};`,
    '        server_name localhost;',
    `        root ${p.htdocs};`,
    ...realIp,
    '        location / { index index.html; }',
    '        location = /slow.bin { limit_rate 32k; }',
    '        location = /ok { default_type text/plain; return 200 "ok\\n"; }',
    '        location = /not-found { return 404; }',
    ...(upstream
      ? [
          `        location /proxy/ { proxy_pass http://127.0.0.1:${p.upstreamPort}/; }`,
          // Port 1 on loopback: nothing listens there, so the upstream is refused (502).
          '        location /proxy-down/ { proxy_pass http://127.0.0.1:1/; }',
        ]
      : []),
    '    }',
    ...(upstream
      ? [
          '    server {',
          `        listen 127.0.0.1:${p.upstreamPort};`,
          '        server_name upstream;',
          '        access_log off;',
          `        root ${p.htdocs};`,
          '        location = /slow.bin { limit_rate 32k; }',
          '        location / { index index.html; }',
          '    }',
        ]
      : []),
    '}',
    '',
  ].join('\n');
}

/**
 * Starts the real nginx (`/usr/sbin/nginx -c <conf> -p <dir> -e <error log>`, in the foreground with
 * one worker) on a free port of 127.0.0.1 and [::1]; see the module comment for the site.
 * @throws when nginx is missing, rejects the config, or does not accept connections within 15 s
 *   (the message holds its output, the error log's tail and the config).
 */
export async function startNginx(opts: NginxOptions = {}): Promise<WebServer> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: install nginx (npm test runs scripts/prereqs, which does)`);
  return withPortRetry(async () => {
    const d = prepareDir('nginx');
    const port = await freeDualStackPort();
    const upstreamPort = opts.upstream === false ? undefined : await freeDualStackPort();
    const configFile = path.join(d.conf, 'nginx.conf');
    writeFileSync(configFile, nginxConfig(opts, { ...d, port, ...(upstreamPort !== undefined ? { upstreamPort } : {}) }));
    const errorLogFile = resolveIn(d.logDir, (opts.errorLog ?? { file: 'error.log' }).file);
    return launch({
      kind: 'nginx',
      bin: NGINX_BIN,
      args: ['-c', configFile, '-p', `${d.dir}/`, '-e', errorLogFile],
      configFile,
      port,
      dir: d.dir,
      logDir: d.logDir,
      errorLogFile,
      ...(upstreamPort !== undefined ? { upstreamPort } : {}),
    });
  });
}

/** Debian's `LogFormat` definitions from /etc/apache2/apache2.conf, always defined by {@link startApache}. */
export const APACHE_DEBIAN_FORMATS: readonly { nickname: string; format: string }[] = [
  { nickname: 'vhost_combined', format: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"' },
  { nickname: 'combined', format: '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"' },
  { nickname: 'common', format: '%h %l %u %t "%r" %>s %O' },
  { nickname: 'referer', format: '%{Referer}i -> %U' },
  { nickname: 'agent', format: '%{User-agent}i' },
];

/** Writes the configuration of {@link startApache} (exported so a failing test can show it). */
export function apacheConfig(opts: ApacheOptions, p: { dir: string; logDir: string; htdocs: string; run: string; port: number }): string {
  const errorLog = opts.errorLog ?? { file: 'error.log', level: 'info' };
  const customLogs = opts.customLogs ?? [{ file: 'access.log', nickname: 'combined' }];
  const mod = (name: string, file = `mod_${name}.so`) => `LoadModule ${name}_module ${APACHE_MODULES}/${file}`;
  return [
    '# written by test/support/web-servers.ts',
    `ServerRoot ${p.dir}`,
    `DefaultRuntimeDir ${p.run}`,
    `PidFile ${p.run}/apache2.pid`,
    `Mutex file:${p.run} default`,
    mod(`mpm_${opts.mpm ?? 'event'}`),
    mod('authz_core'),
    mod('mime'),
    mod('dir'),
    ...(opts.remoteIp ? [mod('remoteip')] : []),
    ...(isRoot() ? ['User www-data', 'Group www-data'] : []),
    // With its port, so %p (the canonical port) is the port listened on, as in a real vhost.
    `ServerName localhost:${p.port}`,
    `Listen 127.0.0.1:${p.port}`,
    `Listen [::1]:${p.port}`,
    'Timeout 10',
    'KeepAlive On',
    'StartServers 1',
    'ServerLimit 2',
    ...(opts.mpm === 'prefork' ? ['MaxRequestWorkers 4'] : ['ThreadsPerChild 4', 'MaxRequestWorkers 8']),
    `ErrorLog ${resolveIn(p.logDir, errorLog.file)}`,
    `LogLevel ${errorLog.level}`,
    ...[...APACHE_DEBIAN_FORMATS, ...(opts.logFormats ?? [])].map((f) => `LogFormat ${apacheQuote(f.format)} ${f.nickname}`),
    ...customLogs.map((c) => `CustomLog ${resolveIn(p.logDir, c.file)} ${c.nickname}`),
    ...(opts.remoteIp
      ? [`RemoteIPHeader ${opts.remoteIp.header}`, ...opts.remoteIp.internalProxies.map((x) => `RemoteIPInternalProxy ${x}`)]
      : []),
    'TypesConfig /dev/null',
    'AddType text/html .html',
    'AddType text/plain .txt',
    `DocumentRoot ${p.htdocs}`,
    '<Directory />',
    '    Require all denied',
    '</Directory>',
    `<Directory ${p.htdocs}>`,
    '    Require all granted',
    '    DirectoryIndex index.html',
    '</Directory>',
    '',
  ].join('\n');
}

/**
 * Starts the real Apache (`/usr/sbin/apache2 -f <conf> -DFOREGROUND`, mpm_event unless `mpm` says
 * otherwise, as www-data when run by root) on a free port of 127.0.0.1 and [::1]. Loaded modules:
 * the compiled-in ones (log_config, logio, unixd, version), authz_core, mime, dir, and remoteip when
 * `remoteIp` is given. Debian's formats ({@link APACHE_DEBIAN_FORMATS}) are always defined.
 * @throws when apache2 is missing, rejects the config, or does not accept connections within 15 s.
 */
export async function startApache(opts: ApacheOptions = {}): Promise<WebServer> {
  if (!existsSync(APACHE_BIN)) throw new Error(`${APACHE_BIN} not found: install apache2 (npm test runs scripts/prereqs, which does)`);
  return withPortRetry(async () => {
    const d = prepareDir('apache');
    const port = await freeDualStackPort();
    const configFile = path.join(d.conf, 'apache2.conf');
    writeFileSync(configFile, apacheConfig(opts, { ...d, port }));
    return launch({
      kind: 'apache',
      bin: APACHE_BIN,
      args: ['-f', configFile, '-d', d.dir, '-DFOREGROUND'],
      configFile,
      port,
      dir: d.dir,
      logDir: d.logDir,
      errorLogFile: resolveIn(d.logDir, (opts.errorLog ?? { file: 'error.log' }).file),
    });
  });
}

/** What {@link curl} returns. */
export interface CurlResult {
  /** HTTP status of the last response (`%{http_code}`; 0 when none was received). */
  status: number;
  /** Response body. */
  body: string;
  /** curl's stderr (errors only: it runs with `--silent --show-error`). */
  stderr: string;
  /** curl's exit code (0 = transfer done, whatever the HTTP status). */
  exitCode: number;
}

const STATUS_MARK = '\n--rtas-http-code:';

/**
 * Runs the real `curl` binary with `args` (plus `--silent --show-error --max-time 20` and a `--write-out`
 * that reports the status), e.g. `['-g', server.url('/', { ipv6: true })]`,
 * `['-H', 'X-Forwarded-For: 203.0.113.7', '-A', 'ua "q" ü', '-e', 'https://ref.example/', '--http1.0', url]`.
 * Arguments go to curl as they are (no shell), so quotes and UTF-8 reach the server unchanged.
 * Never rejects on an HTTP error status or a curl failure: look at `status` and `exitCode`.
 */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', '20', '--write-out', `${STATUS_MARK}%{http_code}`, ...args],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code: unknown = err ? (err as { code?: unknown }).code : 0;
        if (err && typeof code !== 'number') {
          reject(new Error(`curl failed to run (${String(code ?? err.message)}); is it installed? (npm test runs scripts/prereqs, which installs it)`));
          return;
        }
        const at = stdout.lastIndexOf(STATUS_MARK);
        const status = at >= 0 ? Number.parseInt(stdout.slice(at + STATUS_MARK.length), 10) : 0;
        resolve({ status: Number.isInteger(status) ? status : 0, body: at >= 0 ? stdout.slice(0, at) : stdout, stderr, exitCode: code as number });
      },
    );
  });
}

/**
 * Sends `payload` as is over a TCP connection (e.g. `'GARBAGE\r\n\r\n'`, which both servers answer
 * with 400 and log), and resolves with everything the server sent until it closed the connection
 * (or after `timeoutMs`).
 */
export function rawRequest(host: string, port: number, payload: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** The status code of a raw HTTP response such as `HTTP/1.1 400 Bad Request…` (0 when there is none). */
export function statusOf(rawResponse: string): number {
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(rawResponse);
  return m ? Number(m[1]) : 0;
}

/** The complete lines of a log file ('' lines dropped; [] when it does not exist yet). */
export async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline is not a complete line
  return lines.filter((l) => l.length > 0);
}

/**
 * Waits until `file` holds at least `count` complete lines (servers write a request's line after the
 * response is sent, so right after curl returns it may not be there yet) and returns them all.
 * @throws after `timeoutMs` (default 10 s) with the lines seen so far.
 */
export async function waitForLines(file: string, count: number, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await readLines(file);
    if (lines.length >= count) return lines;
    if (Date.now() > deadline) throw new Error(`${file}: ${lines.length} lines after ${timeoutMs} ms, expected ${count}:\n${lines.join('\n')}`);
    await sleep(50);
  }
}
