/**
 * Public API of the market-ticks generator.
 *
 * @module generators/ticks
 */
export { formatTick, fromTicks, roundToTick, tickDecimals, type Tick } from './format.js';
export {
  intradayVolumeShape,
  isValidTimeZone,
  SessionClock,
  SESSION_MINUTES,
  SESSION_OPEN_MINUTE,
  zonedTimeToUtc,
  zoneOffsetMs,
} from './session.js';
export {
  createLiveTickGenerator,
  defaultSymbols,
  instrumentFor,
  LIVE_DRIFT,
  OFF_SESSION_VOLUME,
  SESSION_SECONDS,
  SYMBOL_PATTERN,
  TRADING_SECONDS_PER_YEAR,
  type Instrument,
  type LiveTickGenerator,
  type LiveTickOptions,
} from './live.js';
export { CandleError, parseCandlesCsv, readCandlesFile, selectCandles, type Candle, type CandleSelection } from './candles.js';
export {
  allocateInteger,
  createFanOutGenerator,
  defaultTimeZone,
  fanOutDay,
  FANOUT_SUB_STEPS,
  TICKS_PER_DAY,
  type FanOutGenerator,
  type FanOutGeneratorOptions,
  type FanOutOptions,
} from './fanout.js';
export { ticksCommand, parseSymbols, parseDay, TICKS_DEFAULT_RATE, TICKS_DEFAULT_SYMBOL_COUNT } from './command.js';
