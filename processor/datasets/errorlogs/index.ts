import type { Dataset } from '../types.js';
import { checkErrorLogFormat, decodeErrorEntry, ERROR_ENTRY_START } from './decode.js';
import { errorEntrySchema, type ErrorEntry } from './schema.js';
import { enrichErrorEntry } from './enrich.js';
import { errorlogsTemplate } from './template.js';

/**
 * nginx and Apache httpd error logs into `logs-weblogs.error-*` (docs/error-logs.md). Entries may span
 * lines: `multilineStart` tells the file source where one begins. Low volume, so validation is the zod
 * schema itself (no hand-written `validate`) and the document is serialised by `JSON.stringify`.
 */
export const errorlogs: Dataset<ErrorEntry> = {
  name: 'errorlogs',
  dataStream: { type: 'logs', dataset: 'weblogs.error' },
  topic: 'weblogs.error',
  decode: decodeErrorEntry,
  checkFormat: checkErrorLogFormat,
  schema: errorEntrySchema,
  stateless: true,
  multilineStart: ERROR_ENTRY_START,
  enrich: enrichErrorEntry,
  indexTemplate: errorlogsTemplate,
};
