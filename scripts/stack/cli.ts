/**
 * `npm run stack -- up|down|status`: a real local Elasticsearch and Kafka without Docker.
 * See stack.ts for the library API and the environment variables.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';

import { redactUrl } from '../../processor/elasticsearch/connection.js';
import { esClusterStatus } from './es-cluster.js';
import { ensureStack, ES_VERSION, KAFKA_VERSION, restartKafka, stackHome, stackStatus, stopStack, StackError, type StackStatus } from './stack.js';

const log = (msg: string): void => console.log(`[stack] ${msg}`);

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

const ENV_HELP = `
Environment:
  ES_URL         Elasticsearch URL (default http://127.0.0.1:9200). If something healthy
                 already answers there (e.g. your compose stack), it is used and nothing starts.
  KAFKA_BROKERS  comma-separated brokers (default 127.0.0.1:9092); same rule. A local Kafka
                 also uses the next port (9093) for its KRaft controller and the one after
                 (9094) for SASL_SSL clients (SCRAM-SHA-256/512, PLAIN; CA and test user in
                 <STACK_HOME>/kafka/security/credentials.json, shown by \`status\`).
  STACK_HOME     downloads, data, logs and pid files (now: ${stackHome()})
  ES_HEAP        Elasticsearch heap, -Xms and -Xmx (default 2g)
  KAFKA_HEAP     Kafka maximum heap (default 1g)
  ES_JAVA_HOME, JAVA_HOME  Java to run with (>= 17; 17 or 21 preferred, else found in
                 /usr/lib/jvm or on PATH)

Needs Java >= 17 and Maven (mvn) to start services; downloads come from Maven Central
on first use (Elasticsearch ${ES_VERSION} integ-test-zip ~107 MB, Kafka ${KAFKA_VERSION} jars ~46 MB).
When run as root, Elasticsearch runs as the unprivileged user "rtas" (created if missing).`;

function printStatus(s: StackStatus): void {
  const state = (x: { managed: boolean; pid?: number; reachable: boolean; healthy: boolean }) =>
    `${x.healthy ? 'healthy' : x.reachable ? 'UNHEALTHY' : 'not running'}${x.managed ? ` (pid ${x.pid})` : x.reachable ? ' (not started by this tool)' : ''}`;
  console.log(`stack home      ${s.home}`);
  console.log(`elasticsearch   ${state(s.es)}`);
  console.log(`  url           ${redactUrl(s.es.url)}`);
  if (s.es.version) console.log(`  version       ${s.es.version}`);
  if (s.es.health) console.log(`  cluster       ${s.es.health}`);
  if (s.es.error) console.log(`  error         ${s.es.error}`);
  console.log(`  log           ${s.es.logFile}`);
  console.log(`kafka           ${state(s.kafka)}`);
  console.log(`  brokers       ${s.kafka.brokers.join(',')}`);
  if (s.kafka.version) console.log(`  version       ${s.kafka.version}`);
  if (s.kafka.topics !== undefined) console.log(`  topics        ${s.kafka.topics}`);
  if (s.kafka.saslSsl) {
    console.log(`  sasl_ssl      ${s.kafka.saslSsl.brokers.join(',')} (SCRAM-SHA-256/512, PLAIN; user ${s.kafka.saslSsl.username})`);
    console.log(`  ca            ${s.kafka.saslSsl.caFile}`);
    console.log(`  credentials   ${s.kafka.saslSsl.credentialsFile}`);
  }
  if (s.kafka.error) console.log(`  error         ${s.kafka.error}`);
  console.log(`  log           ${s.kafka.logFile}`);
}

const program = new Command()
  .name('npm run stack --')
  .description('Run a real local Elasticsearch and Kafka without Docker (downloads from Maven Central, runs them in the background).')
  .addHelpText('after', ENV_HELP)
  .showHelpAfterError();

program
  .command('up')
  .description(
    'make sure Elasticsearch and Kafka answer at ES_URL / KAFKA_BROKERS, starting what is missing; ' +
      'prints progress and returns once they are healthy (idempotent: running services are left as they are)',
  )
  .option('--no-kafka', 'only Elasticsearch')
  .addOption(
    new Option(
      '--es-nodes <n>',
      'number of Elasticsearch nodes: 1 = the single node at ES_URL (default); more = a local cluster of that many nodes beside it ' +
        '(HTTP 9201…, transport 9331…, or the nodes a comma-separated ES_URL lists; ES_NODE_HEAP per node, default 512m)',
    )
      .argParser((v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 9) throw new InvalidArgumentError('expected a whole number from 1 to 9');
        return n;
      })
      .default(1),
  )
  .addOption(new Option('--timeout <seconds>', 'how long to wait for each service to become healthy').argParser(seconds).default(180))
  .action(async (opts: { kafka: boolean; timeout: number; esNodes: number }) => {
    const started = Date.now();
    const r = await ensureStack({ kafka: opts.kafka, log, timeoutMs: opts.timeout * 1000, ...(opts.esNodes > 1 ? { esNodes: opts.esNodes } : {}) });
    const what = [r.startedEs && 'Elasticsearch', r.startedKafka && 'Kafka'].filter(Boolean).join(' and ');
    log(`${what ? `started ${what}; ` : ''}stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: ES_URL=${(r.esUrls ?? [r.esUrl]).map(redactUrl).join(',')}${opts.kafka ? ` KAFKA_BROKERS=${r.kafkaBrokers.join(',')}` : ''}`);
  });

program
  .command('down')
  .description(
    'stop the Elasticsearch and Kafka this tool started (SIGTERM, then SIGKILL after 60 s) and remove their pid files; ' +
      'data is kept unless --delete-data; services it did not start are left alone',
  )
  .option('--delete-data', 'then delete every index and Kafka topic of the local stack (downloads and settings stay): the next `up` starts empty')
  .action(async (opts: { deleteData?: boolean }) => {
    await stopStack({ log, deleteData: opts.deleteData === true });
  });

program
  .command('restart')
  .description('restart one service this tool started, leaving the others running (now only kafka: e.g. to add a listener that came after it was started); data is kept')
  .addArgument(new Argument('<service>', 'the service to restart').choices(['kafka']))
  .addOption(new Option('--timeout <seconds>', 'how long to wait for it to become healthy').argParser(seconds).default(180))
  .action(async (_service: string, opts: { timeout: number }) => {
    const started = Date.now();
    const pid = await restartKafka({ log, timeoutMs: opts.timeout * 1000 });
    log(`Kafka restarted in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  });

program
  .command('status')
  .description('show what runs: pids, versions, URLs, health and log files; exits 0 when Elasticsearch and Kafka are healthy, 1 otherwise')
  .option('--json', 'print the status as JSON')
  .action(async (opts: { json?: boolean }) => {
    const s = await stackStatus();
    const cluster = (await esClusterStatus().catch(() => [])).filter((n) => n.pid !== undefined || n.probe.reachable);
    if (opts.json) console.log(JSON.stringify(cluster.length > 0 ? { ...s, esCluster: cluster } : s, null, 2));
    else {
      printStatus(s);
      for (const n of cluster) console.log(`es cluster node ${n.name} ${n.probe.healthy ? `healthy (${n.probe.status})` : 'UNHEALTHY'}${n.pid !== undefined ? ` (pid ${n.pid})` : ''} ${n.url}  log ${n.logFile}`);
    }
    process.exitCode = s.es.healthy && s.kafka.healthy ? 0 : 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof StackError) console.error(`[stack] error: ${err.message}`);
  else console.error('[stack] error:', err);
  process.exitCode = 1;
}
