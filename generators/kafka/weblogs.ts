/**
 * The `weblogs` subcommand with `--kafka` (topic `weblogs.access`, key = client IP): the weblogs
 * command as its folder builds it, plus the Kafka output of {@link withKafkaOutput}.
 *
 * @module generators/kafka/weblogs
 */
import type { Command } from 'commander';
import { createWeblogGenerator } from '../weblogs/generator.js';
import { weblogsCommand } from '../weblogs/command.js';
import { withKafkaOutput } from './cli.js';

/**
 * `weblogsCommand()` with `--kafka`, `--topic`, `--brokers`. Its generator is built exactly as the
 * weblogs action builds it (`createWeblogGenerator({ seed, start })`).
 */
export function weblogsKafkaCommand(): Command {
  return withKafkaOutput(weblogsCommand(), {
    name: 'weblogs',
    dataset: 'weblogs',
    create: (seed, start) => createWeblogGenerator(start ? { seed, start } : { seed }),
  });
}
