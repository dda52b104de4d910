/**
 * Resolves with the first SIGINT or SIGTERM: how a foreground command learns
 * to stop. Later signals are only reported: Node's default for a second one
 * would end the process in the middle of its clean-up, leaving the managed
 * influxd running without its owner and the journals unflushed.
 */
export function waitForSignal(onRepeat: (signal: NodeJS.Signals) => void = () => undefined): Promise<NodeJS.Signals> {
  return new Promise((res) => {
    let first: NodeJS.Signals | null = null;
    const handle = (signal: NodeJS.Signals) => {
      if (first) onRepeat(signal);
      else res((first = signal));
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  });
}
