// Message ids are UUIDv7: their first 48 bits are the creation time in milliseconds. The time
// bucket of a message therefore follows from its id alone, so a rating (which knows only the id)
// finds the same partition as the message itself.
export const BUCKET_MS = 10 * 24 * 60 * 60 * 1000;

export function isUuidV7(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id);
}

export function uuidV7Millis(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

export function bucketOf(messageId: string): number {
  return Math.floor(uuidV7Millis(messageId) / BUCKET_MS);
}
