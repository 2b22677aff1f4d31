import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCompleteness, isComplete } from './completeness.ts';
import { reasons } from './exportFilter.ts';
import { promptFeedback } from './feedback.fixture.ts';
import { openaiSft } from './formats/openaiSft.ts';

const records = promptFeedback({
  prompt: 'p',
  answers: [
    { answer: 'a', rating: 'THUMBS_UP' },
    { answer: 'b', rating: 'THUMBS_UP' },
    { answer: 'c', rating: 'THUMBS_DOWN' },
  ],
});
const [, b, c] = records.map((r) => r.message_id) as [string, string, string];

test('a complete export accounts for every live record', () => {
  const report = checkCompleteness(openaiSft, records, openaiSft.lines(records, {}), {});
  assert.ok(isComplete(report));
  assert.deepEqual(
    { lines: report.lines, live: report.live, inWindow: report.inWindow, exported: report.exported },
    { lines: 2, live: 3, inWindow: 3, exported: 2 },
  );
  assert.deepEqual(Object.fromEntries(report.leftOut), { [reasons.negativeNotSft]: [c] });
});

test('a record in no line and with no reason is caught as left out for no known reason', () => {
  const lost = openaiSft.lines(records, {}).filter((line) => !line.sources.includes(b));
  const report = checkCompleteness(openaiSft, records, lost, {});
  assert.ok(!isComplete(report));
  assert.deepEqual(report.unexplained, [b]);
});

test('a record in a line despite a reason against it is caught too', () => {
  const extra = [...openaiSft.lines(records, {}), { example: {}, sources: [c] }];
  const report = checkCompleteness(openaiSft, records, extra, {});
  assert.ok(!isComplete(report));
  assert.deepEqual(report.unexpected, [{ messageId: c, reason: reasons.negativeNotSft }]);
  assert.equal(report.exported, 3);
});
