// The chat list under replay and out-of-order arrival: whatever order a chat's events reach the
// log in, and however often they are applied, its list row ends at its newest activity (or gone
// once deleted). Applied through the in-memory model with Cassandra's last-write-wins rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { newEvent } from '../../producers/newEvent.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { emptyListState, planChatListWrites, type ChatListChange } from './chatList.ts';
import { TableModel } from './tableModel.ts';

const user = '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80';
const t0 = Date.UTC(2026, 10, 27, 9);

interface Item {
  name: EventName;
  event: EventMap[EventName];
}

function chatEvents(chatId: string, prompts: number, deleted = false): Item[] {
  const items: Item[] = [
    {
      name: 'ChatCreated',
      event: newEvent(
        'ChatCreated',
        { chat_id: chatId, user_id: user, title: null, model_version: 'm' },
        { occurredAt: t0 },
      ),
    },
  ];
  for (let i = 1; i <= prompts; i++)
    items.push({
      name: 'PromptSubmitted',
      event: newEvent(
        'PromptSubmitted',
        {
          chat_id: chatId,
          user_id: user,
          message_id: uuidv7(),
          parent_message_id: null,
          content: 'hi',
          model_version: 'm',
        },
        { occurredAt: t0 + i * 1000 },
      ),
    });
  if (deleted)
    items.push({
      name: 'ChatDeleted',
      event: newEvent('ChatDeleted', { chat_id: chatId, user_id: user }, { occurredAt: t0 + 500 }),
    });
  return items;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The chat list rows after applying `items` in this log order (offsets follow the order). */
function listAfter(items: Item[], model = new TableModel()): string[] {
  items.forEach(({ name, event }, offset) => model.project(name, event, { offset: String(offset) }));
  return [...model.rows('chats_by_activity')].map(
    ([, row]) => `${String(row.key.chat_id)}@${(row.key.last_activity_at as Date).getTime() - t0}`,
  );
}

test('out of order: every arrival order leaves one list row per chat, at its newest activity', () => {
  const chat = uuidv7();
  const items = chatEvents(chat, 4);
  for (let seed = 1; seed <= 200; seed++)
    assert.deepEqual(listAfter(shuffled(items, seed)), [`${chat}@4000`], `arrival order #${seed}`);
});

test('replay: applying the log again, whole or from any point, changes nothing', () => {
  const chat = uuidv7();
  const items = shuffled(chatEvents(chat, 5), 7);
  const model = new TableModel();
  const once = listAfter(items, model);
  // Redelivery after a crash: the log again from offset 2, same offsets.
  items.slice(2).forEach(({ name, event }, i) => model.project(name, event, { offset: String(i + 2) }));
  assert.deepEqual([...model.rows('chats_by_activity')].length, 1);
  assert.deepEqual(listAfter(items, new TableModel()), once);
});

test('a deleted chat leaves the list for good, whatever arrives before or after the deletion', () => {
  const [kept, gone] = [uuidv7(), uuidv7()];
  const items = [...chatEvents(kept, 2), ...chatEvents(gone, 3, true)];
  for (let seed = 1; seed <= 200; seed++)
    assert.deepEqual(listAfter(shuffled(items, seed)), [`${kept}@2000`], `arrival order #${seed}`);
});

test('changes of one chat in one call fold in order: intermediate rows are written and removed at once', () => {
  const base = { userId: user, chatId: uuidv7(), eventId: 'e' };
  const changes: ChatListChange[] = [
    { ...base, kind: 'activity', at: 1, timestamp: 1000n },
    { ...base, kind: 'activity', at: 3, timestamp: 3000n },
    { ...base, kind: 'activity', at: 2, timestamp: 2000n }, // late: older than the one before it
  ];
  const { writes, after } = planChatListWrites(changes, () => emptyListState);
  assert.deepEqual(
    writes.map((w) => `${w.kind} ${(w.key.last_activity_at as Date).getTime()} @${w.timestamp}`),
    ['upsert 1 @1000', 'delete 1 @3000', 'upsert 3 @3000'],
    'the late change moves nothing',
  );
  assert.deepEqual([...after.values()], [{ lastActivityAt: 3, timestamp: 3000n, deleted: false }]);
});
