// Start-up failures must be loud and harmless. These run a second, throw-away stack (own folder, own
// port) so the shared one is untouched.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../paths.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function throwAwayStack(port: number) {
  const dir = await mkdtemp(join(tmpdir(), 'parley-stack-test-'));
  dirs.push(dir);
  const env = { ...process.env, PARLEY_STACK_DIR: dir, PARLEY_REDIS_PORT: String(port) };
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'ops/cli/stack.ts', ...args], {
      cwd: repoRoot,
      env,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
  return { dir, cli };
}

async function listen(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

test('a port taken by another process stops `up` with a clear message and kills nothing', async () => {
  const port = 36379;
  const squatter = await listen(port);
  try {
    const { cli } = await throwAwayStack(port);
    const result = await cli('up', 'redis');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`redis: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(result.stderr, /PARLEY_REDIS_PORT|environment variables/);
    assert.ok(squatter.listening, 'the other process still listens');
  } finally {
    squatter.close();
  }
});

test('a server that dies at start-up fails `up`, naming it and printing its log', async () => {
  const { dir, cli } = await throwAwayStack(36380);
  // A corrupt append-only manifest makes redis-server refuse to start.
  await mkdir(join(dir, 'data', 'redis', 'appendonlydir'), { recursive: true });
  await writeFile(join(dir, 'data', 'redis', 'appendonlydir', 'appendonly.aof.manifest'), 'not a manifest\n');
  const result = await cli('up', 'redis');
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /✗ redis: redis exited during start-up/);
  assert.match(result.stderr, /Last log lines/);
  assert.match(result.stderr, /manifest/i, 'the tail of redis-server’s own log is shown');
  await cli('down', 'redis');
});
