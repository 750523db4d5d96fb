/**
 * `tsx scripts/prereqs/cli.ts [test|start]`: finds or installs the programs outside node_modules that
 * `npm test` (default) or `npm start` needs, before anything else runs. Used by the `pretest` and
 * `prestart` hooks of package.json (so by `.ci/run` too). See prereqs.ts for the table and the rules.
 * Exit 0 when everything is there; 1 with one line saying what to install otherwise.
 */
import { Argument, Command } from 'commander';

import { runPrereqs, type Scope } from './prereqs.js';

const log = (line: string): void => console.log(`[prereqs] ${line}`);

const program = new Command()
  .name('tsx scripts/prereqs/cli.ts')
  .description(
    'Find or install what the tests (Java 17, Maven, Chromium, openssl, nginx, apache2, curl) or `npm start` ' +
      '(Java 17, Maven) need. As root with apt: apt-get install of only what is missing, without starting the ' +
      'nginx/apache2 services. Otherwise: one line saying what to install, exit 1.',
  )
  .addArgument(new Argument('[scope]', 'what to prepare for').choices(['test', 'start']).default('test'))
  .addHelpText('after', '\nEnvironment: CHROMIUM_PATH (a Chromium/Chrome binary), JAVA_HOME / ES_JAVA_HOME (a Java 17 or 21).')
  .action(async (scope: Scope) => {
    if (scope === 'start' && process.env.ES_URL?.trim() && process.env.KAFKA_BROKERS?.trim()) {
      log('ES_URL and KAFKA_BROKERS are set: the stack starts nothing, so Java and Maven are not needed');
      return;
    }
    process.exitCode = await runPrereqs({ scope, log });
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`[prereqs] error: ${(err as Error).message}`);
  process.exitCode = 1;
}
