import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { buildDataset } from './buildDataset.ts';
import { reasons } from './exportFilter.ts';
import { promptFeedback, T0 } from './feedback.fixture.ts';
import type { FormatName } from './formats/index.ts';
import { InvalidLineError } from './lineValidator.ts';

const context = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello.' },
];

/** One prompt answered three times: liked, disliked, disliked; each record lists the others. */
const regenerated = promptFeedback({
  prompt: 'Capital of France?',
  context,
  answers: [
    { answer: 'Paris.', rating: 'THUMBS_UP' },
    { answer: 'Lyon.', rating: 'THUMBS_DOWN' },
    { answer: 'France has no capital.', rating: 'THUMBS_DOWN' },
  ],
});
const [paris, lyon, none] = regenerated as [FeedbackRecord, FeedbackRecord, FeedbackRecord];
/** A single answer, liked, with no regeneration: an SFT/KTO example but no pair. */
const [lonely] = promptFeedback({
  prompt: 'Say "hi"\nplease',
  answers: [{ answer: 'hi ✓', rating: 'THUMBS_UP' }],
}) as [FeedbackRecord];

const parsed = (format: FormatName, records: FeedbackRecord[], filter = {}) =>
  buildDataset(format, records, filter).lines.map((line) => JSON.parse(line) as Record<string, unknown>);

const leftOut = (format: FormatName, records: FeedbackRecord[], filter = {}) =>
  Object.fromEntries(buildDataset(format, records, filter).report.leftOut);

const history = [...context, { role: 'user', content: 'Capital of France?' }];

describe('openai-sft', () => {
  test('each liked answer is one conversation: context, prompt, answer', () => {
    assert.deepEqual(parsed('openai-sft', regenerated), [
      { messages: [...history, { role: 'assistant', content: 'Paris.' }] },
    ]);
  });

  test('disliked answers are left out with their reason', () => {
    assert.deepEqual(leftOut('openai-sft', regenerated), {
      [reasons.negativeNotSft]: [lyon.message_id, none.message_id],
    });
  });

  test('keys in the documented order, one object per line', () => {
    assert.equal(
      buildDataset('openai-sft', [lonely], {}).lines[0],
      '{"messages":[{"role":"user","content":"Say \\"hi\\"\\nplease"},{"role":"assistant","content":"hi ✓"}]}',
    );
  });
});

describe('openai-dpo', () => {
  test('one line per (preferred, non-preferred) combination, context carried', () => {
    assert.deepEqual(parsed('openai-dpo', regenerated), [
      {
        input: { messages: history },
        preferred_output: [{ role: 'assistant', content: 'Paris.' }],
        non_preferred_output: [{ role: 'assistant', content: 'Lyon.' }],
      },
      {
        input: { messages: history },
        preferred_output: [{ role: 'assistant', content: 'Paris.' }],
        non_preferred_output: [{ role: 'assistant', content: 'France has no capital.' }],
      },
    ]);
  });

  test('a pair both records describe is one line', () => {
    const pair = promptFeedback({
      prompt: 'p',
      answers: [
        { answer: 'good', rating: 'THUMBS_UP' },
        { answer: 'bad', rating: 'THUMBS_DOWN' },
      ],
    });
    assert.equal(pair[0]!.siblings![0]!.message_id, pair[1]!.message_id);
    assert.equal(pair[1]!.siblings![0]!.message_id, pair[0]!.message_id);
    assert.equal(buildDataset('openai-dpo', pair, {}).lines.length, 1);
    assert.equal(buildDataset('openai-dpo', pair, {}).report.exported, 2);
  });

  test('an answer with no opposite-rated sibling is left out, naming why', () => {
    const twoLiked = promptFeedback({
      prompt: 'p',
      answers: [
        { answer: 'a', rating: 'THUMBS_UP' },
        { answer: 'b', rating: 'THUMBS_UP' },
        { answer: 'c', rating: null },
      ],
    });
    // In export order: rated_at, then message id (lonely ties with the first at T0, and is older).
    assert.deepEqual(leftOut('openai-dpo', [...twoLiked, lonely]), {
      [reasons.noOppositeSibling]: [lonely, ...twoLiked].map((r) => r.message_id),
    });
  });

  test("a sibling's rating and text come from its own latest record, not another record's copy", () => {
    // Lyon was re-rated thumbs up after Paris's record was written: Paris's copy is stale.
    const reRated = { ...lyon, rating: 'THUMBS_UP' as const, rated_at: T0 + 3_600_000 };
    const lines = parsed('openai-dpo', [paris, reRated, none]);
    assert.deepEqual(
      lines.map((l) => [
        (l.preferred_output as { content: string }[])[0]!.content,
        (l.non_preferred_output as { content: string }[])[0]!.content,
      ]),
      [
        ['Paris.', 'France has no capital.'],
        ['Lyon.', 'France has no capital.'],
      ],
    );
  });

  test('a sibling whose record a tombstone removed is never exported from a copy', () => {
    // Only Paris is live: its siblings list Lyon and the other as thumbs down.
    assert.deepEqual(parsed('openai-dpo', [paris]), []);
    assert.deepEqual(leftOut('openai-dpo', [paris]), {
      [reasons.oppositeSiblingRemoved]: [paris.message_id],
    });
  });
});

