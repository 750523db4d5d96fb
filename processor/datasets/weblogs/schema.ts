import { z } from 'zod';

/**
 * What a decoded access-log line must satisfy before enrichment. Failing lines are dead-lettered at
 * the `validate` stage with zod's issue list as the reason.
 */
export const accessLineSchema = z.object({
  client: z.string().min(1).max(255),
  ident: z.string().optional(),
  user: z.string().max(255).optional(),
  time: z.string(),
  timestamp: z.date({ error: 'unparseable time (expected dd/Mon/yyyy:HH:mm:ss ±hhmm)' }),
  timezone: z.string().regex(/^[+-]\d{2}:\d{2}$/),
  request: z.string(),
  method: z.string().regex(/^[A-Z][A-Z_-]{0,19}$/, 'HTTP method must be an upper-case token').optional(),
  target: z.string().optional(),
  httpVersion: z.string().optional(),
  // RFC 9110 §15: status codes are three digits, 100–599.
  status: z
    .number({ error: (iss) => (iss.code === 'invalid_type' ? 'status code missing' : undefined) })
    .int()
    .min(100, 'status code must be 100-599')
    .max(599, 'status code must be 100-599'),
  bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  referrer: z.string().optional(),
  userAgent: z.string().optional(),
  userAgentTruncated: z.boolean(),
});

/** A validated access-log line. */
export type AccessLine = z.infer<typeof accessLineSchema>;
