/**
 * What a configured format costs per record: the full path (decode, validate, enrich, `_id`, `_bulk`
 * bytes) over the same events once as combined lines and once as lines of `format`, each batch through
 * both back to back (`pairedCpu`), CPU time of this process. The custom lines are rendered from the
 * combined ones: the combined fields keep their values, the extra variables get realistic values
 * (an X-Forwarded-For chain through a trusted proxy, timings, a request id, an upstream address).
 */
import { createHash } from 'node:crypto';
import type { EnrichContext } from '../../processor/datasets/types.js';
import { decodeAccessLine } from '../../processor/datasets/weblogs/decode.js';
import { apacheFormatText, nginxFormatText } from '../../processor/datasets/weblogs/formats/index.js';
import { tokenizeApache, tokenizeNginx, type Token } from '../../processor/datasets/weblogs/formats/compile.js';
import { registerInputs } from '../../processor/inputs/settings.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';
import { encodeBulkBody } from '../../processor/sinks/elasticsearch-sink.js';
import { pairedCpu } from './per-record.js';

/**
 * The combined format written as an nginx `log_format`: the same fields as the built-in combined path,
 * read by the compiled parser, so the ratio is the compiled parser's own cost (issue 18's "as fast as
 * today's combined path").
 */
export const COMBINED_AS_NGINX = 'nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** nginx's `main` with the seven variables most sites add: X-Forwarded-For, the request time, two upstream timings (connect, response), the upstream address and status, and the request id. */
export const BENCH_FORMAT =
  'nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
  '"$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" ua="$upstream_addr" us=$upstream_status rid=$request_id';

/** Per-record cost of a format against combined, measured in pairs. */
export interface FormatBenchResult {
  format: string;
  /** Variables of the format beyond the combined format's. */
  extraVariables: number;
  combinedPerSec: number;
  formatPerSec: number;
  /** CPU of the format's path ÷ CPU of the combined path over all pairs (1.0: the same cost). */
  costRatio: number;
  /** CPU microseconds per record of the combined path, all rounds. */
  combinedMicros: number;
  /** CPU microseconds per record of the format's path, all rounds. */
  formatMicros: number;
  /** `_bulk` bytes per document of the combined path (action line included). */
  combinedBulkBytes: number;
  /** `_bulk` bytes per document of the format's path (more fields, longer documents). */
  formatBulkBytes: number;
  /** Documents of the format's lines that were dead-lettered (should be 0). */
  rejected: number;
  pairs: number;
}

const COMBINED_VARIABLES = new Set(['remote_addr', 'remote_user', 'time_local', 'request', 'status', 'body_bytes_sent', 'http_referer', 'http_user_agent', 'h', 'l', 'u', 't', 'r', 's', 'b', 'Refereri', 'User-Agenti', 'User-agenti']);

/** One combined line written in `tokens`' format (values of variables outside combined are made up, deterministic per line). */
export function render(tokens: Token[], raw: string, n: number): string {
  const d = decodeAccessLine(raw);
  const h = createHash('sha1').update(`${n}`).digest('hex');
  const ms = (k: number): string => (((parseInt(h.slice(k, k + 3), 16) % 900) + 1) / 1000).toFixed(3);
  const quoted = (s: string | undefined): string => (s === undefined ? '-' : s.replace(/\\/g, '\\x5C').replace(/"/g, '\\x22'));
  // Behind a proxy (the format logs X-Forwarded-For) the peer address is the proxy's; otherwise the client's own.
  const behindProxy = tokens.some((t) => t.kind === 'variable' && t.target === 'forwarded_for');
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') {
      out += t.text;
      continue;
    }
    switch (t.target) {
      case 'client': out += behindProxy ? '10.0.0.5' : d.client; break;
      case 'user': out += d.user ?? '-'; break;
      case 'ident': out += '-'; break;
      case 'time.clf': out += t.time ? `[${d.time}]` : d.time; break;
      case 'request': out += quoted(d.request); break;
      case 'status': out += String(d.status); break;
      case 'bytes.body': out += String(d.bytes); break;
      case 'referrer': out += quoted(d.referrer); break;
      case 'user_agent': out += quoted(d.userAgent); break;
      case 'forwarded_for': out += `${d.client}, 10.0.0.7`; break;
      case 'duration.s': out += ms(0); break;
      case 'duration.us': out += String(parseInt(h.slice(0, 5), 16)); break;
      case 'upstream.connect': out += ms(3); break;
      case 'upstream.header': out += ms(6); break;
      case 'upstream.response': out += ms(9); break;
      case 'upstream.address': out += `10.0.1.${parseInt(h.slice(12, 14), 16)}:8080`; break;
      case 'upstream.status': out += String(d.status); break;
      case 'request_id': out += h.slice(0, 32); break;
      case 'server.domain': case 'host': out += 'www.example.org'; break;
      case 'server.port': out += '443'; break;
      default: out += 'x'; break;
    }
  }
  return out;
}

