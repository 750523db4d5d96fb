/**
 * The processor CLI with a config file, run as users run it (a child process, real Elasticsearch):
 * two inputs of different datasets into their own data streams with their tags, labels and service;
 * a glob that matches nothing (a warning naming it, exit 1 in --once); every line rejected (exit 3,
 * pointing at the dead-letter file); a config mistake (exit 2 with FILE:LINE:COL, nothing started);
 * `--print-config` with secrets redacted; and the compiled bundle reading a config file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildDist } from '../../scripts/build/build.js';
import { spawnCompiled, spawnTsx, type Child } from '../support/processes.js';
import { allDocuments, countDocs, es, esUrl, realAccessLog, repoRoot, tempDir, uniqueNamespace } from '../support/stack.js';

afterAll(async () => {
  await es.close();
});

/** Runs `processor/cli.ts` from source with `args`; resolves with the exit code and output. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | string; stdout: string; stderr: string; child: Child }> {
  const child = spawnTsx('processor/cli.ts', args, { LOG_LEVEL: 'warn', ...env });
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr(), child };
}

const lastJson = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, any>;

describe('processor --config', () => {
  it('reads two inputs of different datasets into their data streams, each with its own settings', async () => {
    const dir = tempDir('cfg-two');
    const namespace = uniqueNamespace('cfg');
    mkdirSync(path.join(dir, 'nginx', 'site-a'), { recursive: true });
    mkdirSync(path.join(dir, 'news'));
    const access = readFileSync(realAccessLog, 'utf8').split('\n').filter(Boolean).slice(0, 200);
    writeFileSync(path.join(dir, 'nginx', 'site-a', 'access.log'), access.join('\n') + '\n');
    writeFileSync(path.join(dir, 'nginx', 'site-a', 'access.log.tmp'), 'never read\n');
    const headlines = readFileSync(path.join(repoRoot, 'test/golden/news/headlines.log'), 'utf8');
    writeFileSync(path.join(dir, 'news', 'headlines.log'), headlines);
    const config = path.join(dir, 'processor.yaml');
    writeFileSync(
      config,
      `inputs:
  - id: nginx-access
    dataset: weblogs
    paths: ["${dir}/nginx/**/access.log*"]
    exclude: ["*.tmp"]
    tags: [edge, eu]
    fields: { env: prod, rack: 7 }
    service.name: shop
    host.name: web-1
  - id: headlines
    dataset: news
    paths: ["${dir}/news"]
elasticsearch:
  url: ${esUrl}
processor:
  namespace: ${namespace}
  data_dir: ${dir}/data
  windows: false
  metrics: false
