// The supervisor every stack process runs under (ops/stack/supervise.ts), with a stand-in command
// (a node one-liner) instead of a server: a killed process is started again and the restart logged;
// a stop ends both without a restart; a failure during the first start-up is reported, not retried.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { isAlive, launch, runningChild, stop, type ChildRecord } from '../process.ts';

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'parley-supervise-'))));
after(() => rm(dir, { recursive: true, force: true }));

const forever = [process.execPath, '-e', 'console.log("up"); setInterval(() => {}, 1000)'];

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('a killed process is started again, and the restart is logged', async () => {
  const log = join(dir, 'restarts.log');
  const supervisor = await launch(dir, 'restarts', log, { command: forever }, { startupGraceMs: 0 });
  const first = await eventually('the first child', () => runningChild(dir, 'restarts'));
  assert.equal(first.restarts, 0);
  process.kill(first.pid, 'SIGKILL');
  const second = await eventually<ChildRecord>('a restarted child', async () => {
    const child = await runningChild(dir, 'restarts');
    return child && child.pid !== first.pid ? child : undefined;
  });
  assert.equal(second.restarts, 1);
  assert.match(second.lastExit ?? '', /killed by SIGKILL/);
  assert.ok(await isAlive(supervisor), 'the supervisor keeps running');
  assert.match(await readFile(log, 'utf8'), /restarts killed by SIGKILL after [\d.]+ s: restart 1 in 1 s/);

  assert.equal(await stop(dir, 'restarts', 5_000), 'stopped');
  assert.equal(await isAlive(supervisor), false);
  assert.equal(await isAlive(second), false, 'the child stops with its supervisor');
  await sleep(1_500);
  assert.equal(await runningChild(dir, 'restarts'), undefined, 'nothing is started after a stop');
});

test('a process that fails during its first start-up is reported, not restarted', async () => {
  const log = join(dir, 'broken.log');
  const supervisor = await launch(dir, 'broken', log, {
    command: [process.execPath, '-e', 'console.error("bad config"); process.exit(3)'],
  });
  await eventually('the supervisor to give up', async () => ((await isAlive(supervisor)) ? undefined : true));
  const text = await readFile(log, 'utf8');
  assert.match(text, /bad config/);
  assert.match(text, /broken exited with code 3 after [\d.]+ s, during its first start-up: not restarted/);
  assert.equal((text.match(/bad config/g) ?? []).length, 1, 'started once');
});
