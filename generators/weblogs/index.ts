/**
 * Public API of the web-log generator.
 *
 * @module generators/weblogs
 */
export {
  createWeblogGenerator,
  DEFAULT_ERROR_BURSTS,
  type ErrorBurstOptions,
  type WeblogGenerator,
  type WeblogGeneratorOptions,
} from './generator.js';
export { formatApacheTime, formatCombined, escapeLogField, type WeblogEntry } from './format.js';
export { CRAWLER_UA_PATTERN } from './user-agents.js';
export { weblogsCommand, WEBLOGS_DEFAULT_RATE } from './command.js';
