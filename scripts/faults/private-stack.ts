/**
 * The fault suite's own Elasticsearch and Kafka: the local stack library (scripts/stack) started with
 * another home and other ports, so the cases that freeze and kill them never touch the shared stack.
 */
import { managedElasticsearchPid } from '../stack/elasticsearch.js';
import { managedKafkaPid } from '../stack/kafka.js';
import { isAlive, sleep } from '../stack/proc.js';
import { stackPaths } from '../stack/paths.js';
import { ensureStack, stopStack, type StackTarget } from '../stack/stack.js';

/** Defaults: ports 9250 (ES) and 9192/9193 (Kafka), home /var/lib/rtas-faults (root) or ~/.cache/rtas-faults. */
export function privateTarget(home: string, esPort = 9250, kafkaPort = 9192): Required<StackTarget> {
  return { home, esUrl: `http://127.0.0.1:${esPort}`, kafkaBrokers: [`127.0.0.1:${kafkaPort}`], esHeap: '768m', kafkaHeap: '512m' };
}

/** Starts whatever of the private stack is not running (first use downloads into its home). */
export async function upPrivate(target: StackTarget, log: (m: string) => void): Promise<void> {
  await ensureStack({ target, log, timeoutMs: 240_000 });
}

/** Stops the private stack (never the shared one: only processes whose pid files are in `target.home`). */
export async function downPrivate(target: StackTarget, log: (m: string) => void): Promise<void> {
  await stopStack({ target, log });
}

async function pidOf(target: StackTarget, service: 'es' | 'kafka'): Promise<number> {
  const paths = stackPaths(target.home);
  const pid = service === 'es' ? await managedElasticsearchPid(paths) : await managedKafkaPid(paths);
  if (pid === undefined) throw new Error(`the private ${service} of ${target.home} is not running`);
  return pid;
}

/** Sends SIGSTOP (freeze) or SIGCONT to the private service. */
export async function signalService(target: StackTarget, service: 'es' | 'kafka', signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
  process.kill(await pidOf(target, service), signal);
}

/** SIGKILLs the private service and waits until it is gone. */
export async function killService(target: StackTarget, service: 'es' | 'kafka'): Promise<void> {
  const pid = await pidOf(target, service);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
}
