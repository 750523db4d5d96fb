/**
 * A `--once` run returns with what it wrote searchable, against the real Elasticsearch: the events and
 * the window results are visible to a search without a refresh of our own, even with scheduled
 * refreshes turned off on the streams (`index.refresh_interval: -1`), so only the processor's own
 * refresh at the end can have made them visible.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createWeblogGenerator } from '../../generators/weblogs/index.js';
import { startProcessor } from '../../processor/processor.js';
import { es, esUrl, quietLog, tempDir, uniqueNamespace } from '../support/stack.js';

const T0 = Date.parse('2026-03-02T14:00:00.000Z');

afterAll(async () => {
  await es.close();
});

describe('--once ends searchable', () => {
  it('events and windows are visible without a refresh when the run returns', async () => {
    const namespace = uniqueNamespace('once');
    const dir = tempDir('once-in');
    const dataDir = tempDir('once-data');
    const file = path.join(dir, 'access.log');
    const gen = createWeblogGenerator({ seed: 7 });
    const lines = (from: number, n: number): string =>
      Array.from({ length: n }, (_, i) => gen.next(new Date(T0 + (from + i) * 1000))).join('\n') + '\n';
    const run = (windows: boolean) =>
      startProcessor({ watch: [dir], dataset: 'weblogs', once: true, esUrl, namespace, dataDir, log: quietLog, ...(windows ? {} : { windows: false }) }).then((h) => h.done);
    const events = `logs-weblogs.access-${namespace}`;
    const windows = `metrics-weblogs.traffic_1m-${namespace}`;
    // Searches below never refresh: `_count` and `_search` see only what a refresh already exposed.
    const visibleEvents = async (): Promise<number> => (await es.count({ index: events })).count;
    const visibleWindowTotal = async (): Promise<number> => {
      const r = await es.search<{ window: { event_count: number } }>({ index: windows, size: 1000, _source: ['window.event_count'] });
      return r.hits.hits.reduce((n, h) => n + h._source!.window.event_count, 0);
    };

    writeFileSync(file, lines(0, 300));
    expect(await run(true)).toMatchObject({ indexed: 300 });
    // From here on, only an explicit refresh makes new documents visible.
    await es.indices.putSettings({ index: [events, windows], settings: { index: { refresh_interval: '-1' } } });

    appendFileSync(file, lines(300, 500));
    expect(await run(true)).toMatchObject({ indexed: 500, duplicates: 0 });
    expect(await visibleEvents()).toBe(800);
    expect(await visibleWindowTotal()).toBe(800); // the windows' last update is visible too

    // Without windows nothing else refreshes the event stream during the run.
    appendFileSync(file, lines(800, 200));
    expect(await run(false)).toMatchObject({ indexed: 200, duplicates: 0 });
    expect(await visibleEvents()).toBe(1000);
  });
});
