/**
 * Fan-out of the REAL Hang Seng daily candles (`data/samples/market/hsi_daily.csv`, read-only)
 * into one-minute ticks, end to end through `generate ticks --from-candles`: over the whole file,
 * every day gives 390 ticks stamped 09:30–15:59 Hong Kong time that open at the day's open, close at
 * its close, reach exactly its high and low and never leave them, and whose integer volumes sum
 * exactly to the day's volume. Prices are compared after rounding the candle to the 0.01 tick
 * (`toFixed(2)`, independent of the generator's rounding).
 *
 * The candle file is parsed here independently of the generator's parser.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from '@jest/globals';
import { allocateInteger, CandleError, parseCandlesCsv, type Tick } from '../../generators/ticks/index.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const HSI = path.resolve(root, 'data/samples/market/hsi_daily.csv');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ticks-fanout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Day {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Independent reading of the CSV: Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD. */
const days: Day[] = readFileSync(HSI, 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const f = l.split(',');
    const r2 = (s: string | undefined): number => Number(Number(s).toFixed(2));
    return { date: f[1] as string, open: r2(f[2]), high: r2(f[3]), low: r2(f[4]), close: r2(f[5]), volume: Number(f[7]) };
  });

function generate(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'generators', 'cli.ts'), 'ticks', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function summaryOf(stderr: string): Record<string, unknown> {
  return JSON.parse(stderr.trim().split('\n').pop() as string) as Record<string, unknown>;
}

const HK_OFFSET_MS = 8 * 3_600_000; // Hong Kong: UTC+8 all year since 1980 (no DST)

/** Checks one day's ticks; returns the reasons it fails (empty when fine). */
function checkDay(day: Day, ticks: readonly Tick[]): string[] {
  const errs: string[] = [];
  const fail = (m: string): void => void errs.push(`${day.date}: ${m}`);
  if (ticks.length !== 390) return [`${day.date}: ${ticks.length} ticks`];
  const first = ticks[0] as Tick;
  const last = ticks[389] as Tick;
  if (first.open !== day.open) fail(`first open ${first.open} != ${day.open}`);
  if (last.close !== day.close) fail(`last close ${last.close} != ${day.close}`);
  let hi = -Infinity;
  let lo = Infinity;
  let vol = 0;
  ticks.forEach((t, i) => {
    const local = new Date(Date.parse(t['@timestamp']) + HK_OFFSET_MS).toISOString();
    const minute = 9 * 60 + 30 + i;
    const want = `${day.date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00.000Z`;
    if (local !== want) fail(`tick ${i} at ${local} local, want ${want}`);
    if (t.symbol !== 'HSI') fail(`symbol ${t.symbol}`);
    if (!(t.high >= Math.max(t.open, t.close) && t.low <= Math.min(t.open, t.close))) fail(`tick ${i} inconsistent`);
    if (t.low < day.low || t.high > day.high) fail(`tick ${i} outside [${day.low}, ${day.high}]`);
    if (i > 0 && t.open !== (ticks[i - 1] as Tick).close) fail(`tick ${i} does not open at the previous close`);
    for (const p of [t.open, t.high, t.low, t.close]) if (Number(p.toFixed(2)) !== p) fail(`tick ${i} price ${p} off the 0.01 grid`);
    if (!Number.isInteger(t.volume) || t.volume < 0) fail(`tick ${i} volume ${t.volume}`);
    if (day.volume === 0 && t.volume !== 0) fail(`tick ${i} volume ${t.volume} on a zero-volume day`);
    hi = Math.max(hi, t.high);
    lo = Math.min(lo, t.low);
    vol += t.volume;
  });
  if (hi !== day.high) fail(`max high ${hi} != ${day.high}`);
  if (lo !== day.low) fail(`min low ${lo} != ${day.low}`);
  if (vol !== day.volume) fail(`volume sum ${vol} != ${day.volume}`);
  return errs;
}

