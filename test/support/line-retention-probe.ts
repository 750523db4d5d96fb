/**
 * Run as `PROBE_KIB=16 node --expose-gc --import tsx test/support/line-retention-probe.ts [--control]`:
 * transforms 3,000 access lines of a configured nginx format, each its own string of about `PROBE_KIB`
 * KiB (as the file reader makes them), with a different X-Forwarded-For chain, IPv6 client, upstream list and user agent on every line,
 * so every cache of the weblogs path (lists, clients, trusted proxies, GeoIP, user agents) stores one
 * entry per line. Prints `{"lines","lineBytes","retainedBytes"}`: heap still used after the documents
 * are dropped and two full collections, against before. With `--control` it also keeps a 20-character
 * `slice` of every line itself, which retains every line: the measurement's own check.
 */
import { createEnrichContext } from '../../processor/processor.js';
import { transformBatch } from '../../processor/pipeline/transform.js';
import { registerInputs } from '../../processor/inputs/settings.js';
import type { SourceRecord } from '../../processor/pipeline/types.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const control = process.argv.includes('--control');
const LINES = 3000;
registerInputs([
  {
    id: 'probe',
    dataset: 'weblogs',
    paths: [],
    trustedProxies: ['10.0.0.0/8'],
    format: 'nginx:$remote_addr [$time_local] "$request" $status "$http_user_agent" "$http_x_forwarded_for" "$upstream_addr"',
  },
]);
const ctx = await createEnrichContext();
const pad = 'a'.repeat(Number(process.env.PROBE_KIB ?? 16) * 1024);
const heapUsed = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const kept: string[] = [];
const before = heapUsed();
// In a function: a module's top-level locals (the last batch) would stay alive in its frame.
function transformAll(): number {
  let lineBytes = 0;
  for (let batch = 0; batch < LINES / 500; batch++) {
    const records: SourceRecord[] = [];
    for (let i = 0; i < 500; i++) {
      const n = batch * 500 + i;
      // Its own flat string, as the line splitter's Buffer.toString makes each line.
      const raw = Buffer.from(
        `10.0.0.5 [07/Dec/2026:06:18:16 +0000] "GET /${pad}?${n} HTTP/1.1" 200 "probe-agent/${n} (retention check)" ` +
          `"spoofed-by-client-${n}, 2001:db8::${n.toString(16)}:1, 10.0.0.7" "10.0.1.1:8080, backend-${n}.internal:8080"`,
      ).toString('utf8');
      lineBytes += raw.length;
      if (control) kept.push(raw.slice(0, 20));
      records.push({ dataset: 'weblogs', input: 'probe', raw, position: { kind: 'file', path: 'p', fileId: 'f', generation: 0, offset: n, nextOffset: n + 1 } });
    }
    const { docs, deadLetters } = transformBatch(records, ctx, 'default');
    if (deadLetters.length > 0 || docs.length !== 500) throw new Error(`probe lines not indexed: ${deadLetters[0]?.reason}`);
  }
  return lineBytes;
}
const lineBytes = transformAll();
const retainedBytes = heapUsed() - before;
process.stdout.write(JSON.stringify({ lines: LINES, lineBytes, retainedBytes, kept: kept.length }) + '\n');
