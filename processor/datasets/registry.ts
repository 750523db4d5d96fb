import type { Dataset } from './types.js';
import { news } from './news/index.js';
import { ticks } from './ticks/index.js';
import { weblogs } from './weblogs/index.js';
import { errorlogs } from './errorlogs/index.js';

/** Every dataset the processor knows, by name. Adding a dataset means adding its folder and one line here. */
export const datasets: ReadonlyMap<string, Dataset<unknown>> = new Map<string, Dataset<unknown>>([
  [weblogs.name, weblogs as Dataset<unknown>],
  [news.name, news as Dataset<unknown>],
  [ticks.name, ticks as Dataset<unknown>],
  [errorlogs.name, errorlogs as Dataset<unknown>],
]);

/**
 * The dataset registered under `name`.
 * @throws Error naming the known datasets when there is none.
 */
export function getDataset(name: string): Dataset<unknown> {
  const ds = datasets.get(name);
  if (!ds) throw new Error(`unknown dataset "${name}" (known: ${[...datasets.keys()].join(', ')})`);
  return ds;
}
