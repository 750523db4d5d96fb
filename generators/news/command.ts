/**
 * The `news` subcommand of `npm run generate`.
 *
 * @module generators/news/command
 */
import { Command } from 'commander';
import { addRunOptions } from '../common/cli.js';
import { addKafkaOptions, runGeneratorCommand } from '../kafka/cli.js';
import { COMPANIES } from './companies.js';
import { createNewsGenerator } from './generator.js';

/** Default `--rate` of the news generator, lines per second. */
export const NEWS_DEFAULT_RATE = 2;

/** Builds the `news` subcommand: JSON financial headlines to stdout, a (rotated) file, batch files or Kafka. */
export function newsCommand(): Command {
  const cmd = new Command('news')
    .summary('synthetic financial headlines (JSON lines)')
    .description(
      [
        'Generate financial news headlines, one JSON object per line:',
        '  {"@timestamp":"<ISO-8601 UTC>","id":"news-<seed>-<seq>","headline":"...",',
        '   "source":"Reuters","tickers":["AAPL"]}',
        '',
        `Headlines report market events about ${COMPANIES.length} well-known US companies: earnings`,
        'beat/miss, analyst upgrade/downgrade, guidance raised/cut, record revenue,',
        'buyback, dividend hike/cut, acquisition, data breach, lawsuit, layoffs, CEO',
        'departure, product recall, and neutral news (conferences, results dates, board',
        'appointments, product launches, annual meetings), with several phrasings and',
        'numbers per event. About 39% are positive, 41% negative, 20% neutral.',
        'Companies appear by name ("Apple"), cashtag ("$AAPL") or both',
        '("Apple ($AAPL)"); "tickers" lists the named companies (acquirer first).',
        '"id" is deterministic: the same --seed gives the same ids, and with --start',
        'the same lines byte for byte.',
        '',
        'Output goes to stdout unless --out, --out-dir or --kafka is given. Without',
        '--count or --duration it runs until SIGINT/SIGTERM, then flushes its output',
        'and exits 0. A one-line JSON summary (generator, seed, lines, seconds,',
        'linesPerSec, files, stoppedBy; with --kafka also topic, acks and send',
        'latencies) is always printed on stderr at exit.',
      ].join('\n'),
    );
  addRunOptions(cmd, { rate: NEWS_DEFAULT_RATE });
  addKafkaOptions(cmd, 'news');
  cmd.addHelpText(
    'after',
    '\nExamples:\n' +
      '  npm run generate -- news --count 5 --seed 1 --start 2025-06-01T09:30:00Z\n' +
      '  npm run generate -- news --rate 20 --out .data/news/headlines.log --rotate-bytes 10M\n' +
      '  npm run generate -- news --rate 50 --kafka                 # topic news.headlines, key = first ticker\n',
  );
  cmd.action(async () => {
    await runGeneratorCommand(cmd, { name: 'news', dataset: 'news', create: (seed) => createNewsGenerator({ seed }) });
  });
  return cmd;
}