`,
    );
    const { code, stdout, stderr } = await cli(['--config', config, '--once']);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = lastJson(stdout);
    const n = headlines.split('\n').filter(Boolean).length;
    expect(summary).toMatchObject({ files: 2, lines: 200 + n, indexed: 200 + n, rejected: 0, duplicates: 0 });
    expect(summary.inputs).toEqual([
      { id: 'nginx-access', dataset: 'weblogs', files: 1, lines: 200, indexed: 200, duplicates: 0, rejected: 0 },
      { id: 'headlines', dataset: 'news', files: 1, lines: n, indexed: n, duplicates: 0, rejected: 0 },
    ]);
    expect(await countDocs(`logs-weblogs.access-${namespace}`)).toBe(200);
    expect(await countDocs(`logs-news.headlines-${namespace}`)).toBe(n);
    const [web] = await allDocuments<Record<string, any>>(`logs-weblogs.access-${namespace}`);
    expect(web).toMatchObject({ tags: ['edge', 'eu'], labels: { env: 'prod', rack: '7' }, service: { name: 'shop' }, host: { name: 'web-1' } });
    const [news] = await allDocuments<Record<string, any>>(`logs-news.headlines-${namespace}`);
    expect(news!.service).toBeUndefined();
    expect(news!.tags ?? []).not.toContain('edge');
    // One checkpoint file per input, named after its id.
    expect(existsSync(path.join(dir, 'data/checkpoints/files-nginx-access.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'data/checkpoints/files-headlines.json'))).toBe(true);

    // A flag overrides the file: the same config into another namespace reads everything again there.
    const other = uniqueNamespace('cfo');
    const again = await cli(['--config', config, '--once', '--namespace', other, '--data-dir', path.join(dir, 'data2')]);
    expect(again.code).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ indexed: 200 + n });
    expect(await countDocs(`logs-weblogs.access-${other}`)).toBe(200);
  });

  it('warns about a glob that matches nothing and, in --once, exits 1 when no input matched a file', async () => {
    const dir = tempDir('cfg-none');
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, `inputs:\n  - id: missing\n    paths: ["${dir}/nowhere/**/*.log"]\nelasticsearch:\n  url: ${esUrl}\nprocessor:\n  data_dir: ${dir}/data\n  namespace: ${uniqueNamespace('cfn')}\n  metrics: false\n  windows: false\n`);
    const { code, stdout, stderr } = await cli(['--config', config, '--once']);
    expect(code).toBe(1);
    expect(lastJson(stdout)).toMatchObject({ files: 0, lines: 0 });
    expect(stderr).toContain(`no file matches ${dir}/nowhere/**/*.log`);
    expect(stderr).toContain(`error: no input matched any file: nothing matches ${dir}/nowhere/**/*.log (input missing)`);
  });

  it('exits 3 when every line was rejected, pointing at the dead-letter file and --replay-dead-letters', async () => {
    const dir = tempDir('cfg-rejected');
    writeFileSync(path.join(dir, 'app.log'), 'not an access line\nnor this one\n');
    const { code, stdout, stderr } = await cli(['--watch', dir, '--once', '--es-url', esUrl, '--namespace', uniqueNamespace('cfr'), '--data-dir', path.join(dir, 'data'), '--no-metrics', '--no-windows']);
    expect(code).toBe(3);
    expect(lastJson(stdout)).toMatchObject({ files: 1, lines: 2, indexed: 0, rejected: 2, duplicates: 0 });
    const deadLetters = path.join(dir, 'data', 'dead-letters.ndjson');
    expect(stderr).toContain(`error: all 2 records were rejected; none was indexed. The reasons are in ${deadLetters}`);
    expect(stderr).toContain(`--replay-dead-letters ${deadLetters}`);
    const entries = readFileSync(deadLetters, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // Legacy --watch inputs have the dataset's name as their id.
    expect(entries.map((e) => [e.dataset, e.input, e.stage])).toEqual([['weblogs', 'weblogs', 'decode'], ['weblogs', 'weblogs', 'decode']]);
    // …and so their checkpoint file keeps its name from before inputs existed.
    expect(existsSync(path.join(dir, 'data/checkpoints/files-weblogs.json'))).toBe(true);
  });

  it('a config mistake exits 2 with FILE:LINE:COL before anything starts', async () => {
    const dir = tempDir('cfg-bad');
    const config = path.join(dir, 'bad.yaml');
    writeFileSync(config, `inputs:\n  - paths: [/var/log/nginx]\n    datset: weblogs\n`);
    // An unreachable Elasticsearch: the error must come before any attempt to connect.
    const { code, stderr, stdout } = await cli(['--config', config, '--once', '--es-url', 'http://127.0.0.1:1']);
    expect({ code, stderr: stderr.trim(), stdout }).toEqual({ code: 2, stderr: `error: ${config}:3:5: inputs[0].datset: unknown key (did you mean "dataset"?)`, stdout: '' });
    const flag = await cli(['--watch', dir, '--format', 'apache:%h %Z', '--once']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe('error: command line: --format: weblogs format: "%Z" is not a LogFormat directive (at position 4 of the format)');
    const stray = await cli(['--config', config.replace('bad', 'missing'), '--print-config']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('cannot read the config file: ENOENT');
  });

  it('--print-config prints the effective config, flags over the file, secrets redacted', async () => {
    const dir = tempDir('cfg-print');
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, `inputs:\n  - id: web\n    paths: [/var/log/nginx]\nelasticsearch:\n  username: elastic\n  password: \${RTAS_TEST_ES_PASSWORD}\nprocessor:\n  namespace: fromfile\n  batch_size: 100\n`);
    const { code, stdout } = await cli(['--config', config, '--print-config', '--namespace', 'fromflag', '--watch', 'news=/srv/news'], { RTAS_TEST_ES_PASSWORD: 'hunter2' });
    expect(code).toBe(0);
    expect(stdout).not.toContain('hunter2');
    expect(stdout).toContain('password: <redacted>');
    expect(stdout).toContain('namespace: fromflag');
    expect(stdout).toContain('batch_size: 100');
    expect(stdout).toMatch(/- id: news\n\s+dataset: news\n\s+paths:\n\s+- \/srv\/news/);
  });

  it('the compiled bundle reads a config file too (and documents the exit codes in --help)', async () => {
    await buildDist();
    const dir = tempDir('cfg-dist');
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, `processor:\n  batch_size: lots\n`);
    const bad = spawnCompiled(['--config', config]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr().trim()).toBe(`error: ${config}:2:15: processor.batch_size: expected number, got string`);
    const help = spawnCompiled(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('--config <file>');
    expect(help.stdout()).toMatch(/Exit codes:[\s\S]*\n {2}3 {4}--once/);
  });
});
