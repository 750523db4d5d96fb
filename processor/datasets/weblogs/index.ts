import type { Dataset } from '../types.js';
import { decodeAccessLine } from './decode.js';
import { formatDecoder } from './formats/index.js';
import { accessLineSchema, validateAccessLine, type AccessLine } from './schema.js';
import type { DecodedAccessLine } from './decode.js';
import { enrichAccessLine } from './enrich.js';
import { accessDocumentJson } from './serialize.js';
import { weblogsTemplate } from './template.js';
import { trafficPerMinute } from './windows.js';

/**
 * Web access logs into `logs-weblogs.access-*`: combined/common by default, or the format of the input
 * the line was read through (an nginx `log_format`, an Apache `LogFormat`, JSON, `auto`: formats/).
 */
export const weblogs: Dataset<AccessLine> = {
  name: 'weblogs',
  dataStream: { type: 'logs', dataset: 'weblogs.access' },
  topic: 'weblogs.access',
  decode: (raw, input) => (input?.format === undefined ? decodeAccessLine(raw) : formatDecoder(input.format, input.id)(raw)),
  checkFormat: (format) => void formatDecoder(format),
  schema: accessLineSchema,
  validate: (decoded) => validateAccessLine(decoded as DecodedAccessLine),
  stateless: true,
  enrich: enrichAccessLine,
  serialize: accessDocumentJson,
  indexTemplate: weblogsTemplate,
  windows: [trafficPerMinute],
};
