/**
 * A separate, throw-away Elasticsearch with security and TLS on, for tests that must show a command works
 * against a secured cluster. It reuses the local stack's distribution (read-only) but has its own home
 * (data, logs, pid file), its own configuration directory (ES_PATH_CONF: certificates, keystore), free
 * ports and a 512 MiB heap; the shared instance on 9200 is never touched.
 *
 * - Certificates are made here with openssl (Debian's `openssl`): a CA, a node certificate for
 *   127.0.0.1/localhost signed by it, and a second, unrelated CA to show what an untrusted server looks like.
 * - The `elastic` password is the bootstrap password in the instance's own keystore
 *   (`bin/elasticsearch-keystore add -x bootstrap.password`, read from stdin), as the Docker image does.
 * - An API key is created with `POST /_security/api_key` as `elastic`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { installElasticsearch, managedElasticsearchPid, startElasticsearch, stopElasticsearch } from '../../scripts/stack/elasticsearch.js';
import { findJava } from '../../scripts/stack/java.js';
import { findMaven } from '../../scripts/stack/maven.js';
import { isRoot, SERVICE_USER, stackPaths, type StackPaths } from '../../scripts/stack/paths.js';
import { run } from '../../scripts/stack/proc.js';
import { ensureOwnedBy, ensureServiceUser, type ServiceUser } from '../../scripts/stack/user.js';

/** A running secured instance and what a client needs to reach it. */
export interface SecureEs {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM file of the CA that signed the node certificate. */
  caFile: string;
  /** PEM file of an unrelated CA (a client trusting only it must refuse the server). */
  wrongCaFile: string;
  /** Password of the built-in `elastic` superuser. */
  password: string;
  /** API key (`encoded` form) created by `elastic`, with its privileges — when this distribution can make one. */
  apiKey?: string;
  /** The API key's `id:api_key` form (its secret part must not be printed either). */
  apiKeyIdAndKey?: string;
  /**
   * Why no API key could be created. The integ-test distribution lacks the analysis-common module, and
   * the `.security` index (where API keys live) is defined with its `pattern_capture` filter, so
   * `POST /_security/api_key` answers 400 "Unknown filter type [pattern_capture]".
   */
  apiKeyError?: string;
  home: string;
  /** Stops the instance (SIGTERM, then SIGKILL after 60 s) and deletes its home. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `file args` with `input` on stdin (for `-x` secrets); rejects with its output on a non-zero exit. */
function runWithStdin(file: string, args: string[], input: string, opts: { env: NodeJS.ProcessEnv; uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} ${args.join(' ')} exited ${code}: ${out.trim()}`))));
    child.stdin.end(input);
  });
}

/** CA + node certificate (SAN 127.0.0.1, localhost) + an unrelated CA, as PEM files in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  const o = (args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rtas test CA']);
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=rtas unrelated CA']);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=127.0.0.1']);
  await writeFile(path.join(dir, 'node.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  await o(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.crt', '-days', '2', '-extfile', 'node.ext']);
}

/**
 * Starts the secured instance. Installs the distribution into the default stack home first when it is
 * missing (as `npm run stack -- up` would).
 * @throws when openssl is missing, the distribution cannot be installed, or the node does not become
 *   healthy (the message names its log files).
 */
export async function startSecureEs(log: (msg: string) => void = () => undefined): Promise<SecureEs> {
  const shared = stackPaths();
  const java = await findJava();
  await installElasticsearch(shared, () => findMaven('set ES_URL to a running Elasticsearch'), java, log);

  const home = await mkdtemp(path.join(os.tmpdir(), 'rtas-secure-es-'));
  await chmod(home, 0o755); // the service user must traverse it
  const own = stackPaths(home);
  // Our own home for data, logs, pid and endpoint files; the shared, unpacked distribution.
  const paths: StackPaths = { ...own, es: { ...own.es, distHome: shared.es.distHome } };
  const confDir = path.join(home, 'config');
  await cp(path.join(shared.es.distHome, 'config'), confDir, {
    recursive: true,
    filter: (src) => !/elasticsearch\.keystore$|[/\\]users(_roles)?$/.test(src),
  });
  const certs = path.join(confDir, 'certs');
  await mkdir(certs, { recursive: true });
  await makeCertificates(certs);

  const user: ServiceUser | undefined = isRoot() ? await ensureServiceUser(SERVICE_USER) : undefined;
  if (user) await ensureOwnedBy(confDir, user);
  const password = randomBytes(18).toString('base64url');
  const toolEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ES_JAVA_HOME: java.home, ES_PATH_CONF: confDir, ...(user ? { HOME: user.home } : {}) };
  const keystore = path.join(shared.es.distHome, 'bin', 'elasticsearch-keystore');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  await runWithStdin(keystore, ['create'], '', { env: toolEnv, ...ids });
  await runWithStdin(keystore, ['add', '-x', 'bootstrap.password'], password, { env: toolEnv, ...ids });

  const [port, transportPort] = [await freePort(), await freePort()];
  const url = `https://127.0.0.1:${port}`;
  const ca = await readFile(path.join(certs, 'ca.crt'), 'utf8');
  const basic = `Basic ${Buffer.from(`elastic:${password}`).toString('base64')}`;
  await startElasticsearch({
    paths,
    url,
    java,
    ...(user ? { user } : {}),
    heap: '512m',
    timeoutMs: 240_000,
    log,
    confDir,
    settings: {
      'transport.port': String(transportPort),
      'xpack.security.enabled': 'true',
      'xpack.security.http.ssl.enabled': 'true',
      'xpack.security.http.ssl.key': 'certs/node.key',
      'xpack.security.http.ssl.certificate': 'certs/node.crt',
      'xpack.security.http.ssl.certificate_authorities': 'certs/ca.crt',
    },
    access: { headers: { authorization: basic }, ca },
  });
  const stop = async (): Promise<void> => {
    await stopElasticsearch(paths, log);
    await rm(home, { recursive: true, force: true });
  };
  try {
    const agent = new Agent({ connect: { ca } });
    const res = await fetch(`${url}/_security/api_key`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rtas-secure-test', expiration: '1d' }),
      dispatcher: agent,
    });
    const key = (await res.json()) as { id?: string; api_key?: string; encoded?: string };
    await agent.close();
    const base = { url, caFile: path.join(certs, 'ca.crt'), wrongCaFile: path.join(certs, 'other-ca.crt'), password, home, stop };
    if (res.ok && key.encoded) return { ...base, apiKey: key.encoded, apiKeyIdAndKey: `${key.id}:${key.api_key}` };
    return { ...base, apiKeyError: `POST /_security/api_key answered ${res.status}: ${JSON.stringify(key)}` };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Pid of the secured instance living in `home`, if alive (for diagnostics). */
export function secureEsPid(home: string): Promise<number | undefined> {
  const own = stackPaths(home);
  return managedElasticsearchPid({ ...own, es: { ...own.es, distHome: stackPaths().es.distHome } });
}
