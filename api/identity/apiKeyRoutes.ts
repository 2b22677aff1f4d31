// API keys: issued (ApiKeyIssued) and revoked (ApiKeyRevoked) with a session only, so a leaked key
// cannot mint or revoke keys; listed (never the secret) with either credential. Keys are stored
// hashed (api/auth/apiKeys.ts); a revocation is seen by the next request of every API process.
import { newEvent } from '../../producers/newEvent.ts';
import type { Principal } from '../auth/principal.ts';
import { ApiError, notFound } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { inTransaction } from '../../connectors/postgres/transaction.ts';
import { appendEvents } from './identityEvents.ts';
import { perCaller } from '../http/callerLimits.ts';
import { apiKeyBody, apiKeyIssued, apiKeyList, apiKeyParams } from './schemas.ts';

const TAG = 'api-keys';

/** What lists and events show of a key: `pk_` and the first 8 hex digits of its id (not secret). */
export const keyPrefix = (keyId: string) => `pk_${keyId.replaceAll('-', '').slice(0, 8)}`;

function requireSession(principal: Principal): void {
  if (principal.via !== 'session')
    throw new ApiError(403, 'forbidden', 'API keys are managed with a session token, not with an API key');
}

export function apiKeyRoutes({ add, deps }: RouteContext): void {
  const forbidden = { 403: { description: 'Called with an API key: keys are managed with a session' } };

  add({
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Issue an API key (ApiKeyIssued); the key is shown in this response only',
    tag: TAG,
    access: 'user',
    body: apiKeyBody,
    responses: { 201: { description: 'The new key', schema: apiKeyIssued }, ...forbidden },
    before: perCaller(deps),
    handle: async ({ principal, body, req }) => {
      requireSession(principal);
      const createdAt = new Date();
      const issued = await inTransaction(deps.db, async (tx) => {
        const key = await deps.apiKeys.issue(tx, principal.userId, body.name);
        const event = newEvent(
          'ApiKeyIssued',
          {
            user_id: principal.userId,
            api_key_id: key.keyId,
            key_prefix: keyPrefix(key.keyId),
            name: body.name,
            scopes: [], // unscoped: the owner's access, except managing keys
            expires_at: null,
          },
          { occurredAt: createdAt.getTime() },
        );
        await appendEvents(tx, deps.producer, [{ name: 'ApiKeyIssued', event }], req);
        return key;
      });
      return {
        status: 201,
        body: {
          api_key: issued.apiKey,
          key_id: issued.keyId,
          name: body.name,
          created_at: createdAt.toISOString(),
        },
      };
    },
  });

  add({
    method: 'get',
    path: '/v1/api-keys',
    summary: "The caller's API keys, revoked ones included (never the secret)",
    tag: TAG,
    access: 'user',
    responses: { 200: { description: 'Oldest first', schema: apiKeyList } },
    before: perCaller(deps),
    handle: async ({ principal }) => {
      const keys = await deps.apiKeys.list(principal.userId);
      return {
        status: 200,
        body: {
          items: keys.map((k) => ({
            key_id: k.keyId,
            name: k.name,
            key_prefix: keyPrefix(k.keyId),
            created_at: k.createdAt,
            revoked_at: k.revokedAt,
          })),
        },
      };
    },
  });

  add({
    method: 'delete',
    path: '/v1/api-keys/:key_id',
    summary: 'Revoke an API key (ApiKeyRevoked); it fails from the next request on',
    tag: TAG,
    access: 'user',
    params: apiKeyParams,
    responses: {
      204: { description: 'Revoked' },
      404: { description: "No such live key of the caller (another user's key looks the same)" },
      ...forbidden,
    },
    before: perCaller(deps),
    handle: async ({ principal, params, req }) => {
      requireSession(principal);
      const event = newEvent('ApiKeyRevoked', { user_id: principal.userId, api_key_id: params.key_id });
      const revoked = await inTransaction(deps.db, async (tx) => {
        if (!(await deps.apiKeys.revoke(principal.userId, params.key_id, tx))) return false;
        await appendEvents(tx, deps.producer, [{ name: 'ApiKeyRevoked', event }], req);
        return true;
      });
      if (!revoked) throw notFound('API key');
      return { status: 204 };
    },
  });
}
