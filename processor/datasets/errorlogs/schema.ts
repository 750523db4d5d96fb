import { z } from 'zod';

/** nginx levels (src/core/ngx_log.c `err_levels`), most severe first. */
export const NGINX_LEVELS = ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'] as const;
/** Apache httpd 2.4 levels (`LogLevel` directive): nginx's, then `trace1` … `trace8`. */
export const APACHE_LEVELS = [...NGINX_LEVELS, 'trace1', 'trace2', 'trace3', 'trace4', 'trace5', 'trace6', 'trace7', 'trace8'] as const;

const TIME_MESSAGE = 'impossible time (a day, hour, minute or second out of range)';
const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const port = z.number().int().min(1).max(65535);

/**
 * What a decoded error-log entry (see `decodeErrorEntry`) must satisfy before enrichment: a real
 * time, a level the server writes, non-negative ids, a port 1–65535, a method token.
 */
export const errorEntrySchema = z
  .object({
    format: z.enum(['nginx', 'apache']),
    time: z.string(),
    timestamp: z.date({ error: TIME_MESSAGE }),
    timestampIso: z.string(),
    level: z.string(),
    module: z.string().max(255).optional(),
    pid: id.optional(),
    tid: id.optional(),
    connectionId: id.optional(),
    originFile: z.string().optional(),
    originLine: id.optional(),
    errno: z.number().int().optional(),
    errnoText: z.string().optional(),
    client: z.string().min(1).max(255).optional(),
    clientPort: port.optional(),
    message: z.string(),
    errorCode: z.string().regex(/^AH\d{5}$/).optional(),
    server: z.string().optional(),
    request: z.string().optional(),
    method: z.string().regex(/^[A-Z][A-Z_-]{0,19}$/, 'HTTP method must be an upper-case token').optional(),
    target: z.string().optional(),
    httpVersion: z.string().optional(),
    upstream: z.string().optional(),
    host: z.string().optional(),
    referrer: z.string().optional(),
    multiline: z.boolean(),
  })
  .superRefine((e, ctx) => {
    const levels: readonly string[] = e.format === 'nginx' ? NGINX_LEVELS : APACHE_LEVELS;
    if (!levels.includes(e.level)) {
      ctx.addIssue({ code: 'custom', path: ['level'], message: `unknown ${e.format} level "${e.level}" (known: ${levels.join(', ')})` });
    }
  });

/** A validated error-log entry. */
export type ErrorEntry = z.infer<typeof errorEntrySchema>;
