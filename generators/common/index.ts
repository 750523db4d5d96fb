/**
 * Shared building blocks of all generators: seeded randomness, pacing, event
 * clocks, output writers and the run loop.
 *
 * @module generators/common
 */
export { createRandom, randomSeed, weightedTable, fnv1a32, MAX_SEED, type SeededRandom, type WeightedTable } from './random.js';
export { Pacer, type PacerOptions } from './pacer.js';
export { simulatedClock, wallClock, UNPACED_SIMULATED_STEP_MS, type EventClock } from './clock.js';
export {
  AppendFileWriter,
  BatchDirWriter,
  StreamWriter,
  compactUtcStamp,
  createWriter,
  type AppendFileWriterOptions,
  type BatchDirWriterOptions,
  type LineWriter,
  type OutputOptions,
  type StreamWriterOptions,
} from './writers.js';
export { runGenerator, type LineGenerator, type RunOptions, type RunProgress, type RunSummary, type StopReason } from './run.js';
export { MinHeap } from './heap.js';
