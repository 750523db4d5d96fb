/**
 * A real local three-node Elasticsearch cluster (`npm run stack -- up --es-nodes 3`: HTTP 9201-9203,
 * started here through the stack library when it does not run, and stopped again at the end if this test
 * started it; the single node on 9200 is never touched). The processor gets the three URLs and a live,
 * growing file; then
 *  - the node holding the write index's primary is SIGKILLed mid-ingest and started again 20 s later;
 *  - all three nodes are stopped at once and started again while the processor keeps running.
 * Each time every written line must be stored exactly once: the stored `_id` set equals the `_id`s the
 * file's lines must have, one document per raw line and per `log.offset`, the processor read each line
 * once (`lines` of its stop summary) and a restart reads nothing, nothing dead-lettered. Duplicates (409s
 * of re-sent bulks) are allowed: they are stored once. Pause and failover times are printed, not bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { esClusterRestartCase, esNodeLossCase } from '../../scripts/faults/cluster-cases.js';
import type { CaseContext, CaseResult } from '../../scripts/faults/cases.js';
import { killAllProcessors } from '../../scripts/faults/harness.js';
import { ensureEsCluster, stopEsCluster, type EsClusterTarget } from '../../scripts/stack/es-cluster.js';

const cluster: EsClusterTarget = { urls: ['http://127.0.0.1:9201', 'http://127.0.0.1:9202', 'http://127.0.0.1:9203'] };
const workDir = mkdtempSync(path.join(os.tmpdir(), 'rtas-es-cluster-test-'));
const log = (m: string): void => void process.stderr.write(`[es-cluster test] ${m}\n`);
const ctx: CaseContext = { endpoints: { esUrl: cluster.urls![0]!, brokers: [] }, workDir, log };
let startedHere = false;

beforeAll(async () => {
  const t = Date.now();
  startedHere = (await ensureEsCluster({ target: cluster, log })).started.length > 0;
  log(`cluster ${startedHere ? 'started' : 'already running'} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}, 600_000);

afterAll(async () => {
  killAllProcessors();
  rmSync(workDir, { recursive: true, force: true });
  if (startedHere) await stopEsCluster({ target: cluster, log });
}, 300_000);

function expectExactlyOnce(r: CaseResult, n: number): void {
  expect(r.problems).toEqual([]);
  expect(r.holds).toBe(true);
  expect({ indexed: r.indexed, distinctIds: r.distinctIds, lost: r.lost, doubled: r.doubled, linesRead: r.linesRead, deadLettered: r.deadLettered, readAfterStop: r.readAfterStop }).toEqual({
    indexed: n,
    distinctIds: n,
    lost: 0,
    doubled: 0,
    linesRead: n,
    deadLettered: 0,
    readAfterStop: 0,
  });
  expect(r.offsets).toMatchObject({ expected: n, stored: n, missing: 0, extra: 0, twice: 0 });
}

describe('three-node Elasticsearch cluster', () => {
  it('the node holding the write index primary SIGKILLed mid-ingest, restarted 20 s later: every line exactly once, no dead letter', async () => {
    const t = Date.now();
    const r = await esNodeLossCase(ctx, cluster, 36_000, 300, 20);
    log(`node loss: ${JSON.stringify(r)} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    expectExactlyOnce(r, 36_000);
    expect(r.primaryPromotedSeconds).toBeDefined(); // the cluster failed over while the node was down
    expect(r.docsAtKill as number).toBeLessThan(36_000);
  }, 900_000);

  it('the whole cluster stopped and started while the processor runs: it pauses and resumes, every line exactly once', async () => {
    const t = Date.now();
    const r = await esClusterRestartCase(ctx, cluster, 30_000, 300, 15);
    log(`cluster restart: ${JSON.stringify(r)} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    expectExactlyOnce(r, 30_000);
    expect(r.ingestResumedAfterStartSeconds).toBeDefined();
    expect(r.docsAtStop as number).toBeLessThan(30_000);
  }, 1_200_000);
});
