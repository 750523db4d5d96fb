import { EMA, SMA } from 'trading-signals';
import type { Tick } from './schema.js';

/** Moving-average length in ticks for `market.sma_20` and `market.ema_20`. */
export const MA_PERIOD = 20;

/** Indicator fields for one tick; absent while an indicator is still warming up. */
export interface TickIndicators {
  /** Close-to-close return against the symbol's previous tick: simple (c/p − 1) and log (ln c/p). */
  return?: { simple: number; log: number };
  /** Session VWAP: Σ(typical price × volume) / Σ volume since the first tick of the UTC day. */
  vwap?: number;
  sma_20?: number;
  ema_20?: number;
  /** The tick is older than the symbol's latest: indicators were not updated with it. */
  outOfOrder: boolean;
}

interface SymbolState {
  lastTime: number;
  prevClose: number;
  sessionDay: string;
  pv: number;
  volume: number;
  sma: SMA;
  ema: EMA;
}

/**
 * Per-symbol indicator state (returns, session VWAP, SMA/EMA from `trading-signals`). State lives in
 * the processor's memory: after a restart the averages warm up again over `MA_PERIOD` ticks. With
 * Kafka, ticks are keyed by symbol, so one partition (one consumer) sees all of a symbol's ticks in order.
 */
export class IndicatorBook {
  private readonly symbols = new Map<string, SymbolState>();

  /** Updates the symbol's state with `tick` and returns its indicator fields. */
  update(tick: Tick): TickIndicators {
    const t = tick['@timestamp'].getTime();
    const day = tick['@timestamp'].toISOString().slice(0, 10);
    let s = this.symbols.get(tick.symbol);
    if (s && t < s.lastTime) return { outOfOrder: true };
    const out: TickIndicators = { outOfOrder: false };
    if (!s) {
      s = { lastTime: t, prevClose: tick.close, sessionDay: day, pv: 0, volume: 0, sma: new SMA(MA_PERIOD), ema: new EMA(MA_PERIOD) };
      this.symbols.set(tick.symbol, s);
    } else {
      out.return = { simple: round(tick.close / s.prevClose - 1), log: round(Math.log(tick.close / s.prevClose)) };
    }
    if (s.sessionDay !== day) {
      s.sessionDay = day;
      s.pv = 0;
      s.volume = 0;
    }
    // Typical price (H+L+C)/3 weights the tick's range, the usual VWAP input for bar data.
    s.pv += ((tick.high + tick.low + tick.close) / 3) * tick.volume;
    s.volume += tick.volume;
    if (s.volume > 0) out.vwap = round(s.pv / s.volume);
    const sma = s.sma.add(tick.close);
    const ema = s.ema.add(tick.close);
    if (sma !== null && s.sma.isStable) out.sma_20 = round(sma);
    if (ema !== null && s.ema.isStable) out.ema_20 = round(ema);
    s.lastTime = t;
    s.prevClose = tick.close;
    return out;
  }

  /** Symbols tracked. */
  get size(): number {
    return this.symbols.size;
  }
}

/** 8 significant decimals: enough for prices and returns, stable in golden files. */
function round(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}
