// A MULTI's replies, throwing the first command error (ioredis resolves exec with per-command errors).
import type { ChainableCommander } from 'ioredis';

export async function execAll(multi: ChainableCommander): Promise<unknown[]> {
  const replies = (await multi.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  return replies.map(([, reply]) => reply);
}
