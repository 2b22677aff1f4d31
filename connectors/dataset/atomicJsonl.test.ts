import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeJsonlAtomically } from './atomicJsonl.ts';

test('writes one line per entry, replaces the old file whole, and leaves no temporary file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'sub', 'out.jsonl');
  await writeJsonlAtomically(path, ['{"a":1}', '{"b":"é"}']);
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"b":"é"}\n');
  const many = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(40) }));
  await writeJsonlAtomically(path, many);
  assert.equal(await readFile(path, 'utf8'), `${many.join('\n')}\n`);
  await writeJsonlAtomically(path, []);
  assert.equal(await readFile(path, 'utf8'), '');
  assert.deepEqual(await readdir(join(dir, 'sub')), ['out.jsonl']);
});

test('a failed write leaves the previous file as it was', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jsonl-'));
  const path = join(dir, 'out.jsonl');
  await writeFile(path, 'old\n');
  // A directory in the way of the rename: the write fails after the temporary file is complete.
  const blocked = join(dir, 'blocked.jsonl');
  await writeJsonlAtomically(join(blocked, 'x.jsonl'), ['{}']);
  await assert.rejects(writeJsonlAtomically(blocked, ['{}']));
  assert.equal(await readFile(path, 'utf8'), 'old\n');
  assert.deepEqual((await readdir(dir)).sort(), ['blocked.jsonl', 'out.jsonl']);
});
