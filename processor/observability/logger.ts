import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines on stderr (stdout stays free for results such as `--once`'s summary),
 * level from `LOG_LEVEL` (default `info`).
 */
export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
}
