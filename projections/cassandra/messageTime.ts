// Message ids are UUIDv7: their first 48 bits are the creation time in milliseconds. The time
// bucket of a message therefore follows from its id alone, so a rating (which knows only the id)
// finds the same partition as the message itself.
import { uuidV7Millis } from '../../schemas/uuidV7.ts';

export const BUCKET_MS = 10 * 24 * 60 * 60 * 1000;

export function bucketOf(messageId: string): number {
  return Math.floor(uuidV7Millis(messageId) / BUCKET_MS);
}
