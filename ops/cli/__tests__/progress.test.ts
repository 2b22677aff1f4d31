import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter } from '../progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

test('not a terminal: a line per 10%, no carriage returns', () => {
  const { writes, stream } = fakeStream(false);
  const progress = progressPrinter('offsets', stream);
  for (let done = 0n; done <= 100n; done += 1n) progress(done, 100n);
  progress.finish();
  assert.deepEqual(
    writes,
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `  ${p}% (${p}/100 offsets)\n`),
  );
});

test('a terminal: one bar redrawn in place, ended by finish', () => {
  const { writes, stream } = fakeStream(true);
  const progress = progressPrinter('offsets', stream);
  progress(0n, 4n);
  progress(0n, 4n);
  progress(4n, 4n);
  progress.finish();
  assert.equal(writes.length, 3);
  assert.ok(writes[0]!.startsWith('\r  [....'));
  assert.ok(writes[1]!.includes('100.0% 4/4'));
  assert.equal(writes[2], '\n');
});
