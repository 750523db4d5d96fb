/**
 * `npm run kibana:import [-- --space <id>] [--file <ndjson>]`: imports the generated saved objects
 * into Kibana (`KIBANA_URL`, default http://127.0.0.1:5601) with overwrite, and prints one line per
 * object. Exit code 0 when every object was imported, 1 when any failed, 2 when Kibana was
 * unreachable or refused the request. Credentials: `KIBANA_API_KEY`, or `KIBANA_USERNAME` +
 * `KIBANA_PASSWORD`.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { authFromEnv, importSavedObjects, KibanaHttpError, KibanaUnreachableError } from './import-client.js';
import { redactUrl } from '../processor/elasticsearch/connection.js';
import { NDJSON_PATH } from './paths.js';

const program = new Command('kibana:import')
  .description('Import kibana/saved-objects.ndjson into Kibana (POST /api/saved_objects/_import?overwrite=true).')
  .option('--space <id>', 'Kibana space to import into (default: the default space)')
  .option('--file <ndjson>', 'NDJSON file to import', NDJSON_PATH)
  .option('--url <url>', 'Kibana URL (default: KIBANA_URL or http://127.0.0.1:5601)')
  .addHelpText(
    'after',
    '\nEnvironment:\n  KIBANA_URL                          Kibana base URL (default http://127.0.0.1:5601)\n' +
      '  KIBANA_API_KEY                      API key (Authorization: ApiKey …); wins over basic auth\n' +
      '  KIBANA_USERNAME, KIBANA_PASSWORD    basic auth\n\nExit codes: 0 all imported, 1 some objects failed, 2 Kibana unreachable or request refused.',
  )
  .action(async (o: { space?: string; file: string; url?: string }) => {
    const kibanaUrl = o.url ?? process.env.KIBANA_URL ?? 'http://127.0.0.1:5601';
    let ndjson: string;
    try {
      ndjson = readFileSync(o.file, 'utf8');
    } catch (err) {
      console.error(`cannot read ${o.file}: ${(err as Error).message} (run npm run kibana:generate)`);
      process.exit(2);
    }
    try {
      const report = await importSavedObjects({ kibanaUrl, ndjson, space: o.space, auth: authFromEnv() });
      for (const r of report.results) {
        const what = `${r.type} ${r.id}${r.title ? ` "${r.title}"` : ''}`;
        if (r.ok) console.log(`ok     ${what}`);
        else console.error(`ERROR  ${what}: ${r.error}`);
      }
      const failed = report.results.filter((r) => !r.ok).length;
      const where = `${redactUrl(kibanaUrl)}${o.space ? ` (space ${o.space})` : ''}`;
      if (report.ok) console.log(`imported ${report.successCount} objects into ${where}`);
      else console.error(`import into ${where} incomplete: ${report.successCount} imported, ${failed} failed`);
      process.exit(report.ok ? 0 : 1);
    } catch (err) {
      if (err instanceof KibanaUnreachableError || err instanceof KibanaHttpError) console.error(err.message);
      else console.error(`import failed: ${(err as Error).message}`);
      process.exit(2);
    }
  });

await program.parseAsync();
