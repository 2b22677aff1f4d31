// Calls through the OpenAI-compatible API are recorded like any chat: each API key gets a chat of
// its own (created on first use, title "API: <key id>"), and every completion is a prompt in it.
// Redis remembers a key's chat; if Redis loses it, the key's next call opens a new chat (nothing
// is lost: the earlier chat and its messages stay in the history). The chat and its messages are
// registered like the chat routes' own, so the owner reads, streams and rates them there too.
import { v7 as uuidv7 } from 'uuid';
import { newEvent } from '../../producers/newEvent.ts';
import type { ApiDeps } from '../apiDeps.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChatDirectory } from '../chats/chatDirectory.ts';

const key = (keyId: string) => `parley:api-key-chat:${keyId}`;
const KEEP_SECONDS = 90 * 24 * 3600;

export async function apiKeyChat(
  deps: ApiDeps,
  chats: ChatDirectory,
  principal: Principal,
  model: string,
): Promise<string> {
  const known = await deps.redis.get(key(principal.credentialId));
  if (known) return known;
  const chatId = uuidv7();
  // NX: two first calls at once agree on one chat; the loser's id is never published.
  const won = await deps.redis.set(key(principal.credentialId), chatId, 'EX', KEEP_SECONDS, 'NX');
  if (!won) return (await deps.redis.get(key(principal.credentialId)))!;
  await chats.created(chatId, principal.userId, model); // usable by the key's owner at once
  await deps.producer.publish(
    'ChatCreated',
    newEvent('ChatCreated', {
      chat_id: chatId,
      user_id: principal.userId,
      title: `API: ${principal.credentialId}`,
      model_version: model,
      system_prompt: null,
      via_api: true,
    }),
    { topic: deps.topics.chat },
  );
  return chatId;
}
