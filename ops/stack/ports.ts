// A port taken by something that is not ours must stop `up` with a clear message, and nothing killed.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

export async function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/** Best effort: "pid 123 (java)" for whoever listens on the port, from `ss`. */
export async function describePortOwner(port: number): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('ss', ['-Hltnp', `sport = :${port}`]);
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    return match ? `pid ${match[2]} (${match[1]})` : 'another process';
  } catch {
    return 'another process';
  }
}
