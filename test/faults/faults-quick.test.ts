/**
 * The quick subset of the fault suite (`npm run faults` runs all of it, at full size, with figures):
 * the cases that need no server killed, small, against the shared local stack. Each case compares
 * `_id` sets and documents per raw line, and checks what a restart reads again, not only counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { defaultEsUrl } from '../../processor/elasticsearch/client.js';
import { defaultBrokers } from '../../processor/kafka/client.js';
import { killAllProcessors } from '../../scripts/faults/harness.js';
import { esProxyCase, hostileCase, identityCase, sigkillCase, sigtermCase, type CaseContext, type CaseResult } from '../../scripts/faults/cases.js';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-faults-test-'));
const ctx: CaseContext = { endpoints: { esUrl: defaultEsUrl(), brokers: defaultBrokers() }, workDir, log: () => undefined };

afterAll(() => {
  killAllProcessors();
  rmSync(workDir, { recursive: true, force: true });
});

function expectHolds(r: CaseResult): void {
  expect(r.problems).toEqual([]);
  expect(r.holds).toBe(true);
  expect(r.lost).toBe(0);
  expect(r.doubled).toBe(0);
}

describe('fault suite (quick)', () => {
  it('identity: rewrite in place, same head new tail, new file on a reused inode, re-created topic → every new line indexed once', async () => {
    const r = await identityCase(ctx, 40);
    expectHolds(r);
    expect(r.indexed).toBe(40 * 4 + 40 * 2 - 20); // files a, b, c (20 kept from b), d; two topics
    expect(r.distinctIds).toBe(r.indexed);
  }, 300_000);

  it('SIGTERM twice mid-backlog on Kafka: exit 0 each time, the runs read the backlog exactly once', async () => {
    const r = await sigtermCase(ctx, 'kafka', 4000, 2);
    expectHolds(r);
    expect(r.exitCodes).toEqual([0, 0]);
    expect((r.readPerRun as number[]).reduce((a, b) => a + b, 0)).toBe(4000);
    expect(r.duplicatesOnRestart).toBe(0);
  }, 300_000);

  it('SIGTERM mid-backlog on a file: exit 0, restart re-reads nothing', async () => {
    const r = await sigtermCase(ctx, 'files', 4000, 1);
    expectHolds(r);
    expect(r.duplicatesOnRestart).toBe(0);
    expect(r.readAfterEnd).toBe(0);
  }, 300_000);

  it('Elasticsearch answering 429/503 and resetting connections (fault proxy): nothing lost or doubled, retries in /metrics', async () => {
    const r = await esProxyCase(ctx, 3000);
    expectHolds(r);
    expect(r.retriesInMetrics as number).toBeGreaterThan(0);
  }, 300_000);

  it('SIGKILL while batches are in flight, 3 cycles: exactly one document per line', async () => {
    const r = await sigkillCase(ctx, 4000, 3);
    expectHolds(r);
    expect(r.indexed).toBe(4000);
    expect(r.distinctIds).toBe(4000);
  }, 300_000);

  it('mutated lines + an unterminated 3 MiB line: exit 0, indexed + dead-lettered = records, bounded dead letter', async () => {
    const r = await hostileCase(ctx, 20_000, 3, 256 * 1024, false, 10);
    expectHolds(r);
    expect(r.records).toBe(20_011);
    expect((r.indexed as number) + (r.deadLettered as number)).toBe(20_011);
    expect(r.largestDeadLetterRawBytes as number).toBeLessThanOrEqual(256 * 1024);
    expect(r.oversized as number).toBe(6); // 5 lines of 1.5× the limit and the unterminated one
  }, 300_000);
});
