// Graceful shutdown: on SIGTERM/SIGINT run the registered closers once (newest first), then exit.
// A second signal while closing exits at once.
const closers: Array<() => Promise<void>> = [];
let shuttingDown = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) process.exit(130);
  shuttingDown = true;
  let code = 0;
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      console.error(`error during shutdown (${signal}):`, error instanceof Error ? error.message : error);
      code = 1;
    }
  }
  process.exit(code);
}

export function onShutdown(close: () => Promise<void>): void {
  if (closers.length === 0) {
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  }
  closers.push(close);
}
