import { getDataset } from '../datasets/registry.js';
import { dataStreamIndex, DecodeError, type DataStreamName, type Dataset, type EnrichContext } from '../datasets/types.js';
import { documentId } from './document-id.js';
import { withJsonText } from '../enrich/json-text.js';
import type { DeadLetter, OutputDocument, SourceRecord } from './types.js';
import { inputById, type InputSettings } from '../inputs/settings.js';
import { applyInputFields } from '../inputs/fields.js';

/** Result of transforming one micro-batch: documents for the sinks and records that failed. */
export interface TransformResult {
  docs: OutputDocument[];
  deadLetters: DeadLetter[];
}

/**
 * Decode → validate → enrich each record with its dataset. Never throws for bad input: a record that
 * fails a stage becomes a dead letter with the stage and the reason. Validation uses the dataset's
 * hand-written `validate` when it has one (same rules as its zod schema), else `schema.safeParse`.
 * Documents of one dataset in one batch share one `data_stream` object (do not mutate it).
 */
export function transformBatch(records: SourceRecord[], ctx: EnrichContext, namespace: string): TransformResult {
  const docs: OutputDocument[] = [];
  const deadLetters: DeadLetter[] = [];
  let lastName: string | undefined;
  let dataset: Dataset<unknown> | undefined;
  let dataStream: DataStreamName | undefined;
  let index = '';
  let lastInput: string | undefined;
  let input: InputSettings | undefined;
  for (const record of records) {
    if (record.input !== lastInput) {
      lastInput = record.input;
      input = inputById(record.input);
    }
    if (record.dataset !== lastName || !dataset || !dataStream) {
      lastName = record.dataset;
      dataset = getDataset(record.dataset) as Dataset<unknown>;
      dataStream = withJsonText({ ...dataset.dataStream, namespace });
      index = dataStreamIndex(dataStream);
    }
    let decoded: unknown;
    try {
      decoded = dataset.decode(record.raw, input);
    } catch (err) {
      const reason = err instanceof DecodeError ? err.message : `decoder failed: ${String(err)}`;
      deadLetters.push({ record, stage: 'decode', reason });
      continue;
    }
    let valid: unknown;
    if (dataset.validate) {
      const reason = dataset.validate(decoded);
      if (reason !== undefined) {
        deadLetters.push({ record, stage: 'validate', reason });
        continue;
      }
      valid = decoded;
    } else {
      const parsed = dataset.schema.safeParse(decoded);
      if (!parsed.success) {
        const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
        deadLetters.push({ record, stage: 'validate', reason });
        continue;
      }
      valid = parsed.data;
    }
    try {
      const body = applyInputFields(dataset.enrich(valid, ctx, { raw: record.raw, position: record.position, dataStream, input }), input);
      docs.push({ id: record.id ?? documentId(record), index, body, record });
    } catch (err) {
      deadLetters.push({ record, stage: 'enrich', reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { docs, deadLetters };
}
