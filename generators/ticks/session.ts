/**
 * Trading-session helpers: wall-clock time in an exchange's time zone (IANA names through
 * `Intl.DateTimeFormat`, so daylight saving time follows the tz database Node ships), the regular
 * session 09:30–16:00 local (390 one-minute bars, the NYSE/Nasdaq core session), and the intraday
 * U-shape of traded volume.
 *
 * @module generators/ticks/session
 */

/** Session open, minutes after local midnight (09:30). */
export const SESSION_OPEN_MINUTE = 9 * 60 + 30;
/** Session length in minutes (09:30–16:00 = 390). */
export const SESSION_MINUTES = 390;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True if `timeZone` is an IANA zone name this Node.js knows (e.g. `Asia/Hong_Kong`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offset of `timeZone` from UTC at `instantMs`, in ms (local = UTC + offset; +8 h for Hong Kong).
 * @throws {RangeError} for an unknown zone.
 */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The UTC instant (epoch ms) of local wall-clock time `y-m-d h:min` in `timeZone` (`m` 1-based).
 * For a wall time skipped by a DST change the result is shifted by the gap; session times (09:30–16:00)
 * are never affected, since zones change at night.
 * @throws {RangeError} for an unknown zone.
 */
export function zonedTimeToUtc(y: number, m: number, d: number, h: number, min: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d, h, min);
  const off1 = zoneOffsetMs(timeZone, guess - zoneOffsetMs(timeZone, guess));
  return guess - off1;
}

/**
 * Relative traded volume at a point of the session, `x` in [0, 1] (0 = open, 1 = close):
 * `(1 + 3(2x−1)²) / 2`, a U whose mean over the session is 1, 4× higher at the open and close than at
 * midday. The U-shape of intraday volume is a classic empirical regularity (Jain & Joh 1988,
 * J. Financial and Quantitative Analysis 23(3); Admati & Pfleiderer 1988, Review of Financial
 * Studies 1(1)); the factor 4 is of the order seen in US equities.
 */
export function intradayVolumeShape(x: number): number {
  const u = 2 * x - 1;
  return (1 + 3 * u * u) / 2;
}

/**
 * Position in the local regular session of an instant, with caching by UTC hour (zone offsets only
 * change on whole hours in the zones used here).
 */
export class SessionClock {
  private cachedHour = Number.NaN;
  private cachedOffset = 0;

  /** @throws {RangeError} for an unknown zone. */
  constructor(readonly timeZone: string) {
    if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
  }

  /**
   * Session fraction in [0, 1) of `instantMs` when it falls in 09:30–16:00 local on a weekday, else
   * null (before/after the session, weekends; exchange holidays are not modelled).
   */
  sessionFraction(instantMs: number): number | null {
    const hour = Math.floor(instantMs / 3_600_000);
    if (hour !== this.cachedHour) {
      this.cachedHour = hour;
      this.cachedOffset = zoneOffsetMs(this.timeZone, instantMs);
    }
    const local = new Date(instantMs + this.cachedOffset);
    const dow = local.getUTCDay();
    if (dow === 0 || dow === 6) return null;
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60 + local.getUTCMilliseconds() / 60_000;
    const x = (minute - SESSION_OPEN_MINUTE) / SESSION_MINUTES;
    return x >= 0 && x < 1 ? x : null;
  }
}
