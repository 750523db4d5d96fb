/**
 * Query parameters of the dashboard API, validated with zod, and the time arithmetic behind them:
 * Kibana-style time expressions (`now`, `now-15m`, an ISO-8601 instant), and the bucket interval a
 * time range is drawn with.
 */
import { z } from 'zod';

/** Milliseconds per unit of a relative time expression (`M` = 30 days, `y` = 365 days, as approximations). */
const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

const RELATIVE = /^now(?:-(\d{1,6})([smhdwMy]))?$/;

/**
 * Resolves a time expression to epoch ms: `now`, `now-<n><unit>` (units s m h d w M y, as Kibana's
 * time picker writes them; M and y are 30 and 365 days), or an ISO-8601 date-time with a zone
 * (`2015-05-17T10:00:00Z`, `2015-05-17T12:00:00+02:00`) or a plain date (`2015-05-17`, UTC midnight).
 * @returns undefined when the expression is none of these.
 */
export function parseTimeExpression(expr: string, nowMs: number): number | undefined {
  const rel = RELATIVE.exec(expr);
  if (rel) return rel[1] ? nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]! : nowMs;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(expr)) return undefined;
  const t = Date.parse(expr);
  return Number.isFinite(t) ? t : undefined;
}

/** Nice bucket sizes, ms, smallest first; the chosen one gives at most `targetBuckets` buckets. */
export const INTERVALS_MS: readonly number[] = [
  60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
  3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000,
  86_400_000, 7 * 86_400_000, 30 * 86_400_000,
];

/**
 * The smallest nice interval (≥ 1 minute, the finest window size) that draws `[fromMs, toMs)` in at
 * most `targetBuckets` buckets; the largest one for ranges beyond it.
 */
export function chooseInterval(fromMs: number, toMs: number, targetBuckets: number): number {
  const span = Math.max(toMs - fromMs, 1);
  return INTERVALS_MS.find((i) => span / i <= targetBuckets) ?? INTERVALS_MS[INTERVALS_MS.length - 1]!;
}

/** `fixed_interval` syntax of an interval in ms (`5m`, `3h`, `1d`). */
export function esInterval(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** A resolved time range: absolute bounds (epoch ms, `to` exclusive) and the bucket interval. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
  intervalMs: number;
}

/** Longest range accepted (20 years): beyond it the coarsest interval would still make too many buckets. */
export const MAX_RANGE_MS = 20 * 365 * 86_400_000;

const timeExpr = z.string().trim().min(1).max(40);

/**
 * Builds the zod schema of a view's time parameters (`from`, `to`; defaults `now-1h` and `now`)
 * resolved against `nowMs`. Rejects unknown expressions, `from >= to` and ranges over 20 years
 * with a message naming the parameter.
 */
export function timeRangeSchema(nowMs: number, targetBuckets: number) {
  return z
    .object({ from: timeExpr.default('now-1h'), to: timeExpr.default('now') })
    .transform((p, ctx): TimeRange => {
      const fromMs = parseTimeExpression(p.from, nowMs);
      const toMs = parseTimeExpression(p.to, nowMs);
      const bad = (path: string, value: string): never => {
        ctx.addIssue({ code: 'custom', path: [path], message: `"${value}" is not a time: use now, now-15m (s m h d w M y) or an ISO-8601 date-time` });
        return z.NEVER;
      };
      if (fromMs === undefined) return bad('from', p.from);
      if (toMs === undefined) return bad('to', p.to);
      if (fromMs >= toMs) {
        ctx.addIssue({ code: 'custom', path: ['from'], message: `from (${p.from}) must be before to (${p.to})` });
        return z.NEVER;
      }
      if (toMs - fromMs > MAX_RANGE_MS) {
        ctx.addIssue({ code: 'custom', path: ['from'], message: 'the time range may span at most 20 years' });
        return z.NEVER;
      }
      return { fromMs, toMs, intervalMs: chooseInterval(fromMs, toMs, targetBuckets) };
    });
}

/**
 * Optional `symbol` of the markets view, with the syntax the ticks dataset accepts
 * (`processor/datasets/ticks/schema.ts`: 1–16 of A–Z 0–9 . ^ = -).
 */
export const symbolSchema = z.object({
  symbol: z.string().regex(/^[A-Z0-9^][A-Z0-9.^=-]{0,15}$/, 'symbol must be 1-16 upper-case letters, digits or . ^ = -').optional(),
});

/**
 * Parses `URLSearchParams` with `schema`, allowing only `allowed` keys.
 * @throws {ParamError} listing every problem (`from: "x" is not a time …; unknown parameter "foo"`).
 */
export function parseParams<S extends z.ZodType>(schema: S, params: URLSearchParams, allowed: readonly string[]): z.output<S> {
  const unknown = [...params.keys()].filter((k) => !allowed.includes(k));
  const raw: Record<string, string> = {};
  for (const [k, v] of params) raw[k] = v;
  const r = schema.safeParse(raw);
  const problems = [
    ...unknown.map((k) => `unknown parameter "${k}" (allowed: ${allowed.join(', ')})`),
    ...(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || 'parameters'}: ${i.message}`)),
  ];
  if (problems.length > 0) throw new ParamError(problems.join('; '));
  return (r as { data: z.output<S> }).data;
}

/** A request parameter is invalid; the server answers 400 with this message. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}
