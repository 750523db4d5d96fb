/**
 * Shared helpers for the generator tests: a strict combined-log-format parser
 * written independently of the generator's formatter, and small utilities.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createWeblogGenerator, type WeblogGeneratorOptions } from '../../generators/weblogs/index.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Strict Apache/nginx combined format (mod_log_config
 * `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`) as this generator
 * emits it: UTC timestamps, `%l` always `-`, bytes `-` or a positive integer,
 * no escaped characters in quoted fields.
 */
export const COMBINED_RE =
  /^(?<host>[0-9a-f.:]+) - (?<user>-|[a-z0-9._-]+) \[(?<day>\d{2})\/(?<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(?<year>\d{4}):(?<hh>\d{2}):(?<mm>\d{2}):(?<ss>\d{2}) \+0000\] "(?<method>GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH) (?<target>\/[^\s"]*) (?<protocol>HTTP\/1\.0|HTTP\/1\.1|HTTP\/2\.0)" (?<status>[1-5]\d\d) (?<bytes>-|[1-9]\d*) "(?<referrer>-|[^"\\\s][^"\\]*)" "(?<ua>[^"\\]+)"$/;

/** A parsed combined-format line. */
export interface ParsedLine {
  host: string;
  user: string | null;
  time: Date;
  method: string;
  target: string;
  protocol: string;
  status: number;
  bytes: number;
  referrer: string | null;
  ua: string;
}

/**
 * Parses one line strictly; returns null if it does not match {@link COMBINED_RE},
 * the host is not a valid IP, or the timestamp is not a real calendar instant.
 */
export function parseLine(line: string): ParsedLine | null {
  const m = COMBINED_RE.exec(line);
  const g = m?.groups;
  if (!g) return null;
  if (isIP(g.host as string) === 0) return null;
  const [y, mo, d, hh, mm, ss] = [Number(g.year), MONTHS.indexOf(g.mon as string), Number(g.day), Number(g.hh), Number(g.mm), Number(g.ss)];
  const time = new Date(Date.UTC(y, mo, d, hh, mm, ss));
  // Reject impossible dates such as 31/Feb (Date.UTC would roll them over).
  if (time.getUTCDate() !== d || time.getUTCMonth() !== mo || time.getUTCHours() !== hh || time.getUTCMinutes() !== mm || time.getUTCSeconds() !== ss) {
    return null;
  }
  return {
    host: g.host as string,
    user: g.user === '-' ? null : (g.user as string),
    time,
    method: g.method as string,
    target: g.target as string,
    protocol: g.protocol as string,
    status: Number(g.status),
    bytes: g.bytes === '-' ? 0 : Number(g.bytes),
    referrer: g.referrer === '-' ? null : (g.referrer as string),
    ua: g.ua as string,
  };
}

/** Default simulated start for deterministic tests. */
export const START = new Date('2025-06-01T00:00:00Z');

/**
 * Generates `n` lines with simulated event time `start + i * 1000 / rate` ms
 * (the same schedule as `simulatedClock`).
 */
export function generateLines(n: number, options: Partial<WeblogGeneratorOptions> & { seed: number }, rate = 100, start = START): string[] {
  const g = createWeblogGenerator({ start, ...options });
  const t0 = start.getTime();
  const out: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = g.next(new Date(t0 + Math.floor((i * 1000) / rate)));
  return out;
}

const created: string[] = [];

/** A fresh temporary directory under the OS temp dir (removed by {@link removeTempDirs}). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `gen-test-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir} in this test file. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Share of items satisfying `pred`. */
export function share<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let n = 0;
  for (const x of items) if (pred(x)) n++;
  return n / items.length;
}
