/** Resolves with the first SIGINT or SIGTERM: how a foreground command learns to stop. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((res) => {
    process.once('SIGINT', () => res('SIGINT'));
    process.once('SIGTERM', () => res('SIGTERM'));
  });
}
