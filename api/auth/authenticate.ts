// `Authorization: Bearer <session token | API key>` → the caller, or undefined (→ 401).
import type { Request } from 'express';
import type { Access } from '../http/route.ts';
import { isApiKey, type ApiKeyStore } from './apiKeys.ts';
import type { Principal } from './principal.ts';
import { isSessionToken, type SessionStore } from './sessions.ts';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function authenticator(sessions: SessionStore, apiKeys: ApiKeyStore) {
  return async (req: Request, access: Access): Promise<Principal | undefined> => {
    const token = bearerToken(req);
    if (!token) return undefined;
    if (isApiKey(token)) {
      const key = await apiKeys.resolve(token);
      return key && { userId: key.userId, via: 'api_key', credentialId: key.keyId };
    }
    if (access === 'api_key' || !isSessionToken(token)) return undefined;
    const session = await sessions.resolve(token);
    return session && { userId: session.userId, via: 'session', credentialId: session.sessionId };
  };
}
