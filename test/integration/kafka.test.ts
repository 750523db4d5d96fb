/**
 * The processor's Kafka source on the real local broker and Elasticsearch: N events produced are
 * exactly N documents; a processor killed with SIGKILL mid-stream and restarted loses and doubles
 * nothing; two processors in one consumer group split the partitions (with a rebalance mid-stream)
 * and together index every event exactly once.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcessor } from '../../processor/processor.js';
import { countDocs, es, esUrl, quietLog, realAccessLog, tempDir, uniqueNamespace, waitFor } from '../support/stack.js';
import { brokers, createTopic, groupMembersWithAssignment, produce } from '../support/kafka.js';
import { spawnTsx, type Child } from '../support/processes.js';

const lines = readFileSync(realAccessLog, 'utf8').split('\n').filter((l) => l !== '');
const clientIp = (l: string): string => l.slice(0, l.indexOf(' '));
const children: Child[] = [];

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await es.close();
});

/** A fresh topic read with the weblogs parser, a fresh group and namespace. */
function fixture(name: string): { topic: string; groupId: string; namespace: string; index: string } {
  const namespace = uniqueNamespace(name);
  return { topic: `test.${namespace}`, groupId: `g-${namespace}`, namespace, index: `logs-weblogs.access-${namespace}` };
}

describe('Kafka → Elasticsearch', () => {
  it('N events produced, exactly N documents', async () => {
    const f = fixture('kn');
    await createTopic(f.topic);
    await produce(f.topic, lines.slice(0, 5000), { keyOf: clientIp });
    const handle = await startProcessor({
      kafka: { brokers, groupId: f.groupId, topics: [`${f.topic}=weblogs`] },
      once: true, esUrl, namespace: f.namespace, dataDir: tempDir('kn'), windows: false, log: quietLog,
    });
    expect(await handle.done).toMatchObject({ lines: 5000, indexed: 5000, duplicates: 0, rejected: 0 });
    expect(await countDocs(f.index)).toBe(5000);
  });

  it('SIGKILL mid-stream, restart: no loss, no duplicate', async () => {
    const f = fixture('kc');
    await createTopic(f.topic);
    const total = 10_000;
    const start = (): Child => {
      const c = spawnTsx('processor/cli.ts', [
        '--kafka', '--brokers', brokers.join(','), '--group-id', f.groupId, '--topics', `${f.topic}=weblogs`,
        '--es-url', esUrl, '--namespace', f.namespace, '--data-dir', tempDir('kc'), '--batch-size', '500',
        '--batch-interval-ms', '200', '--no-metrics', '--no-windows',
      ]);
      children.push(c);
      return c;
    };
    const first = start();
    const producing = produce(f.topic, lines.slice(0, total), { keyOf: clientIp, chunk: 250, pauseMs: 30 });
    await waitFor('first documents', async () => (await countDocs(f.index)) > 1000, 120_000);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atCrash = await countDocs(f.index);
    await producing;
    expect(atCrash).toBeLessThan(total);
    const second = start();
    await waitFor(`all ${total} documents`, async () => (await countDocs(f.index)) >= total, 120_000);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await countDocs(f.index)).toBe(total);
    const summary = JSON.parse(second.stdout().trim().split('\n').pop()!);
    // The restart resumed at the committed offsets: it read what was not committed, not everything.
    expect(summary.lines).toBeLessThan(total);
    expect(summary.rejected).toBe(0);
  });

  it('two processors in one group, rebalanced mid-stream: every event exactly once', async () => {
    const f = fixture('kg');
    await createTopic(f.topic, 4);
    const total = 10_000;
    const opts = {
      kafka: { brokers, groupId: f.groupId, topics: [`${f.topic}=weblogs`] },
      esUrl, namespace: f.namespace, batchSize: 500, batchIntervalMs: 200, windows: false, log: quietLog,
    };
    const a = await startProcessor({ ...opts, dataDir: tempDir('kga') });
    await produce(f.topic, lines.slice(0, 3000), { keyOf: clientIp, chunk: 250, pauseMs: 20 });
    await waitFor('first documents', async () => (await countDocs(f.index)) > 500, 120_000);
    const b = await startProcessor({ ...opts, dataDir: tempDir('kgb') }); // joins: the group rebalances
    // The rest is produced once both members hold partitions, so both have events to index.
    await waitFor('two members with partitions', async () => (await groupMembersWithAssignment(f.groupId)) === 2, 60_000);
    await produce(f.topic, lines.slice(3000, total), { keyOf: clientIp, chunk: 250, pauseMs: 20 });
    await waitFor(`all ${total} documents`, async () => (await countDocs(f.index)) >= total, 120_000);
    await new Promise((r) => setTimeout(r, 1000)); // anything still in flight would show up as an extra document
    const [sa, sb] = await Promise.all([a.stop(), b.stop()]);
    expect(await countDocs(f.index)).toBe(total);
    expect(sa.indexed + sb.indexed).toBe(total);
    expect(sa.indexed).toBeGreaterThan(0);
    expect(sb.indexed).toBeGreaterThan(0);
  });
});
