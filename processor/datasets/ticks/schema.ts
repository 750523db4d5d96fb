import { z } from 'zod';

const price = z.number().finite().positive();

/**
 * One OHLCV tick as the generators and replay write it:
 * `{"@timestamp":"2026-11-21T14:30:00.000Z","symbol":"AAPL","open":1,"high":1,"low":1,"close":1,"volume":10}`.
 * Prices in the instrument's currency, volume in shares/units over the tick's interval.
 */
export const tickSchema = z
  .object({
    '@timestamp': z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    symbol: z.string().regex(/^[A-Z0-9^][A-Z0-9.^=-]{0,15}$/, 'symbol must be 1-16 upper-case letters, digits or . ^ = -'),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: z.number().int().nonnegative(),
    exchange: z.string().max(16).optional(),
    currency: z.string().length(3).optional(),
  })
  .refine((t) => t.high >= Math.max(t.open, t.close, t.low), { message: 'high is below open, close or low', path: ['high'] })
  .refine((t) => t.low <= Math.min(t.open, t.close), { message: 'low is above open or close', path: ['low'] });

/** A validated tick; `@timestamp` parsed to a Date. */
export type Tick = z.infer<typeof tickSchema>;
