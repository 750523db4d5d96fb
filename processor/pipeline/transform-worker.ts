/**
 * The worker-thread side of `createTransformPool`: transforms a slice of records with the same
 * `transformBatch` as the main thread and returns documents and dead letters by record index (the
 * records themselves stay on the main thread).
 */
import { workerData } from 'node:worker_threads';
import type { EnrichContext } from '../datasets/types.js';
import { geoIpFromDatabases, type GeoIpDatabases } from '../enrich/geoip.js';
import { createUserAgentParser } from '../enrich/user-agent.js';
import { transformBatch } from './transform.js';
import { registerInputs, type InputSettings } from '../inputs/settings.js';
import type { DeadLetter, SourceRecord } from './types.js';

/** One slice of a batch. */
export interface WorkerTask {
  records: SourceRecord[];
  namespace: string;
}

/** Documents and dead letters of a slice; `at` is the record's index in the slice. */
export interface WorkerResult {
  docs: { at: number; id: string; index: string; body: Record<string, unknown> }[];
  deadLetters: { at: number; stage: DeadLetter['stage']; reason: string }[];
}

const { dbs, inputs, keepOriginal } = workerData as { dbs: GeoIpDatabases; inputs: InputSettings[]; keepOriginal: boolean };
registerInputs(inputs);
const ctx: EnrichContext = { geoip: geoIpFromDatabases(dbs), userAgents: createUserAgentParser(), now: () => new Date(), state: new Map(), keepOriginal };

/** Piscina's entry point. */
export default function transformSlice(task: WorkerTask): WorkerResult {
  const at = new Map(task.records.map((r, i) => [r, i]));
  const { docs, deadLetters } = transformBatch(task.records, ctx, task.namespace);
  return {
    docs: docs.map((d) => ({ at: at.get(d.record)!, id: d.id, index: d.index, body: d.body })),
    deadLetters: deadLetters.map((l) => ({ at: at.get(l.record)!, stage: l.stage, reason: l.reason })),
  };
}
