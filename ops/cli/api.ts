// npm run api: the HTTP API on PARLEY_API_PORT (default 3000) until SIGTERM/SIGINT.
import { loadConfig } from '../../core/config.ts';
import { logger } from '../../core/logger.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { startApi } from '../../api/server.ts';
import { runCli } from './runCli.ts';

runCli(async (): Promise<number> => {
  const running = await startApi(loadConfig().clients);
  onShutdown(() => running.stop());
  logger.info({ url: running.url, openapi: `${running.url}/openapi.json` }, 'API listening');
  return new Promise<number>(() => undefined); // until a signal: onShutdown exits the process
});
