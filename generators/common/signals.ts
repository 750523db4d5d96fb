/**
 * Graceful stop on SIGINT/SIGTERM for the command-line tools (generators, replay): the first signal
 * aborts `controller` so the run flushes its output and prints its summary; a second one exits at
 * once with status 130 (128 + SIGINT, the shell convention), without flushing.
 *
 * @returns a function that removes the handlers again.
 */
export function abortOnSignals(controller: AbortController): () => void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`\n${sig} again: exiting without flushing\n`);
      process.exit(130);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
