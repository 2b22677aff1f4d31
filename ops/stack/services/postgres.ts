// A project-owned PostgreSQL cluster (Debian's binaries, our data folder). PostgreSQL refuses to run
// as root, so under root it runs as the `postgres` system user the Debian package creates.
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { run } from '../exec.ts';
import { exists } from '../install/cached.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';

async function binDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await exists(root)) ? (await readdir(root)).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, newest, 'bin');
}

interface RunAs {
  uid?: number;
  gid?: number;
}

async function serverUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const out = await run(['id', '-u', 'postgres']);
  const gid = await run(['id', '-g', 'postgres']);
  return { uid: Number(out.trim()), gid: Number(gid.trim()) };
}

/** The server user must be able to reach its data folder through every parent (search bit only). */
async function ensureTraversable(path: string): Promise<void> {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
  }
}

const maintenanceUrl = (ctx: ServiceContext) => {
  const url = new URL(ctx.config.clients.postgresUrl);
  url.pathname = '/postgres';
  return url.toString();
};

export const postgres: ServiceDefinition = {
  name: 'postgres',
  apt: [{ path: '/usr/lib/postgresql', pkg: 'postgresql' }],
  startTimeoutMs: 60_000,
  stopGraceMs: 30_000,
  stopSignal: 'SIGINT', // "fast" shutdown; SIGTERM would wait for every client to disconnect
  ports: (ctx) => [ctx.config.stack.PARLEY_POSTGRES_PORT],
  async prepare(ctx) {
    const s = ctx.config.stack;
    const dataDir = join(ctx.paths.data, 'postgres');
    const bin = await binDir();
    const user = await serverUser();
    if (!(await exists(join(dataDir, 'PG_VERSION')))) {
      ctx.log('postgres: initdb');
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      const pwFile = join(ctx.paths.run, 'postgres.pw');
      await mkdir(ctx.paths.run, { recursive: true });
      await writeFile(pwFile, `${s.PARLEY_POSTGRES_PASSWORD}\n`, { mode: 0o600 });
      if (user.uid !== undefined && user.gid !== undefined) {
        await ensureTraversable(dataDir);
        await chown(dataDir, user.uid, user.gid);
        await chown(pwFile, user.uid, user.gid);
      }
      try {
        await run(
          [
            join(bin, 'initdb'),
            '-D',
            dataDir,
            '-U',
            s.PARLEY_POSTGRES_USER,
            '--auth=scram-sha-256',
            `--pwfile=${pwFile}`,
            '-E',
            'UTF8',
            '--locale=C',
          ],
          user,
        );
      } finally {
        await rm(pwFile, { force: true });
      }
    } else if (user.uid !== undefined) {
      await ensureTraversable(dataDir);
    }
    return {
      command: [
        join(bin, 'postgres'),
        '-D',
        dataDir,
        '-c',
        `listen_addresses=${s.PARLEY_HOST}`,
        '-c',
        `port=${s.PARLEY_POSTGRES_PORT}`,
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        '-c',
        'wal_level=logical',
        '-c',
        'shared_buffers=128MB',
      ],
      ...user,
    };
  },
  async probe(ctx) {
    const client = new pg.Client({ connectionString: maintenanceUrl(ctx) });
    await client.connect();
    try {
      await client.query('SELECT 1');
    } finally {
      await client.end();
    }
  },
  async afterStart(ctx) {
    const client = new pg.Client({ connectionString: maintenanceUrl(ctx) });
    await client.connect();
    try {
      const db = ctx.config.stack.PARLEY_POSTGRES_DB;
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(db)}`);
    } finally {
      await client.end();
    }
  },
  endpoints: (ctx) => {
    const url = new URL(ctx.config.clients.postgresUrl);
    url.password = '***';
    return [{ label: 'url', value: url.toString() }];
  },
};
