/**
 * Durations and byte sizes as written in the config file: a plain number is milliseconds (bytes), a
 * string carries its unit, as Filebeat's and Vector's settings do (`30s`, `24h`, `64MiB`).
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration: a number of ms (an integer ≥ 0), or a string `<number><unit>` with unit
 * `ms`, `s`, `m`, `h` or `d` (`"500ms"`, `"30s"`, `"5m"`, `"24h"`, `"7d"`, `"1.5h"`); a bare numeric string
 * is ms too.
 * @throws Error saying what is expected when the value is none of these.
 */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new Error(`bad duration ${value}: expected whole milliseconds ≥ 0, or a string such as "500ms", "30s", "5m", "24h", "7d"`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) throw new Error(`bad duration "${value}": expected a number of milliseconds or a number with a unit ms, s, m, h or d (e.g. "30s", "24h")`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']!;
  if (!Number.isFinite(ms) || !Number.isInteger(Math.round(ms))) throw new Error(`bad duration "${value}"`);
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Bytes of a size: a number of bytes (an integer ≥ 0), or a string `<number><unit>` with unit `B`,
 * `KB`/`MB`/`GB` (powers of 1000) or `KiB`/`MiB`/`GiB` (powers of 1024), case-insensitive (`"64MiB"`).
 * @throws Error saying what is expected.
 */
export function parseByteSize(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new Error(`bad size ${value}: expected whole bytes ≥ 0, or a string such as "512KiB", "64MiB"`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(value);
  const unit = SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()];
  if (!m || unit === undefined) throw new Error(`bad size "${value}": expected a number of bytes or a number with a unit B, KB, MB, GB, KiB, MiB or GiB (e.g. "64MiB")`);
  return Math.round(Number(m[1]) * unit);
}
