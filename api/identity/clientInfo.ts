// What identity events say about the client: its kind (the `X-Parley-Client` header: web, ios,
// android, api; anything else or nothing is OTHER), its User-Agent (truncated) and the language it
// asks for (the first Accept-Language tag that looks like BCP 47).
import type { Request } from 'express';
import type { ClientKind } from '../../schemas/generated/events.ts';

export const CLIENT_HEADER = 'x-parley-client';
const USER_AGENT_MAX = 512;
const kinds: Record<string, ClientKind> = { web: 'WEB', ios: 'IOS', android: 'ANDROID', api: 'API' };

/** A BCP 47-ish language tag: `en`, `en-GB`, `zh-Hant-TW`. */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const LANGUAGE_TAG_MAX = 35;

export function clientKind(req: Request): ClientKind {
  const value = req.get(CLIENT_HEADER)?.trim().toLowerCase();
  return (value && kinds[value]) || 'OTHER';
}

export function userAgent(req: Request): string | null {
  const value = req.get('user-agent');
  return value ? value.slice(0, USER_AGENT_MAX) : null;
}

export function preferredLanguage(req: Request, fallback = 'en'): string {
  const first = req.get('accept-language')?.split(',')[0]?.split(';')[0]?.trim();
  return first && first.length <= LANGUAGE_TAG_MAX && LANGUAGE_TAG.test(first) ? first : fallback;
}