describe('trl-preference', () => {
  test('prompt, chosen and rejected as conversational messages', () => {
    assert.deepEqual(parsed('trl-preference', regenerated)[0], {
      prompt: history,
      chosen: [{ role: 'assistant', content: 'Paris.' }],
      rejected: [{ role: 'assistant', content: 'Lyon.' }],
    });
    assert.equal(buildDataset('trl-preference', regenerated, {}).lines.length, 2);
  });
});

describe('trl-kto', () => {
  test('every rated answer, labelled by its rating', () => {
    assert.deepEqual(
      parsed('trl-kto', regenerated).map((l) => [
        (l.completion as { content: string }[])[0]!.content,
        l.label,
      ]),
      [
        ['Paris.', true],
        ['Lyon.', false],
        ['France has no capital.', false],
      ],
    );
    assert.deepEqual(parsed('trl-kto', [lonely])[0], {
      prompt: [{ role: 'user', content: 'Say "hi"\nplease' }],
      completion: [{ role: 'assistant', content: 'hi ✓' }],
      label: true,
    });
    assert.deepEqual(leftOut('trl-kto', regenerated), {});
  });
});

describe('filters', () => {
  // Paris is rated at T0, Lyon at T0+1 min, the third at T0+2 min.
  test('the window is since-inclusive, until-exclusive, on rated_at', () => {
    const window = { since: T0 + 60_000, until: T0 + 120_000 };
    assert.deepEqual(
      parsed('trl-kto', regenerated, window).map((l) => l.label),
      [false],
    );
    assert.deepEqual(leftOut('trl-kto', regenerated, window), {
      [reasons.outsideWindow]: [paris.message_id, none.message_id],
    });
  });

  test('a pair is dated and attributed by its preferred answer', () => {
    // The disliked answers are outside the window, but their preferred sibling is in it.
    assert.equal(buildDataset('openai-dpo', regenerated, { until: T0 + 1 }).lines.length, 2);
    // The preferred answer is outside: no pair, and the disliked ones say why.
    const late = { since: T0 + 1 };
    assert.deepEqual(leftOut('openai-dpo', regenerated, late), {
      [reasons.outsideWindow]: [paris.message_id, lyon.message_id, none.message_id],
    });
  });

  test('--model keeps answers of that model; for pairs, the preferred one', () => {
    const mixed = promptFeedback({
      prompt: 'p',
      answers: [
        { answer: 'new and good', rating: 'THUMBS_UP', model: 'parley-2' },
        { answer: 'old and bad', rating: 'THUMBS_DOWN', model: 'parley-1' },
      ],
    });
    assert.equal(buildDataset('openai-dpo', mixed, { model: 'parley-2' }).lines.length, 1);
    assert.deepEqual(leftOut('openai-dpo', mixed, { model: 'parley-1' }), {
      [reasons.otherModel]: mixed.map((r) => r.message_id),
    });
    assert.deepEqual(
      parsed('trl-kto', mixed, { model: 'parley-1' }).map((l) => l.label),
      [false],
    );
  });
});

describe('every format', () => {
  const all: FeedbackRecord[] = [...regenerated, lonely];
  const formats: FormatName[] = ['openai-sft', 'openai-dpo', 'trl-preference', 'trl-kto'];

  test('the same records in any order give byte-identical files', () => {
    for (const format of formats) {
      const once = buildDataset(format, all, {}).lines.join('\n');
      const shuffled = buildDataset(format, [...all].reverse(), {}).lines.join('\n');
      assert.equal(shuffled, once, format);
    }
  });

  test('every live record is exported or left out for a named reason', () => {
    for (const format of formats) {
      const { report } = buildDataset(format, all, { since: T0 + 1 });
      const leftOutCount = [...report.leftOut.values()].reduce((n, ids) => n + ids.length, 0);
      assert.equal(report.exported + leftOutCount, all.length, format);
      assert.deepEqual(report.unexplained, [], format);
      assert.deepEqual(report.unexpected, [], format);
    }
  });

  test('a line that breaks its schema stops the export, naming the line and the error', () => {
    const badRole = { ...lonely, context: [{ role: 'tool', content: 'x' }] };
    assert.throws(
      () => buildDataset('trl-kto', [paris, badRole], {}),
      (error: unknown) =>
        error instanceof InvalidLineError &&
        error.lineNumber === 2 &&
        /trl-kto line 2 .*prompt\/0\/role must be equal to one of the allowed values/.test(error.message),
    );
  });
});
