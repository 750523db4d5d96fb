/**
 * The `weblogs` subcommand of `npm run generate`.
 *
 * @module generators/weblogs/command
 */
import { Command } from 'commander';
import { addRunOptions } from '../common/cli.js';
import { addKafkaOptions, runGeneratorCommand } from '../kafka/cli.js';
import { createWeblogGenerator } from './generator.js';

/** Default `--rate` of the web-log generator, lines per second. */
export const WEBLOGS_DEFAULT_RATE = 100;

/**
 * Builds the `weblogs` subcommand: Apache/nginx combined-format access logs for
 * a fixed shop+blog site, written to stdout, a (rotated) file, batch files or Kafka.
 */
export function weblogsCommand(): Command {
  const cmd = new Command('weblogs')
    .summary('synthetic web access logs (Apache/nginx combined format)')
    .description(
      [
        'Generate realistic web access log lines in the Apache/nginx "combined" format:',
        '  %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"',
        '',
        'The site is a fixed outdoor shop + blog. Visitors (some returning) load a page,',
        'then its assets with the page as referrer, then the next page; referrers are',
        'direct, search engines, social/external sites or internal. About 20% of lines',
        'come from crawlers, about 10% from IPv6 clients. Statuses are mostly 200 with',
        "some 304/404/301/302/206, a few 403/416/500, and occasional 5xx bursts lasting",
        'a few seconds of event time. Timestamps are UTC.',
        '',
        'Output goes to stdout unless --out, --out-dir or --kafka is given. Without --count',
        'or --duration it runs until SIGINT/SIGTERM, then flushes its output and exits 0.',
        'A one-line JSON summary (generator, seed, lines, seconds, linesPerSec, files,',
        'stoppedBy; with --kafka also topic, acks and send latencies) is always printed',
        'on stderr at exit.',
      ].join('\n'),
    );
  addRunOptions(cmd, { rate: WEBLOGS_DEFAULT_RATE });
  addKafkaOptions(cmd, 'weblogs');
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  npm run generate -- weblogs --count 20 --seed 1 --start 2025-06-01T00:00:00Z\n' +
      '  npm run generate -- weblogs --rate 500 --out .data/weblogs/access.log --rotate-bytes 10M --rotate-keep 3\n' +
      '  npm run generate -- weblogs --rate 2000 --out-dir .data/weblogs/incoming --batch-lines 1000\n' +
      '  npm run generate -- weblogs --rate 1000 --kafka\n',
  );
  cmd.action(async () => {
    await runGeneratorCommand(cmd, {
      name: 'weblogs',
      dataset: 'weblogs',
      create: (seed, start) => createWeblogGenerator(start ? { seed, start } : { seed }),
    });
  });
  return cmd;
}
