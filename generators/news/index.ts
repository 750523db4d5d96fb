/**
 * Public API of the financial-news generator.
 *
 * @module generators/news
 */
export { COMPANIES, companyByTicker, type Company } from './companies.js';
export { NEWS_TEMPLATES, ANALYST_FIRMS, type HeadlineContext, type NewsEventKind, type NewsTemplate, type Polarity } from './templates.js';
export {
  createNewsGenerator,
  mention,
  NEWS_SOURCES,
  type NewsEntry,
  type NewsGenerator,
  type NewsGeneratorOptions,
  type NewsRecord,
} from './generator.js';
export { newsCommand, NEWS_DEFAULT_RATE } from './command.js';
