#!/usr/bin/env node
/**
 * `npm run dashboard:screenshots`: regenerates `scripts/dashboard/screenshots/*.png` (shown in the
 * README): ingests the sample data ({@link ingestDemoData}) into a namespace when it holds none yet,
 * starts the dashboard server on a free port, and photographs the three views in headless Chromium.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { addEsConnectionOptions, esConnectionFromOptions, type EsConnectionOptionValues } from '../../processor/elasticsearch/connection.js';
import { createLogger } from '../../processor/observability/logger.js';
import { launchChromium, newDashboardPage, openView } from './browser.js';
import { DEMO_VIEWS, ingestDemoData } from './demo-data.js';
import { createDashboardClient, NAMESPACE_PATTERN, search, streamName } from './elasticsearch.js';
import { startDashboardServer } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const program = new Command('dashboard:screenshots')
  .description('Ingest the samples into a namespace (once), serve the dashboard and save a PNG of each view.')
  .option('--namespace <name>', 'namespace holding the sample data', 'dashdemo')
  .option('--out <dir>', 'where the PNGs go', path.join(here, 'screenshots'))
  .option('--work-dir <dir>', 'sample input files and processor checkpoints', '.data/dashboard-demo')
  .showHelpAfterError();
addEsConnectionOptions(program);
program.parse();
const o = program.opts<EsConnectionOptionValues & { namespace: string; out: string; workDir: string }>();
if (!NAMESPACE_PATTERN.test(o.namespace)) program.error(`--namespace ${o.namespace}: not a data stream namespace (lower case, digits, _ . +; no -)`);
const log = createLogger('screenshots');
const say = (s: string): void => void process.stdout.write(s + '\n');

const conn = esConnectionFromOptions(o);
const es = createDashboardClient(conn);
try {
  const existing = await search(es, streamName('logs', 'weblogs.access', o.namespace), { size: 0 });
  if (existing.hits.total.value === 0) {
    say(`▶ ingesting the samples into namespace ${o.namespace} …`);
    const summaries = await ingestDemoData({
      es: conn,
      namespace: o.namespace,
      workDir: path.join(o.workDir, o.namespace),
      log,
      onDataset: (d, f) => say(`  ${d}: ${f}`),
    });
    for (const [d, s] of Object.entries(summaries)) say(`  ${d}: ${JSON.stringify(s)}`);
  } else {
    say(`▶ namespace ${o.namespace} already holds ${existing.hits.total.value} web log documents: using them`);
  }
  const server = await startDashboardServer({ es, esUrl: conn.url, connection: conn, namespace: o.namespace, port: 0, log });
  const browser = await launchChromium();
  try {
    const page = await newDashboardPage(browser);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await mkdir(o.out, { recursive: true });
    for (const s of DEMO_VIEWS) {
      await openView(page, server.url, s.view, s.from, s.to, s.params);
      const file = path.join(o.out, s.file);
      await page.screenshot({ path: file, fullPage: true });
      say(`▶ ${s.view}: ${path.relative(process.cwd(), file)}`);
    }
    if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
  await es.close();
} catch (err) {
  log.fatal(err instanceof Error ? err.message : String(err));
  await es.close();
  process.exit(1);
}
