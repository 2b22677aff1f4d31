// The API's own Redis keys for chats. Every one is a cache or a hint, never the record: the record
// is the event on Kafka and its projection in Cassandra, which every reader falls back to.
//
//   parley:api:chat:<chat_id>        hash  owner, model, deleted ("1"), head      CHAT_TTL_S
//   parley:api:message:<message_id>  hash  chat, role, answer | prompt          MESSAGE_TTL_S
//   parley:api:written:<scope>       string the caller's latest write (JSON)     WRITTEN_TTL_S
//   (`scope`: `user:<user_id>` for the chat list, `chat:<chat_id>` for a chat's history)

export const chatKey = (chatId: string) => `parley:api:chat:${chatId}`;
export const messageKey = (messageId: string) => `parley:api:message:${messageId}`;
export const writtenKey = (scope: string) => `parley:api:written:${scope}`;

/** A chat's ownership entry lives a month after its last write (then Cassandra answers, once). */
export const CHAT_TTL_S = 30 * 24 * 3600;

/**
 * A message's index entry (its chat; a prompt's latest answer) lives a day, or as long as the token
 * stream if that is longer: long enough for streaming and for nearly every rating, small enough to
 * keep Redis's memory bounded (two entries per prompt). Older lookups go to Cassandra.
 */
export const messageTtlSeconds = (tokenStreamTtlSeconds: number) =>
  Math.max(24 * 3600, tokenStreamTtlSeconds);

/** A caller's latest write is waited for only this long after it (the projector's lag is ms). */
export const WRITTEN_TTL_S = 60;
