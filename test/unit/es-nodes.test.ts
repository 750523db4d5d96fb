/**
 * Several Elasticsearch nodes in one connection: `--es-url` / `ES_URL` / the config file's `url` as a list,
 * how it reaches the client (a `ClusterConnectionPool` of every node; one URL keeps the single-node client
 * as before), sniffing only when asked, and secrets redacted in every printed form. That requests really
 * spread and fail over is shown on a real three-node cluster (test/faults/es-cluster.test.ts).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterConnectionPool } from '@elastic/elasticsearch';
import { Command } from 'commander';
import { parseConfig } from '../../processor/config/load.js';
import { applyFlags, esConnectionOf, printableConfig } from '../../processor/config/resolve.js';
import {
  addEsConnectionOptions,
  createEsClient,
  defaultEsUrl,
  defaultEsUrls,
  describeEsConnection,
  esConnectionFromOptions,
  parseEsUrls,
} from '../../processor/elasticsearch/connection.js';

const saved = process.env.ES_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.ES_URL;
  else process.env.ES_URL = saved;
});

/** A setting the client's transport keeps under a symbol (e.g. `Symbol('sniff interval')`). */
function transportSetting(client: { transport: object }, description: string): unknown {
  const t = client.transport as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(t).find((k) => k.description === description);
  if (!key) throw new Error(`the transport has no setting "${description}"`);
  return t[key];
}

const three = 'http://127.0.0.1:9201,http://127.0.0.1:9202, http://127.0.0.1:9203/';
const threeList = ['http://127.0.0.1:9201', 'http://127.0.0.1:9202', 'http://127.0.0.1:9203'];

describe('a list of Elasticsearch URLs', () => {
  it('comes from --es-url and ES_URL as a comma-separated list; one URL stays as it was', () => {
    const cmd = addEsConnectionOptions(new Command('x').exitOverride()).parse(['--es-url', three], { from: 'user' });
    expect(esConnectionFromOptions(cmd.opts())).toEqual({ url: threeList[0], nodes: threeList });
    process.env.ES_URL = three;
    expect(esConnectionFromOptions({})).toEqual({ url: threeList[0], nodes: threeList });
    expect(defaultEsUrls()).toEqual(threeList);
    expect(defaultEsUrl()).toBe(threeList[0]); // tools that talk to one node take the first
    expect(esConnectionFromOptions({ esUrl: 'http://h:9200/' })).toEqual({ url: 'http://h:9200' });
  });

  it('refuses an item that is not an http(s) URL, naming it without its password', () => {
    expect(() => parseEsUrls('http://a:9200,ftp://u:secret@b:2121')).toThrow('not an http:// or https:// URL: ftp://***:***@b:2121');
    expect(() => esConnectionFromOptions({ esUrl: 'http://a:9200,b:9200' })).toThrow('not an http:// or https:// URL: b:9200');
    expect(() => parseEsUrls(' , ')).toThrow('no Elasticsearch URL');
  });

  it('gives the client a ClusterConnectionPool of every node; one URL keeps the default pool; sniffing only with --es-sniff', async () => {
    const many = createEsClient(esConnectionFromOptions({ esUrl: three }));
    const pool = many.connectionPool as unknown as ClusterConnectionPool;
    expect(pool).toBeInstanceOf(ClusterConnectionPool);
    expect(pool.connections.map((c) => c.url.href.replace(/\/$/, ''))).toEqual(threeList);
    expect(transportSetting(many, 'sniff interval')).toBe(false);
    expect(transportSetting(many, 'sniff on connection fault')).toBe(false);
    const one = createEsClient(esConnectionFromOptions({ esUrl: 'http://127.0.0.1:9200' }));
    expect(one.connectionPool).not.toBeInstanceOf(ClusterConnectionPool);
    const cmd = addEsConnectionOptions(new Command('x').exitOverride()).parse(['--es-url', three, '--es-sniff'], { from: 'user' });
    const sniffing = createEsClient(esConnectionFromOptions(cmd.opts()));
    expect(transportSetting(sniffing, 'sniff interval')).toBe(300_000);
    expect(transportSetting(sniffing, 'sniff on connection fault')).toBe(true);
    await Promise.all([many.close(), one.close(), sniffing.close()]);
  });

  it('is a YAML list or a comma-separated string in the config file; --es-url overrides it; printed redacted', () => {
    const list = parseConfig(`elasticsearch:\n  url: [http://u:pw1@a:9200, http://u:pw2@b:9200]\n  sniff: true\n`, 'c.yaml');
    expect(esConnectionOf(list)).toMatchObject({ url: 'http://u:pw1@a:9200', nodes: ['http://u:pw1@a:9200', 'http://u:pw2@b:9200'], sniff: true });
    const printed = printableConfig(list);
    expect(printed).not.toContain('pw1');
    expect(printed).not.toContain('pw2');
    const commas = parseConfig(`elasticsearch:\n  url: "http://a:9200,http://b:9200"\n`, 'c.yaml');
    expect(esConnectionOf(commas)).toMatchObject({ url: 'http://a:9200', nodes: ['http://a:9200', 'http://b:9200'] });
    expect(esConnectionOf(applyFlags(list, { esUrl: 'http://c:9200' }))).toMatchObject({ url: 'http://c:9200' });
    expect(() => parseConfig(`elasticsearch:\n  url: [http://a:9200, b:9200]\n`, 'c.yaml')).toThrow('expected an http:// or https:// URL');
    expect(describeEsConnection(esConnectionOf(list))).toBe('http://***:***@a:9200,http://***:***@b:9200 (basic auth as u (from the URL), sniffing)');
  });
});
