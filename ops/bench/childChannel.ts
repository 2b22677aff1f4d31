// `npm run bench -- all` runs each bench as `npm run bench -- <name>` in a child process (its CPU
// figures are its own, nothing an earlier bench left running disturbs it, and a crash or a hang
// ends only it). The child hands its result back over the IPC channel; these are the messages.
import type { BenchResult } from './result.ts';

export type BenchChildMessage = { type: 'result'; result: BenchResult } | { type: 'failed'; error: string };

/** Sends to the parent when there is one (spawned with an IPC channel); resolves once it is sent. */
export function sendToParent(message: BenchChildMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return Promise.resolve();
  return new Promise((resolve, reject) =>
    send(message, undefined, undefined, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}
