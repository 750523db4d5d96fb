/**
 * `npm run faults`: the fault suite on real Elasticsearch and Kafka, one JSON line per case on stdout
 * (progress on stderr). The cases that freeze or kill Elasticsearch or the broker run against a private
 * stack (own home and ports, started and stopped here), never the shared one; the others run against it too.
 *
 *   npm run faults                       every case, full sizes (about 30-45 min on 2 cores)
 *   npm run faults -- --quick            small sizes (a few minutes)
 *   npm run faults -- --case identity sigterm-kafka
 *   npm run faults -- --case es-node-loss es-cluster-restart   the private three-node cluster (9251-9253)
 */
import os from 'node:os';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { Command } from 'commander';
import { isRoot } from '../stack/paths.js';
import { brokerKillCase, esFreezeKillCase, esProxyCase, hostileCase, idCostCase, identityCase, sigkillCase, sigtermCase, workDir, type CaseContext, type CaseResult } from './cases.js';
import { esClusterRestartCase, esNodeLossCase } from './cluster-cases.js';
import { diskFullCase } from './disk-full-case.js';
import { killAllProcessors } from './harness.js';
import { downPrivate, privateTarget, upPrivate } from './private-stack.js';

type Runner = (ctx: CaseContext, quick: boolean) => Promise<CaseResult>;

/** The private three-node cluster of the cluster cases (started by them when down, stopped with the private stack). */
const cluster = (c: CaseContext) => ({ ...(c.privateStack?.home ? { home: c.privateStack.home } : {}), urls: clusterUrls });

/** Every case: name → runner with the full and the quick sizes. */
const cases: Record<string, Runner> = {
  'id-cost': (_c, q) => idCostCase(q ? 200_000 : 2_000_000),
  identity: (c, q) => identityCase(c, q ? 60 : 100),
  'sigterm-files': (c, q) => sigtermCase(c, 'files', q ? 6_000 : 50_000, 3),
  'sigterm-kafka': (c, q) => sigtermCase(c, 'kafka', q ? 6_000 : 50_000, 3),
  'es-429-503-reset': (c, q) => esProxyCase(c, q ? 4_000 : 30_000),
  'es-freeze-kill': (c, q) => esFreezeKillCase(c, q ? 10_000 : 60_000, q ? 500 : 1000, q ? 8 : 30),
  'broker-kill': (c, q) => brokerKillCase(c, q ? 10_000 : 50_000, q ? 5 : 10),
  'sigkill-cycles': (c, q) => sigkillCase(c, q ? 6_000 : 100_000, q ? 4 : 20),
  'hostile-input': (c, q) => hostileCase(c, q ? 50_000 : 1_000_000, q ? 4 : 16),
  'disk-full': (c, q) => diskFullCase(c, q ? 5_000 : 20_000, 0.2, q ? 128 * 1024 : 512 * 1024),
  // 500 lines/s: what the processor sustains against the three-node cluster on the loaded 2-core machine
  // (at 1,000/s it had not caught up before 60,000 lines were written, and the kill must come mid-stream).
  'es-node-loss': (c, q) => esNodeLossCase(c, cluster(c), q ? 20_000 : 100_000, q ? 300 : 500, q ? 20 : 30),
  'es-cluster-restart': (c, q) => esClusterRestartCase(c, cluster(c), q ? 30_000 : 120_000, q ? 300 : 500, q ? 15 : 20),
};
/** Cases that freeze or kill a server: only ever on the private stack. */
const destructive = new Set(['es-freeze-kill', 'broker-kill', 'es-node-loss', 'es-cluster-restart']);

const defaultHome = isRoot() ? '/var/lib/rtas-faults' : path.join(os.homedir(), '.cache', 'rtas-faults');
const program = new Command('faults')
  .description('Fault suite: each case injects one failure into a real run and prints one JSON line of counts (expected, indexed, lost, doubled, distinct _ids, re-reads, peak RSS).')
  .option('--case <name...>', `cases to run (default all): ${Object.keys(cases).join(', ')}`)
  .option('--quick', 'small sizes (seconds per case)')
  .option('--home <dir>', 'home of the private stack (downloads, data, logs)', defaultHome)
  .option('--es-port <port>', 'HTTP port of the private Elasticsearch', '9250')
  .option('--kafka-port <port>', 'client port of the private Kafka broker (the controller takes the next one)', '9192')
  .option('--es-cluster-port <port>', 'first HTTP port of the private three-node cluster of es-node-loss and es-cluster-restart (transport: HTTP + 130)', '9251')
  .option('--keep-stack', 'leave the private stack running at the end')
  .showHelpAfterError()
  .parse();
const o = program.opts<{ case?: string[]; quick?: boolean; home: string; esPort: string; kafkaPort: string; esClusterPort: string; keepStack?: boolean }>();
const clusterUrls = [0, 1, 2].map((i) => `http://127.0.0.1:${Number(o.esClusterPort) + i}`);
const names = o.case ?? Object.keys(cases);
for (const n of names) if (!cases[n]) program.error(`unknown case "${n}" (known: ${Object.keys(cases).join(', ')})`);

const log = (m: string): void => void process.stderr.write(`[faults] ${m}\n`);
const target = privateTarget(o.home, Number(o.esPort), Number(o.kafkaPort));
const dir = workDir();
let failed = 0;
try {
  log(`private stack: Elasticsearch ${target.esUrl}, Kafka ${target.kafkaBrokers.join(',')}, home ${target.home}`);
  await upPrivate(target, log);
  const ctx: CaseContext = { endpoints: { esUrl: target.esUrl, brokers: target.kafkaBrokers }, privateStack: target, workDir: dir, log };
  for (const name of names) {
    log(`${name}…`);
    const started = Date.now();
    let result: CaseResult;
    try {
      result = await cases[name]!(ctx, !!o.quick);
    } catch (err) {
      result = { case: name, holds: false, problems: [`case failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`] };
    }
    killAllProcessors();
    if (!result.holds) failed += 1;
    process.stdout.write(JSON.stringify({ ...result, caseSeconds: Math.round((Date.now() - started) / 1000), destructive: destructive.has(name) }) + '\n');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (!o.keepStack) await downPrivate(target, log).catch((err: unknown) => log(`could not stop the private stack: ${String(err)}`));
}
process.exit(failed > 0 ? 1 : 0);
