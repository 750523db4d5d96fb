import { z } from 'zod';
import type { DecodedAccessLine } from './decode.js';

const TIME_MESSAGE = 'unparseable time (expected dd/Mon/yyyy:HH:mm:ss ±hhmm)';
const METHOD_MESSAGE = 'HTTP method must be an upper-case token';
// RFC 9110 §15: status codes are three digits, 100–599.
const STATUS_MESSAGE = 'status code must be 100-599';
const METHOD = /^[A-Z][A-Z_-]{0,19}$/;
const ZONE = /^[+-]\d{2}:\d{2}$/;

/**
 * What a decoded access-log line must satisfy before enrichment: the declared contract, as a zod
 * schema. The pipeline runs the equivalent hand-written `validateAccessLine` (same rules, same
 * messages; a unit test checks that the two agree) because zod cost as much per record as the decoder.
 */
export const accessLineSchema = z.object({
  client: z.string().min(1).max(255),
  ident: z.string().optional(),
  user: z.string().max(255).optional(),
  time: z.string(),
  timestamp: z.date({ error: TIME_MESSAGE }),
  timestampIso: z.string(),
  timezone: z.string().regex(ZONE),
  request: z.string(),
  method: z.string().regex(METHOD, METHOD_MESSAGE).optional(),
  target: z.string().optional(),
  httpVersion: z.string().optional(),
  status: z
    .number({ error: (iss) => (iss.code === 'invalid_type' ? 'status code missing' : undefined) })
    .int()
    .min(100, STATUS_MESSAGE)
    .max(599, STATUS_MESSAGE),
  // NaN: a configured format without a body size (then `http.response.body.bytes` is absent).
  bytes: z.union([z.nan(), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]),
  referrer: z.string().optional(),
  userAgent: z.string().optional(),
  userAgentTruncated: z.boolean(),
  nonUtf8Escapes: z.boolean(),
  extra: z
    .object({
      peer: z.string().optional(),
      sourcePort: z.number().int().min(0).max(65535).optional(),
      forwardedFor: z.array(z.string()).optional(),
      realIp: z.string().optional(),
      host: z.string().optional(),
      serverDomain: z.string().optional(),
      serverIp: z.string().optional(),
      serverPort: z.number().int().min(0).max(65535).optional(),
      scheme: z.string().optional(),
      durationNs: z.number().nonnegative().optional(),
      upstream: z
        .object({
          address: z.array(z.string()).optional(),
          statusCode: z.array(z.number().int()).optional(),
          connectNs: z.number().nonnegative().optional(),
          headerNs: z.number().nonnegative().optional(),
          responseNs: z.number().nonnegative().optional(),
          cacheStatus: z.string().optional(),
        })
        .optional(),
      requestId: z.string().optional(),
      requestBytes: z.number().int().nonnegative().optional(),
      responseBytes: z.number().int().nonnegative().optional(),
      tlsProtocol: z.string().optional(),
      tlsCipher: z.string().optional(),
      pid: z.number().int().nonnegative().optional(),
      tid: z.number().int().nonnegative().optional(),
      responseMimeType: z.string().optional(),
      requestMimeType: z.string().optional(),
      variables: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/** A validated access-log line. */
export type AccessLine = z.infer<typeof accessLineSchema>;

/**
 * `accessLineSchema`'s rules, checked by hand on a line from `decodeAccessLine` (whose types already
 * hold by construction). Returns the dead-letter reason (`path: message`, issues joined by `; `, in
 * the schema's field order, as the zod path would report them), or `undefined` when the line is valid.
 */
export function validateAccessLine(d: DecodedAccessLine): string | undefined {
  // Issues are collected in an array only when there is one (no closure per call: this is the hot path).
  let issues: string[] | undefined;
  if (d.client.length < 1 || d.client.length > 255) (issues ??= []).push('client: client address must be 1-255 characters');
  if (d.user !== undefined && d.user.length > 255) (issues ??= []).push('user: user name must be at most 255 characters');
  if (d.timestampIso === '' && Number.isNaN(d.timestamp.getTime())) (issues ??= []).push(`timestamp: ${TIME_MESSAGE}`);
  if (d.timezone.length !== 6 || !ZONE.test(d.timezone)) (issues ??= []).push('timezone: time zone must be ±hh:mm');
  if (d.method !== undefined && !METHOD.test(d.method)) (issues ??= []).push(`method: ${METHOD_MESSAGE}`);
  if (Number.isNaN(d.status)) (issues ??= []).push('status: status code missing');
  else if (!Number.isInteger(d.status) || d.status < 100 || d.status > 599) (issues ??= []).push(`status: ${STATUS_MESSAGE}`);
  if ((!Number.isSafeInteger(d.bytes) || d.bytes < 0) && !Number.isNaN(d.bytes)) (issues ??= []).push('bytes: byte count must be a non-negative safe integer');
  return issues?.join('; ');
}
