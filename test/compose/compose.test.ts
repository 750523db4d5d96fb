/**
 * Structure of `elasticsearch-kibana-compose.yaml`, the stack for users with Docker (no Docker engine
 * runs here, so the file is checked, not run): the elasticsearch, kibana and kafka services exist;
 * images are pinned to explicit versions (no `latest`) and the Elasticsearch and Kibana tags have the
 * major.minor of the `@elastic/elasticsearch` client in package.json; published ports are bound to
 * 127.0.0.1; every service has a health check; a service that talks to another (names it as a host in
 * its environment or command, or is Kibana) waits for it with `depends_on: {condition:
 * service_healthy}`; data directories use named volumes and every named volume is declared.
 * The S3 part: a MinIO service (pinned `RELEASE.` tag, health check, named volume, 127.0.0.1 ports) and
 * a one-shot `minio-init` (mc) that creates the bucket; Elasticsearch's repository-s3 client points at
 * MinIO with its credentials put into the keystore; every secret comes from a `${VAR}` reference, never a
 * literal; `.env.example` lists exactly the variables the compose file uses, and `.env` is git-ignored.
 * Security: Elasticsearch has `xpack.security.enabled: "true"` and HTTPS with certificates made by a
 * one-shot `es-certs` (elasticsearch-certutil, `certs` volume) it waits for; the `elastic` password and
 * the `kibana_system` password (set by a one-shot `es-setup` over HTTPS after Elasticsearch is healthy)
 * come from `.env`; Kibana logs in as kibana_system over HTTPS trusting that CA, has its three encryption
 * keys from `.env` (32+ characters in `.env.example`), and waits for es-setup; health checks log in
 * without a literal password.
 *
 * Parsing needs the `yaml` package (`import { parse } from 'yaml'`), a dev dependency to be added
 * (`npm install --save-dev yaml`). It is loaded dynamically so the project type-checks without it;
 * until it is installed this suite fails with a message saying so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const composeFile = path.join(repoRoot, 'elasticsearch-kibana-compose.yaml');

/** The parts of a compose service this test reads (Compose specification, services top-level element). */
interface Service {
  image?: string;
  user?: string;
  entrypoint?: string | string[];
  restart?: string;
  ports?: (string | number | { target?: number; published?: string | number; host_ip?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: string[] | Record<string, unknown>;
  command?: string | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}
interface Compose {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** `import { parse } from 'yaml'`, loaded at run time. @throws Error telling to install `yaml` */
/** `repo[:tag]` of an image reference (`docker.elastic.co/kibana/kibana:8.19.21` → tag `8.19.21`). */
function imageTag(image: string): string | undefined {
  const lastSegment = image.split('/').pop() ?? '';
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1).split('@')[0];
}

/** Host interface of a published port, or undefined when it listens on every interface. */
function portHostIp(p: NonNullable<Service['ports']>[number]): string | undefined {
  if (typeof p === 'object') return p.host_ip;
  const parts = String(p).split(':');
  // "ip:host:container" binds an interface; "host:container" and "container" do not
  return parts.length >= 3 ? parts.slice(0, parts.length - 2).join(':') : undefined;
}

/** Named volume of a service volume entry (not a bind mount), if any. */
function namedVolume(v: NonNullable<Service['volumes']>[number]): string | undefined {
  const source = typeof v === 'object' ? (v.type === undefined || v.type === 'volume' ? v.source : undefined) : v.split(':').length > 1 ? v.split(':')[0] : undefined;
  if (!source || /^[./~]/.test(source)) return undefined;
  return source;
}

/** The text of a service's environment and command, where it names other services as hosts. */
function configText(s: Service): string {
  const env = Array.isArray(s.environment) ? s.environment.join('\n') : Object.entries(s.environment ?? {}).map(([k, v]) => `${k}=${String(v)}`).join('\n');
  const cmd = Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');
  return `${env}\n${cmd}`;
}

/** The client's major.minor from the dependency range in package.json (`~8.19.1` → `8.19`). */
function clientMajorMinor(): string {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const spec = pkg.dependencies['@elastic/elasticsearch'];
  const m = /(\d+)\.(\d+)/.exec(spec ?? '');
  if (!m) throw new Error(`cannot read a version from @elastic/elasticsearch "${spec}" in package.json`);
  return `${m[1]}.${m[2]}`;
}

/** A service's environment as a plain map (list or map form). */
function envMap(s: Service | undefined): Record<string, string> {
  return Array.isArray(s?.environment)
    ? Object.fromEntries(s.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
    : Object.fromEntries(Object.entries(s?.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Condition of `name`'s dependency on `other` (`service_healthy`, `service_completed_successfully`…), if any. */
function dependency(s: Service | undefined, other: string): string | undefined {
  const dep = s?.depends_on;
  return dep && !Array.isArray(dep) ? dep[other]?.condition : undefined;
}

describe('elasticsearch-kibana-compose.yaml', () => {
  let compose: Compose;
  let services: Record<string, Service>;

  beforeAll(async () => {
    compose = parse(readFileSync(composeFile, 'utf8')) as Compose;
    services = compose.services ?? {};
  });

  it('has the elasticsearch, kibana and kafka services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['elasticsearch', 'kibana', 'kafka']));
  });

  it('pins every image to an explicit version, never latest', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, image: s.image }).toEqual({ name, image: expect.any(String) });
      const tag = imageTag(s.image!);
      expect(`${name}: ${tag ?? '(untagged)'}`).not.toMatch(/: (\(untagged\)|latest)$/);
      // semantic versions, or MinIO's dated release tags (RELEASE.2025-09-07T16-13-09Z)
      expect(`${name}: ${tag}`).toMatch(/: (v?\d+\.\d+\.\d+([-.][\w.]+)?|RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z)$/);
    }
  });

  it('runs Elasticsearch and Kibana at the major.minor of the @elastic/elasticsearch client', () => {
    const mm = clientMajorMinor();
    for (const name of ['elasticsearch', 'kibana']) {
      const tag = imageTag(services[name]?.image ?? '') ?? '';
      expect(`${name}: ${tag.split('.').slice(0, 2).join('.')}`).toBe(`${name}: ${mm}`);
    }
    expect(imageTag(services.elasticsearch!.image!)).toBe(imageTag(services.kibana!.image!));
  });

  it('binds every published port to 127.0.0.1', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) expect(`${name} ${JSON.stringify(p)} on ${portHostIp(p) ?? 'all interfaces'}`).toBe(`${name} ${JSON.stringify(p)} on 127.0.0.1`);
    }
  });

  it('gives every service a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(`${name}: ${s.healthcheck?.disable ? 'disabled' : s.healthcheck?.test ? 'test' : 'none'}`).toBe(`${name}: test`);
    }
  });

  it('makes a service that needs another wait until that one is healthy', () => {
    const names = Object.keys(services);
    const needs: [string, string][] = [['kibana', 'elasticsearch']];
    for (const [name, s] of Object.entries(services)) {
      const text = configText(s);
      for (const other of names) {
        if (other !== name && new RegExp(`(^|[/@\\s"'=,\\[])${other}:\\d+`, 'm').test(text) && !needs.some(([a, b]) => a === name && b === other)) needs.push([name, other]);
      }
    }
    for (const [name, other] of needs) {
      const dep = services[name]?.depends_on;
      const condition = dep && !Array.isArray(dep) ? dep[other]?.condition : undefined;
      expect(`${name} → ${other}: ${condition ?? 'no condition'}`).toBe(`${name} → ${other}: service_healthy`);
    }
  });

  it('keeps data in named volumes, all declared at the top level', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = Object.entries(services).flatMap(([name, s]) => (s.volumes ?? []).map((v) => ({ name, volume: namedVolume(v) })));
    for (const u of used) if (u.volume) expect(declared).toContain(u.volume);
    for (const stateful of ['elasticsearch', 'kafka', 'minio']) expect(used.some((u) => u.name === stateful && u.volume)).toBe(true);
    for (const d of declared) expect(used.map((u) => u.volume)).toContain(d);
  });

  describe('S3 (MinIO) for snapshots and the archive', () => {
    const composeText = (): string => readFileSync(composeFile, 'utf8');
    /** `${VAR}`, `${VAR:?msg}`, `${VAR:-x}` references interpolated by compose (not `$${…}`, which the container expands). */
    const composeVariables = (): string[] => [...new Set([...composeText().matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))].sort();
    const envExample = (): Map<string, string> =>
      new Map(
        readFileSync(path.join(repoRoot, '.env.example'), 'utf8')
          .split('\n')
          .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
      );
    const envOf = (s: Service | undefined): Record<string, string> =>
      Array.isArray(s?.environment)
        ? Object.fromEntries(s.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
        : Object.fromEntries(Object.entries(s?.environment ?? {}).map(([k, v]) => [k, String(v)]));

    it('has a MinIO service pinned to a release, health-checked, on a named volume and 127.0.0.1', () => {
      const minio = services.minio!;
      expect(minio.image).toMatch(/^(quay\.io\/)?minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
      expect(minio.healthcheck?.test).toBeDefined();
      expect((minio.ports ?? []).map(String)).toEqual(expect.arrayContaining([expect.stringMatching(/^127\.0\.0\.1:9000:9000$/)]));
      expect((minio.volumes ?? []).map(namedVolume)).toContain('minio-data');
    });

    it('has a one-shot minio-init (mc) that creates the bucket after MinIO is healthy', () => {
      const init = services['minio-init']!;
      expect(init.image).toMatch(/^(quay\.io\/)?minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
      expect(init.restart).toBe('no');
      // `$$` is compose's escape: the container's shell expands $S3_BUCKET
      expect(configText(init)).toMatch(/mc mb --ignore-existing "local\/\$\$S3_BUCKET"/);
      expect(envOf(init).S3_BUCKET).toMatch(/^\$\{S3_BUCKET/);
      const dep = init.depends_on as Record<string, { condition?: string }>;
      expect(dep.minio?.condition).toBe('service_healthy');
    });

    it('points Elasticsearch repository-s3 at MinIO and puts the credentials into the keystore', () => {
      const es = services.elasticsearch!;
      expect(envOf(es)).toMatchObject({
        's3.client.default.endpoint': 'minio:9000',
        's3.client.default.protocol': 'http',
        's3.client.default.path_style_access': 'true',
      });
      const cmd = configText(es);
      for (const key of ['s3.client.default.access_key', 's3.client.default.secret_key']) expect(cmd).toMatch(new RegExp(`elasticsearch-keystore add -x -f ${key.replace(/\./g, '\\.')}`));
      // the image's own entrypoint still starts Elasticsearch
      expect(cmd).toContain('exec /bin/tini -- /usr/local/bin/docker-entrypoint.sh eswrapper');
      expect(es.entrypoint).toBeDefined();
    });

    it('takes every secret from a ${VAR} reference, never a literal', () => {
      for (const [name, s] of Object.entries(services)) {
        for (const [k, v] of Object.entries(envOf(s))) {
          if (/PASSWORD|SECRET|ACCESS_KEY|ROOT_USER|TOKEN|ENCRYPTIONKEY/i.test(k)) expect(`${name}.${k}=${v}`).toMatch(/=\$\{[A-Z0-9_]+(:[?-][^}]*)?\}$/);
        }
      }
      for (const [k, v] of envExample()) if (/PASSWORD|SECRET|KEY/.test(k) && v.length >= 8) expect(composeText()).not.toContain(v);
    });

    it('.env.example has every variable the compose file uses (and no others), and .env is git-ignored', () => {
      const used = composeVariables();
      expect(used).toEqual(expect.arrayContaining(['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']));
      expect([...envExample().keys()].sort()).toEqual(used);
      expect(readFileSync(path.join(repoRoot, '.gitignore'), 'utf8').split('\n').map((l) => l.trim())).toContain('.env');
    });
  });

  describe('security on by default', () => {
    const ref = (name: string) => new RegExp(`^\\$\\{${name}(:[?-][^}]*)?\\}$`);
    const mounts = (s: Service | undefined): string[] => (s?.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    const certsMountOf = (s: Service | undefined): string | undefined => mounts(s).find((m) => m.startsWith('certs:'))?.split(':')[1];

    it('Elasticsearch has security and HTTPS on, the elastic password from .env, certificates from the certs volume', () => {
      const es = services.elasticsearch!;
      const env = envMap(es);
      expect(env['xpack.security.enabled']).toBe('true');
      expect(env['xpack.security.http.ssl.enabled']).toBe('true');
      expect(env.ELASTIC_PASSWORD).toMatch(ref('ELASTIC_PASSWORD'));
      expect(certsMountOf(es)).toBe('/usr/share/elasticsearch/config/certs');
      // paths relative to the config directory, inside the mounted certs volume
      for (const k of ['xpack.security.http.ssl.key', 'xpack.security.http.ssl.certificate', 'xpack.security.http.ssl.certificate_authorities']) expect(env[k]).toMatch(/^certs\//);
      expect(readFileSync(composeFile, 'utf8')).not.toMatch(/xpack\.security\.enabled:\s*"?false/);
    });

    it('a one-shot es-certs makes the CA and HTTP certificate with elasticsearch-certutil before Elasticsearch starts', () => {
      const certs = services['es-certs']!;
      expect(imageTag(certs.image!)).toBe(imageTag(services.elasticsearch!.image!));
      expect(certs.restart).toBe('no');
      const cmd = configText(certs);
      expect(cmd).toMatch(/elasticsearch-certutil ca .*--pem/);
      expect(cmd).toMatch(/elasticsearch-certutil cert .*--pem/);
      for (const name of ['elasticsearch', 'localhost', '127.0.0.1']) expect(cmd).toContain(name);
      expect(cmd).toContain('chown -R 1000:0 config/certs'); // readable by the elasticsearch user
      expect(certsMountOf(certs)).toBe('/usr/share/elasticsearch/config/certs');
      expect(dependency(services.elasticsearch, 'es-certs')).toBe('service_completed_successfully');
    });

    it('a one-shot es-setup sets the kibana_system password from .env over HTTPS once Elasticsearch is healthy', () => {
      const setup = services['es-setup']!;
      expect(setup.restart).toBe('no');
      const env = envMap(setup);
      expect(env.ELASTIC_PASSWORD).toMatch(ref('ELASTIC_PASSWORD'));
      expect(env.KIBANA_SYSTEM_PASSWORD).toMatch(ref('KIBANA_SYSTEM_PASSWORD'));
      const cmd = configText(setup);
      expect(cmd).toContain('https://elasticsearch:9200/_security/user/kibana_system/_password');
      expect(cmd).toContain('--cacert config/certs/ca/ca.crt');
      expect(cmd).toContain('$$ELASTIC_PASSWORD');
      expect(cmd).toContain('$$KIBANA_SYSTEM_PASSWORD');
      expect(dependency(setup, 'elasticsearch')).toBe('service_healthy');
    });

    it('Kibana logs in as kibana_system over HTTPS trusting the CA, with its three encryption keys from .env', () => {
      const kibana = services.kibana!;
      const env = envMap(kibana);
      expect(JSON.parse(env.ELASTICSEARCH_HOSTS!)).toEqual(['https://elasticsearch:9200']);
      expect(env.ELASTICSEARCH_USERNAME).toBe('kibana_system');
      expect(env.ELASTICSEARCH_PASSWORD).toMatch(ref('KIBANA_SYSTEM_PASSWORD'));
      expect(`${certsMountOf(kibana)}/${env.ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES!.replace(/^config\/certs\//, '')}`).toBe('/usr/share/kibana/config/certs/ca/ca.crt');
      // Kibana's Docker image maps these variables to xpack.security.encryptionKey,
      // xpack.encryptedSavedObjects.encryptionKey and xpack.reporting.encryptionKey
      const keys = { XPACK_SECURITY_ENCRYPTIONKEY: 'KIBANA_SECURITY_ENCRYPTION_KEY', XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY: 'KIBANA_SAVED_OBJECTS_ENCRYPTION_KEY', XPACK_REPORTING_ENCRYPTIONKEY: 'KIBANA_REPORTING_ENCRYPTION_KEY' };
      const example = new Map(readFileSync(path.join(repoRoot, '.env.example'), 'utf8').split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
      for (const [setting, variable] of Object.entries(keys)) {
        expect(env[setting]).toMatch(ref(variable));
        expect(`${variable}: ${(example.get(variable) ?? '').length >= 32}`).toBe(`${variable}: true`);
      }
      expect(dependency(kibana, 'es-setup')).toBe('service_completed_successfully');
    });

    it('health checks log in over HTTPS with the password from the container environment, never a literal', () => {
      const test = services.elasticsearch!.healthcheck!.test!;
      const text = Array.isArray(test) ? test.join(' ') : test;
      expect(text).toContain('https://localhost:9200');
      expect(text).toContain('--cacert config/certs/ca/ca.crt');
      expect(text).toMatch(/-u "elastic:\$\$\{?ELASTIC_PASSWORD\}?"/);
    });
  });
});