/**
 * Runs the comparison over `records` (combined weblogs lines) in batches of `batchSize`.
 * @throws FormatError when `format` is not an `nginx:`/`apache:` format.
 */
export function formatBench(records: SourceRecord[], ctx: EnrichContext, batchSize: number, format = BENCH_FORMAT, rounds = 3): FormatBenchResult {
  const tokens = format.startsWith('apache:') ? tokenizeApache(apacheFormatText(format.slice(7))) : tokenizeNginx(nginxFormatText(format.replace(/^nginx:/, '')).text);
  const extraVariables = tokens.filter((t) => t.kind === 'variable' && !COMBINED_VARIABLES.has(t.name)).length;
  // Both sides come through an input, as every file record does in the processor (same record shape).
  registerInputs([
    { id: 'bench-combined', dataset: 'weblogs', paths: [] },
    { id: 'bench-format', dataset: 'weblogs', paths: [], format, trustedProxies: ['10.0.0.0/8'] },
  ]);
  const combined: SourceRecord[] = records.map((r) => ({ ...r, input: 'bench-combined', id: undefined }));
  const custom: SourceRecord[] = records.map((r, n) => ({ ...r, raw: render(tokens, r.raw, n), input: 'bench-format', id: undefined }));
  const bytes = { combined: 0, format: 0 };
  let rejected = 0;
  let bodyBuffer: Buffer = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  const full = (batch: SourceRecord[]): void => {
    const { docs, deadLetters } = transformBatch(batch, ctx, 'bench');
    const side = batch[0]?.input === 'bench-format' ? 'format' : 'combined';
    if (side === 'format') rejected += deadLetters.length;
    const { body, grown } = encodeBulkBody(docs, docs.map((_, k) => k), bodyBuffer);
    bodyBuffer = grown;
    bytes[side] += body.length;
  };
  const pairs: (readonly [SourceRecord[], SourceRecord[]])[] = [];
  for (let i = 0; i < records.length; i += batchSize) pairs.push([combined.slice(i, i + batchSize), custom.slice(i, i + batchSize)]);
  full(combined.slice(0, 2000));
  full(custom.slice(0, 2000));
  rejected = 0;
  bytes.combined = bytes.format = 0;
  const p = pairedCpu(pairs, full, full, rounds);
  const runs = records.length * rounds;
  return {
    format,
    extraVariables,
    combinedPerSec: records.length / p.bestA,
    formatPerSec: records.length / p.bestB,
    costRatio: p.totalB / p.totalA,
    combinedMicros: (p.totalA / runs) * 1e6,
    formatMicros: (p.totalB / runs) * 1e6,
    combinedBulkBytes: bytes.combined / runs,
    formatBulkBytes: bytes.format / runs,
    rejected: rejected / rounds,
    pairs: p.pairs,
  };
}
