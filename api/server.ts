// Runs the API on a port: the app, its dependencies, a graceful stop (stop accepting, let requests
// and streams finish within a bound, close the stores).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientConfig } from '../core/config.ts';
import { createApiApp, type ApiApp } from './app.ts';
import { createApiDeps, type ApiDeps, type ApiDepsOverrides } from './apiDeps.ts';

const STOP_GRACE_MS = 10_000;

export interface RunningApi {
  url: string;
  deps: ApiDeps;
  api: ApiApp;
  stop(): Promise<void>;
}

export async function startApi(
  config: ClientConfig,
  overrides: ApiDepsOverrides & { port?: number } = {},
): Promise<RunningApi> {
  const deps = await createApiDeps(config, overrides);
  const api = createApiApp(deps);
  const server: Server = await new Promise((resolve, reject) => {
    const listening = api.app.listen(overrides.port ?? config.api.port, config.api.host, () =>
      resolve(listening),
    );
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.api.host}:${port}`,
    deps,
    api,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
      await closed;
      clearTimeout(timer);
      await deps.close();
    },
  };
}