/** Streams a ticks file, grouping 390 lines per day in file order. */
async function* dayChunks(file: string): AsyncGenerator<Tick[]> {
  let chunk: Tick[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    chunk.push(JSON.parse(line) as Tick);
    if (chunk.length === 390) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

describe('fan-out of the real HSI candles', () => {
  const out = path.join(tmp, 'hsi-ticks.ndjson');

  it(
    'respects every day\'s open, high, low, close and volume over the whole file (390 ticks/day, 09:30-15:59 Hong Kong)',
    async () => {
      expect(days).toHaveLength(5693);
      const r = generate(['--from-candles', HSI, '--rate', '0', '--seed', '5', '--out', out, '--quiet']);
      expect(r.stderr).not.toContain('error');
      expect(r.status).toBe(0);
      expect(summaryOf(r.stderr)).toMatchObject({ generator: 'ticks', seed: 5, lines: 5693 * 390, stoppedBy: 'count' });
      const errors: string[] = [];
      let n = 0;
      let zeroVolumeDays = 0;
      let flatDays = 0;
      for await (const ticks of dayChunks(out)) {
        const day = days[n++] as Day;
        errors.push(...checkDay(day, ticks));
        if (day.volume === 0) zeroVolumeDays++;
        if (day.high === day.low) flatDays++;
      }
      expect(n).toBe(days.length);
      expect(errors.slice(0, 10)).toEqual([]);
      // The file's known traits are covered: zero volume until 2001-07-09, flat early days, the cut-short last row.
      expect(zeroVolumeDays).toBeGreaterThan(3000);
      expect(flatDays).toBeGreaterThan(500);
      expect(days[days.length - 1]).toMatchObject({ date: '2010-01-11', volume: 1744637600 });
      const hk = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Hong_Kong', timeZoneName: 'shortOffset' });
      for (const d of ['1986-12-31T12:00:00Z', '2010-01-11T12:00:00Z']) expect(hk.format(new Date(d))).toContain('GMT+8');
    },
    300_000,
  );

  it('gives the same ticks for a date range as the full run (days are independent), and --days limits it', () => {
    const r = generate(['--from-candles', HSI, '--rate', '0', '--seed', '5', '--from', '2008-10-01', '--to', '2008-10-31']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    const first = days.findIndex((d) => d.date >= '2008-10-01');
    const count = days.filter((d) => d.date >= '2008-10-01' && d.date <= '2008-10-31').length;
    expect(lines).toHaveLength(count * 390);
    const full = readFileSync(out, 'utf8').split('\n');
    expect(lines).toEqual(full.slice(first * 390, (first + count) * 390));
    const two = generate(['--from-candles', HSI, '--rate', '0', '--seed', '5', '--from', '2008-10-01', '--days', '2']);
    expect(two.stdout.split('\n').filter(Boolean)).toEqual(lines.slice(0, 780));
  });

  it('--rebase-to-now stamps the first tick now and keeps every gap (nights included)', () => {
    const before = Date.now();
    const r = generate(['--from-candles', HSI, '--rate', '0', '--seed', '5', '--from', '2008-10-01', '--days', '2', '--rebase-to-now']);
    const after = Date.now();
    const orig = generate(['--from-candles', HSI, '--rate', '0', '--seed', '5', '--from', '2008-10-01', '--days', '2']);
    const a = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Tick);
    const b = orig.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Tick);
    expect(a).toHaveLength(780);
    const t0 = Date.parse(a[0]?.['@timestamp'] as string);
    expect(t0).toBeGreaterThanOrEqual(before);
    expect(t0).toBeLessThanOrEqual(after);
    const shift = t0 - Date.parse(b[0]?.['@timestamp'] as string);
    a.forEach((t, i) => {
      const o = b[i] as Tick;
      expect(Date.parse(t['@timestamp']) - shift).toBe(Date.parse(o['@timestamp']));
      expect({ ...t, '@timestamp': '' }).toEqual({ ...o, '@timestamp': '' });
    });
  });

  it('stops with the file and line of a bad row (exit code 1)', () => {
    const bad = path.join(tmp, 'bad.csv');
    writeFileSync(
      bad,
      'Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD\n' +
        'HSI,2001-07-09,100,110,90,105,105,1000.0,1\n' +
        'HSI,2001-07-10,100,110,90,105,105,1000.0,1\n' +
        'HSI,2001-07-11,100,99,90,105,105,1000.0,1\n',
    );
    const r = generate(['--from-candles', bad, '--rate', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:4: High 99 is below max(Open 100, Close 105)`);
  });
});

describe('candle parsing and volume allocation', () => {
  it('is lenient about CRLF, a missing final newline and damaged ignored columns', () => {
    const c = parseCandlesCsv('Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD\r\nHSI,2010-01-08,1,2,0.5,1.5,1.5,10.0,2913.1\r\n\r\nHSI,2010-01-11,1,2,0.5,1.5,1.5,0.0,2913.', 'x.csv');
    expect(c.map((x) => [x.date, x.volume, x.line])).toEqual([
      ['2010-01-08', 10, 2],
      ['2010-01-11', 0, 4],
    ]);
  });

  it('names the line of a bad row', () => {
    const head = 'Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD\n';
    expect(() => parseCandlesCsv(head + 'HSI,2010-01-08,1,2,0.5,abc,1,10,1\n', 'x.csv')).toThrow(new CandleError('x.csv', 2, 'close "abc" is not a number'));
    expect(() => parseCandlesCsv(head + 'HSI,2010-02-30,1,2,0.5,1,1,10,1\n', 'x.csv')).toThrow(/x\.csv:2: Date/);
    expect(() => parseCandlesCsv(head + 'HSI,2010-01-08,1,2,0.5,1,1,10.5,1\n', 'x.csv')).toThrow(/x\.csv:2: Volume/);
    expect(() => parseCandlesCsv(head + 'HSI,2010-01-08,1,2,0.5,1,1,10,1\nHSI,2010-01-08,1,2,0.5,1,1,10,1\n', 'x.csv')).toThrow(/x\.csv:3: Date 2010-01-08 is not after/);
    expect(() => parseCandlesCsv('Date,Open\n', 'x.csv')).toThrow(/x\.csv:1: header has no "index" column/);
  });

  it('allocates integers that sum exactly', () => {
    expect(allocateInteger(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocateInteger(0, [1, 2])).toEqual([0, 0]);
    const w = Array.from({ length: 390 }, (_, i) => 1 + Math.sin(i));
    for (const total of [1, 389, 391, 9_799_120_000]) expect(allocateInteger(total, w).reduce((a, b) => a + b, 0)).toBe(total);
  });
});
