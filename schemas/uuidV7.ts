// UUIDv7 (RFC 9562): the first 48 bits are the creation time in milliseconds, so ids sort by time.
// Contracts mark the fields that must hold one with `"parley.format": "uuid-v7"`.
export const UUID_V7_FORMAT = 'uuid-v7';

export function isUuidV7(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id);
}

export function uuidV7Millis(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}
