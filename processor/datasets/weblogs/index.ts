import type { Dataset } from '../types.js';
import { decodeAccessLine } from './decode.js';
import { accessLineSchema, validateAccessLine, type AccessLine } from './schema.js';
import type { DecodedAccessLine } from './decode.js';
import { enrichAccessLine } from './enrich.js';
import { accessDocumentJson } from './serialize.js';
import { weblogsTemplate } from './template.js';
import { trafficPerMinute } from './windows.js';

/** Web access logs (Apache/nginx common and combined format) into `logs-weblogs.access-*`. */
export const weblogs: Dataset<AccessLine> = {
  name: 'weblogs',
  dataStream: { type: 'logs', dataset: 'weblogs.access' },
  topic: 'weblogs.access',
  decode: decodeAccessLine,
  schema: accessLineSchema,
  validate: (decoded) => validateAccessLine(decoded as DecodedAccessLine),
  stateless: true,
  enrich: enrichAccessLine,
  serialize: accessDocumentJson,
  indexTemplate: weblogsTemplate,
  windows: [trafficPerMinute],
};
