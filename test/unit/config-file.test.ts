/**
 * The processor's config file (processor/config/): a valid file with its defaults, every kind of
 * mistake reported once with its exact FILE:LINE:COL and key path, durations and sizes, flags over the
 * file, `--watch` inputs, and the redaction of secrets in `--print-config`.
 */
import os from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../../processor/config/load.js';
import { applyFlags, inputsFromWatch, printableConfig, processorOptionsOf, toInputSettings } from '../../processor/config/resolve.js';
import { defaultConfig } from '../../processor/config/schema.js';
import { parseByteSize, parseDuration } from '../../processor/config/units.js';
import { onceExitCode } from '../../processor/config/exit-codes.js';

/** The message of the ConfigError that parsing `text` throws. */
function problem(text: string, file = 'config.yaml'): string {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const NGINX = `nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`;

describe('a valid config file', () => {
  it('reads every section, applies the defaults and gives inputs their ids', () => {
    const c = parseConfig(
      `# a real box
inputs:
  - id: nginx-access
    dataset: weblogs
    paths: ["/var/log/nginx/**/access.log*"]
    exclude: ["**/*.tmp"]
    format: '${NGINX}'
    tags: [edge, eu]
    fields: { env: prod, shard: 3, canary: false }
    service.name: shop
    host.name: web-1
    start_at: end
    ignore_older: 24h
    trusted_proxies: [10.0.0.0/8, 127.0.0.1, "2001:db8::/32"]
  - paths: [/var/log/news]
    dataset: news
    service: { name: newsroom }
elasticsearch:
  url: https://es.example:9200
  api_key: abc
  compression: true
  bulk_max_bytes: 8MiB
kafka:
  brokers: [k1:9092, k2:9092]
  group_id: g
processor:
  namespace: prod
  data_dir: /var/lib/rtas
  batch_size: 2000
  batch_interval_ms: 500ms
  allowed_lateness_ms: 5m
  archive_dir: /srv/archive
  metrics_port: 0
`,
      'box.yaml',
    );
    expect(c.inputs).toHaveLength(2);
    expect(c.inputs[0]).toEqual({
      id: 'nginx-access',
      dataset: 'weblogs',
      paths: ['/var/log/nginx/**/access.log*'],
      exclude: ['**/*.tmp'],
      format: NGINX,
      tags: ['edge', 'eu'],
      fields: { env: 'prod', shard: '3', canary: 'false' },
      service: { name: 'shop' },
      host: { name: 'web-1' },
      start_at: 'end',
      ignore_older: 86_400_000,
      trusted_proxies: ['10.0.0.0/8', '127.0.0.1', '2001:db8::/32'],
    });
    expect(c.inputs[1]).toMatchObject({ id: 'input-2', dataset: 'news', service: { name: 'newsroom' }, host: { name: os.hostname() }, start_at: 'beginning', tags: [] });
    expect(c.elasticsearch).toMatchObject({ url: 'https://es.example:9200', api_key: 'abc', compression: true, bulk_max_bytes: 8 * 1024 * 1024 });
    expect(c.kafka).toEqual({ enabled: true, brokers: ['k1:9092', 'k2:9092'], group_id: 'g' });
    expect(c.processor).toMatchObject({
      namespace: 'prod',
      data_dir: '/var/lib/rtas',
      batch_size: 2000,
      batch_interval_ms: 500,
      allowed_lateness_ms: 300_000,
      archive_dir: '/srv/archive',
      metrics_port: 0,
      // defaults
      max_record_bytes: 1024 * 1024,
      windows: true,
      window_update_interval_ms: 5000,
    });
    expect(toInputSettings(c.inputs[0]!)).toEqual({
      id: 'nginx-access',
      dataset: 'weblogs',
      paths: ['/var/log/nginx/**/access.log*'],
      exclude: ['**/*.tmp'],
      format: NGINX,
      tags: ['edge', 'eu'],
      labels: { env: 'prod', shard: '3', canary: 'false' },
      serviceName: 'shop',
      hostName: 'web-1',
      startAt: 'end',
      ignoreOlderMs: 86_400_000,
      trustedProxies: ['10.0.0.0/8', '127.0.0.1', '2001:db8::/32'],
    });
    const o = processorOptionsOf(c, { once: true });
    expect(o).toMatchObject({ once: true, namespace: 'prod', batchSize: 2000, batchIntervalMs: 500, metricsPort: 0, esCompression: true, bulkMaxBytes: 8 * 1024 * 1024 });
    expect(o.kafka).toEqual({ brokers: ['k1:9092', 'k2:9092'], groupId: 'g', topics: undefined });
    expect(o.es).toMatchObject({ url: 'https://es.example:9200', apiKey: 'abc' });
  });

  it('an empty file is every default, with nothing to read', () => {
    expect(parseConfig('', 'empty.yaml')).toEqual(defaultConfig());
    expect(parseConfig('# nothing\n', 'empty.yaml').inputs).toEqual([]);
  });

  it('replaces ${NAME} and ${NAME:-default} from the environment, but not inside format', () => {
    process.env.RTAS_TEST_PASSWORD = 's3cret';
    try {
      const c = parseConfig(
        `inputs:\n  - paths: [/x]\n    format: 'nginx:\${remote_addr} [$time_local] "$request" $status'\nelasticsearch:\n  username: u\n  password: \${RTAS_TEST_PASSWORD}\n  url: \${RTAS_TEST_UNSET_URL:-http://es:9200}\n`,
        'env.yaml',
      );
      expect(c.elasticsearch).toMatchObject({ username: 'u', password: 's3cret', url: 'http://es:9200' });
      expect(c.inputs[0]!.format).toBe('nginx:${remote_addr} [$time_local] "$request" $status');
    } finally {
      delete process.env.RTAS_TEST_PASSWORD;
    }
  });
});

describe('mistakes, each with FILE:LINE:COL and the key path', () => {
  it('an unknown key, with the key it was probably meant to be', () => {
    expect(problem(`inputs:\n  - paths: [/x]\n    datset: weblogs\n`)).toBe('config.yaml:3:5: inputs[0].datset: unknown key (did you mean "dataset"?)');
    expect(problem(`processor:\n  batch_sise: 10\n`)).toBe('config.yaml:2:3: processor.batch_sise: unknown key (did you mean "batch_size"?)');
    expect(problem(`elasticsearch:\n  hosts: [http://a:9200]\n`)).toBe('config.yaml:2:3: elasticsearch.hosts: unknown key (did you mean "url"?)');
    expect(problem(`outputs: {}\n`)).toBe('config.yaml:1:1: outputs: unknown key (known: inputs, elasticsearch, kafka, processor)');
    expect(problem(`inputs:\n  - paths: [/x]\n    service.nmae: x\n`)).toBe('config.yaml:3:5: inputs[0].service.nmae: unknown key (did you mean "name"?)');
  });

  it('a wrong type, at the value', () => {
    expect(problem(`processor:\n  batch_size: many\n`)).toBe('config.yaml:2:15: processor.batch_size: expected number, got string');
    expect(problem(`inputs:\n  - paths: /var/log\n`)).toBe('config.yaml:2:12: inputs[0].paths: expected array, got string');
    expect(problem(`inputs:\n  - paths: [/x]\n    tags: [a, 3]\n`)).toBe('config.yaml:3:15: inputs[0].tags[1]: expected string, got number');
    expect(problem(`inputs:\n  - paths: [/x]\n    fields: {a: [1]}\n`)).toBe('config.yaml:3:17: inputs[0].fields.a: expected a string, number or boolean');
    expect(problem(`inputs:\n  - paths: [/x]\n    start_at: middle\n`)).toBe('config.yaml:3:15: inputs[0].start_at: expected one of "beginning"|"end"');
    expect(problem(`inputs:\n  - paths: [/x]\n    trusted_proxies: [10.0.0.0/33]\n`)).toBe('config.yaml:3:23: inputs[0].trusted_proxies[0]: not an IP address or CIDR: "10.0.0.0/33"');
    expect(problem(`inputs: {paths: [/x]}\n`)).toBe('config.yaml:1:9: inputs: expected array, got object');
  });

  it('a missing required key, at the mapping that lacks it', () => {
    expect(problem(`inputs:\n  - dataset: news\n`)).toBe('config.yaml:2:5: inputs[0]: required key "paths" is missing');
  });

  it('an unknown dataset', () => {
    expect(problem(`inputs:\n  - paths: [/x]\n    dataset: weblog\n`)).toMatch(
      /^config\.yaml:3:14: inputs\[0\]\.dataset: unknown dataset "weblog" \(did you mean "weblogs"\?\); known: weblogs, news, ticks/,
    );
  });

  it('a bad duration or size', () => {
    expect(problem(`inputs:\n  - paths: [/x]\n    ignore_older: 5 weeks\n`)).toMatch(/^config\.yaml:3:19: inputs\[0\]\.ignore_older: bad duration "5 weeks": expected/);
    expect(problem(`processor:\n  batch_interval_ms: 0\n`)).toBe('config.yaml:2:22: processor.batch_interval_ms: must be at least 1 ms');
    expect(problem(`processor:\n  archive_roll_bytes: 3 parsecs\n`)).toMatch(/^config\.yaml:2:23: processor\.archive_roll_bytes: bad size "3 parsecs"/);
    expect(problem(`processor:\n  allowed_lateness_ms: true\n`)).toMatch(/^config\.yaml:2:24: processor\.allowed_lateness_ms: expected a duration .*got boolean$/);
  });

  it('a YAML syntax error', () => {
    expect(problem(`inputs:\n  - paths: [/x\n    dataset: weblogs\n`)).toBe('config.yaml:3:5: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
    expect(problem(`processor:\n  namespace: a\n  namespace: b\n`)).toBe('config.yaml:3:3: YAML: Map keys must be unique');
    expect(problem(`processor:\n\tnamespace: a\n`)).toBe('config.yaml:2:1: YAML: Tabs are not allowed as indentation');
  });

  it('a key given twice as dotted and nested, a repeated input id, an unset variable', () => {
    expect(problem(`inputs:\n  - paths: [/x]\n    service: {name: a}\n    service.name: b\n`)).toBe('config.yaml:4:5: inputs[0].service.name: given twice (as "service.name" and as a nested key)');
    expect(problem(`inputs:\n  - {id: a, paths: [/x]}\n  - {id: a, paths: [/y]}\n`)).toBe('config.yaml:3:10: inputs[1].id: input id "a" is already used by inputs[0]');
    expect(problem(`elasticsearch:\n  url: \${RTAS_TEST_NOT_SET}\n`)).toBe(
      'config.yaml:2:8: elasticsearch.url: environment variable RTAS_TEST_NOT_SET is not set (write ${RTAS_TEST_NOT_SET:-default} for a default)',
    );
    expect(problem(`elasticsearch:\n  api_key: k\n  username: u\n`)).toBe('config.yaml:3:13: elasticsearch.username: give either api_key or username, not both');
  });

  it('a format the dataset refuses, at the format value, with the dataset\'s own words', () => {
    expect(problem(`inputs:\n  - paths: [/x]\n    format: 'apache:%h %Z'\n`)).toBe(
      'config.yaml:3:13: inputs[0].format: weblogs format: "%Z" is not a LogFormat directive (at position 4 of the format)',
    );
    expect(problem(`inputs:\n  - paths: [/x]\n    format: bogus\n`)).toMatch(/^config\.yaml:3:13: inputs\[0\]\.format: weblogs format: unknown weblogs format "bogus"/);
  });

  it('several mistakes: one line each, in file order', () => {
    const lines = problem(`processor:\n  batch_size: -1\ninputs:\n  - paths: [/x]\n    datset: x\n`).split('\n');
    expect(lines).toEqual([expect.stringMatching(/^config\.yaml:2:15: processor\.batch_size: /), 'config.yaml:5:5: inputs[0].datset: unknown key (did you mean "dataset"?)']);
  });
});

describe('durations and sizes', () => {
  it('reads ms numbers and strings with units', () => {
    expect([500, '500ms', '30s', '5m', '24h', '7d', '1.5h', '250'].map(parseDuration)).toEqual([500, 500, 30_000, 300_000, 86_400_000, 604_800_000, 5_400_000, 250]);
    for (const bad of ['', 'abc', '5 weeks', '-1s', '1y']) expect(() => parseDuration(bad)).toThrow(/bad duration/);
    expect(() => parseDuration(1.5)).toThrow(/whole milliseconds/);
    expect([1024, '512KiB', '64MiB', '1GiB', '3MB', '10b'].map(parseByteSize)).toEqual([1024, 512 * 1024, 64 * 1024 * 1024, 1024 ** 3, 3_000_000, 10]);
    expect(() => parseByteSize('3 parsecs')).toThrow(/bad size/);
  });
});

describe('flags over the file', () => {
  const file = parseConfig(
    `inputs:\n  - id: web\n    paths: [/var/log/nginx]\nelasticsearch:\n  url: http://file:9200\n  username: u\n  password: p\nprocessor:\n  namespace: fromfile\n  batch_size: 100\n  windows: true\n`,
    'f.yaml',
  );

  it('a flag given wins, the file keeps the rest', () => {
    const c = applyFlags(file, { namespace: 'fromflag', windows: false, esUrl: 'http://flag:9200', esPassword: 'q', bulkMaxBytes: 1000 });
    expect(c.processor).toMatchObject({ namespace: 'fromflag', batch_size: 100, windows: false });
    expect(c.elasticsearch).toMatchObject({ url: 'http://flag:9200', username: 'u', password: 'q', bulk_max_bytes: 1000 });
    expect(applyFlags(file, {})).toEqual(file);
  });

  it('--watch adds inputs (id = dataset, or watch-<dataset> when taken) with the input flags applied', () => {
    const c = applyFlags(file, { watch: ['/srv/a', 'news=/srv/news', '/srv/b'], format: 'json', tags: ['x'], startAt: 'end', trustedProxies: ['10.0.0.0/8'] });
    expect(c.inputs.map((i) => [i.id, i.dataset, i.paths])).toEqual([
      ['web', 'weblogs', ['/var/log/nginx']],
      ['weblogs', 'weblogs', ['/srv/a', '/srv/b']],
      ['news', 'news', ['/srv/news']],
    ]);
    expect(c.inputs[1]).toMatchObject({ format: 'json', tags: ['x'], start_at: 'end', trusted_proxies: ['10.0.0.0/8'], host: { name: os.hostname() } });
    const taken = inputsFromWatch(['/srv/a'], {}, ['weblogs']);
    expect(taken.map((i) => i.id)).toEqual(['watch-weblogs']);
  });

  it('--kafka and the Kafka flags make or change the kafka section', () => {
    expect(applyFlags(file, {}).kafka).toBeUndefined();
    expect(applyFlags(file, { kafka: true, brokers: 'a:1, b:2', groupId: 'g2' }).kafka).toEqual({ enabled: true, brokers: ['a:1', 'b:2'], group_id: 'g2' });
    const withKafka = parseConfig(`kafka:\n  enabled: false\n  group_id: g\n`, 'k.yaml');
    expect(applyFlags(withKafka, { kafka: true }).kafka).toMatchObject({ enabled: true, group_id: 'g' });
  });

  it('a flag value the schema or the dataset refuses names the flag', () => {
    expect(() => applyFlags(file, { watch: ['/x'], format: 'apache:%h %Z' })).toThrow('command line: --format: weblogs format: "%Z" is not a LogFormat directive');
    expect(() => applyFlags(file, { watch: ['/x'], trustedProxies: ['nope'] })).toThrow('command line: --trusted-proxies: not an IP address or CIDR: "nope"');
    expect(() => applyFlags(file, { watch: ['/x'], checkpointFile: '/tmp/cp.json' })).toThrow(/--checkpoint-file: only with exactly one input \(there are 2: web, weblogs\)/);
  });
});

describe('--print-config', () => {
  it('prints the effective config as YAML that is itself a valid config, with secrets redacted', () => {
    const c = applyFlags(
      parseConfig(`inputs:\n  - paths: [/x]\n    fields: {team: web}\nelasticsearch:\n  url: https://elastic:hunter2@es:9200\n  username: elastic\n  password: hunter2\n`, 'p.yaml'),
      { kafka: true },
    );
    const text = printableConfig(c);
    expect(text).not.toContain('hunter2');
    const printed = parseYaml(text) as Record<string, any>;
    expect(printed.elasticsearch).toMatchObject({ url: 'https://elastic:<redacted>@es:9200', username: 'elastic', password: '<redacted>' });
    expect(printed.kafka).toMatchObject({ enabled: true, group_id: 'rtas-processor' });
    // Read back, it is the same config (the redacted values apart).
    const again = parseConfig(text, 'printed.yaml');
    expect({ ...again, elasticsearch: { ...again.elasticsearch, url: c.elasticsearch.url, password: c.elasticsearch.password } }).toEqual(c);
    const keyed = printableConfig(parseConfig(`elasticsearch:\n  api_key: TOPSECRET\n`, 'k.yaml'));
    expect(keyed).not.toContain('TOPSECRET');
    expect((parseYaml(keyed) as Record<string, any>).elasticsearch.api_key).toBe('<redacted>');
  });
});

describe('exit codes of a --once run', () => {
  const run = { fileInputs: 1, kafka: false, unmatched: [{ input: 'web', paths: ['/nope/*.log'] }], deadLetterFile: '/d/dead-letters.ndjson' };
  it('1 when no input matched a file, 3 when every line was rejected, else 0', () => {
    expect(onceExitCode({ files: 0, lines: 0, indexed: 0, duplicates: 0 }, run)).toEqual({ code: 1, message: 'no input matched any file: nothing matches /nope/*.log (input web)' });
    expect(onceExitCode({ files: 0, lines: 0, indexed: 0, duplicates: 0 }, { ...run, kafka: true })).toBeUndefined();
    const all = onceExitCode({ files: 1, lines: 5, indexed: 0, duplicates: 0 }, run);
    expect(all?.code).toBe(3);
    expect(all?.message).toContain('--replay-dead-letters /d/dead-letters.ndjson');
    expect(onceExitCode({ files: 1, lines: 5, indexed: 0, duplicates: 5 }, run)).toBeUndefined();
    expect(onceExitCode({ files: 1, lines: 5, indexed: 1, duplicates: 0 }, run)).toBeUndefined();
    expect(onceExitCode({ files: 1, lines: 0, indexed: 0, duplicates: 0 }, run)).toBeUndefined();
  });
});

describe('the example config in docs/examples', () => {
  it('is valid and reads nginx and Apache access and error logs', async () => {
    const { loadConfigFile } = await import('../../processor/config/load.js');
    const c = loadConfigFile(new URL('../../docs/examples/nginx-apache.yaml', import.meta.url).pathname);
    expect(c.inputs.map((i) => [i.id, i.dataset])).toEqual([
      ['nginx-access', 'weblogs'],
      ['apache-access', 'weblogs'],
      ['nginx-error', 'errorlogs'],
      ['apache-error', 'errorlogs'],
    ]);
  });
});
