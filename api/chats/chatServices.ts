// What the chat routes share, built once per app from the API's dependencies.
import type { ApiDeps } from '../apiDeps.ts';
import { ChatDirectory } from './chatDirectory.ts';
import { ChatHead } from './chatHead.ts';
import { HistoryReads } from './historyReads.ts';
import { MessageIndex } from './messageIndex.ts';
import { MessageLookup } from './messageLookup.ts';
import { ReadYourWrites } from './readYourWrites.ts';
import { messageTtlSeconds } from './redisKeys.ts';

export interface ChatServices {
  deps: ApiDeps;
  history: HistoryReads;
  chats: ChatDirectory;
  head: ChatHead;
  index: MessageIndex;
  messages: MessageLookup;
  writes: ReadYourWrites;
}

export function chatServices(deps: ApiDeps): ChatServices {
  const history = new HistoryReads(deps.cassandra, deps.keyspace);
  const index = new MessageIndex(deps.redis, messageTtlSeconds(deps.config.inference.tokenStreamTtlSeconds));
  return {
    deps,
    history,
    chats: new ChatDirectory(deps.redis, history),
    head: new ChatHead(deps.redis, history),
    index,
    messages: new MessageLookup(index, history),
    writes: new ReadYourWrites(deps.redis, deps.cassandra, deps.keyspace),
  };
}
