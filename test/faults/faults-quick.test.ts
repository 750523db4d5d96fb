/**
 * The quick subset of the fault suite (`npm run faults` runs all of it, at full size, with figures):
 * the cases that need no server killed, small, against the shared local stack. Each case compares
 * `_id` sets and documents per raw line, and checks what a restart reads again, not only counts.
 * Beyond the case's own verdict, each test asserts the condition its name promises (a stop mid-backlog,
 * a kill while batches are in flight) and compares the stored documents with what the input alone
 * says: the `log.offset` of every line start found in the file's bytes, and how often each line was
 * written.
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

type Offsets = { file: string; expected: number; stored: number; missing: number; extra: number; twice: number };

/** The stored `log.offset` values of the case's file are exactly its `lines` line starts, each once. */
function expectOffsets(r: CaseResult, lines: number): void {
  const o = r.offsets as Offsets;
  expect({ ...o, file: undefined }).toEqual({ file: undefined, expected: lines, stored: lines, missing: 0, extra: 0, twice: 0 });
}

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
    // Every distinct line written (computed from the generator, not from the processor's ids) stored exactly once.
    expect(r.distinctLinesWritten).toBe(40 * 4 + 40 * 2 - 20);
    expect(r.messageMismatches).toBe(0);
  }, 300_000);

  it('SIGTERM twice mid-backlog on Kafka: exit 0 each time, the runs read the backlog exactly once', async () => {
    // 30,000 messages: one fetch takes up to 1 MiB per partition (~3,300 lines), so a backlog of a few
    // thousand is read whole before the first documents arrive and no stop could come mid-backlog.
    const r = await sigtermCase(ctx, 'kafka', 30_000, 2);
    expectHolds(r);
    expect(r.exitCodes).toEqual([0, 0]);
    expect(r.stopsMidBacklog).toBe(2); // each stop came after its run indexed some and before it read all that was left
    expect(r.messageMismatches).toBe(0);
    expect((r.readPerRun as number[]).reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(r.duplicatesOnRestart).toBe(0);
  }, 300_000);

  it('SIGTERM mid-backlog on a file: exit 0, restart re-reads nothing', async () => {
    // 16,000 lines: the pipeline reads up to ~2,000 lines ahead of what is indexed (4 batches of 500) and
    // the stop lands at half the documents; with 4,000 the run had sometimes read the whole file by then.
    const r = await sigtermCase(ctx, 'files', 16_000, 1);
    expectHolds(r);
    expect(r.stopsMidBacklog).toBe(1);
    expectOffsets(r, 16_000);
    expect(r.messageMismatches).toBe(0);
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
    expect(r.killsWhileIndexing).toBe(3); // every kill after this run's documents arrived, with lines not yet indexed
    expectOffsets(r, 4000);
    expect(r.messageMismatches).toBe(0);
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
