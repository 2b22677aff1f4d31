// A project-owned Redis (Debian's redis-server) with append-only persistence in our data folder.
// No RDB snapshots besides the AOF: a snapshot forks the server and writes its whole memory, which
// under steady writes (sessions, rate limits, token streams) every minute stalled requests by
// 50–150 ms (`npm run bench -- api`); the AOF (fsync every second) already keeps sessions.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedis } from '../../../core/clients.ts';
import type { ServiceDefinition } from '../service.ts';

export const redis: ServiceDefinition = {
  name: 'redis',
  apt: [{ path: '/usr/bin/redis-server', pkg: 'redis-server' }],
  startTimeoutMs: 30_000,
  stopGraceMs: 15_000,
  ports: (ctx) => [ctx.config.stack.PARLEY_REDIS_PORT],
  async prepare(ctx) {
    const s = ctx.config.stack;
    const dataDir = join(ctx.paths.data, 'redis');
    await mkdir(dataDir, { recursive: true });
    return {
      command: [
        '/usr/bin/redis-server',
        '--bind',
        s.PARLEY_HOST,
        '--port',
        String(s.PARLEY_REDIS_PORT),
        '--dir',
        dataDir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
    };
  },
  async probe(ctx) {
    const client = createRedis(ctx.config.clients);
    client.on('error', () => undefined); // connect() rejects with the same error: not "unhandled"
    try {
      await client.connect();
      const pong = await client.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
    } finally {
      client.disconnect();
    }
  },
  endpoints: (ctx) => [{ label: 'url', value: ctx.config.clients.redisUrl }],
};
