import { z } from 'zod';

/** Ticker as the generator writes it: letters/digits, optional share class (`BRK.B`); any case. */
const TICKER = /^[A-Za-z][A-Za-z0-9]{0,5}(?:\.[A-Za-z]{1,2})?$/;

/**
 * What a decoded news record must satisfy before enrichment; failures are dead-lettered at the
 * `validate` stage with zod's issue list. Unknown keys are dropped (zod's default), so a generator
 * that adds a field does not break the flow; add the field here to keep it.
 * - `@timestamp`: ISO 8601 date-time with a zone (`Z` or `±hh:mm`); a zone-less local time is
 *   rejected because its instant is ambiguous.
 * - `headline`: 1–1000 characters (UTF-16 code units), not only whitespace.
 * - `url`: absolute http(s) URL, at most 8191 characters (the `url.original` mapping's limit).
 * - `tickers`: at most 50.
 */
export const newsRecordSchema = z.object({
  '@timestamp': z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time with a zone (Z or ±hh:mm)' }),
  id: z.string({ error: 'id missing' }).min(1, 'id is empty').max(256),
  headline: z
    .string({ error: 'headline missing' })
    .max(1000, 'headline longer than 1000 characters')
    .refine((s) => s.trim().length > 0, 'headline is empty'),
  source: z.string({ error: 'source missing' }).max(256).refine((s) => s.trim().length > 0, 'source is empty'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an absolute http(s) URL' }).max(8191).optional(),
  tickers: z
    .array(z.string().regex(TICKER, 'ticker must be 1-6 letters/digits with an optional .X share class'))
    .max(50)
    .optional(),
});

/** A validated news record. */
export type NewsRecord = z.infer<typeof newsRecordSchema>;
