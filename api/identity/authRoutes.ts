// Register, log in, log out. A wrong password and an unknown e-mail get the same 401 after the same
// work (one argon2 verify; passwords.ts); sessions live in Redis (api/auth/sessions.ts); every
// change reaches parley.identity through the outbox.
import { randomUUID } from 'node:crypto';
import { newEvent } from '../../producers/newEvent.ts';
import { bearerToken } from '../auth/authenticate.ts';
import { ApiError, badRequest, conflict } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { clientKind, preferredLanguage, userAgent } from './clientInfo.ts';
import { inTransaction } from '../../connectors/postgres/transaction.ts';
import { appendEvents } from './identityEvents.ts';
import type { IpHasher } from './ipHash.ts';
import { perCaller } from '../http/callerLimits.ts';
import type { AuthLimits } from './limits.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { loggedIn, loginBody, registerBody, registered } from './schemas.ts';
import { findCredentials, insertUser } from './users.ts';

const TAG = 'auth';
/** The session ended between authentication and revocation: nothing left to do. */
class SessionGone extends Error {}

const wrongCredentials = () => new ApiError(401, 'unauthorized', 'wrong e-mail or password');

export function authRoutes(
  { add, deps }: RouteContext,
  { limits, ips }: { limits: AuthLimits; ips: IpHasher },
): void {
  add({
    method: 'post',
    path: '/v1/auth/register',
    summary: 'Create an account (UserRegistered)',
    tag: TAG,
    access: 'none',
    body: registerBody,
    responses: {
      201: { description: 'Registered', schema: registered },
      409: { description: 'The e-mail address already has an account' },
    },
    before: (_principal, req) => limits.register(req),
    handle: async ({ body, req }) => {
      const userId = randomUUID();
      // Hashed before the transaction: no connection is held for the ~10-30 ms of argon2.
      const passwordHash = await hashPassword(body.password);
      const event = newEvent('UserRegistered', {
        user_id: userId,
        email: body.email,
        display_name: body.email.split('@')[0]!,
        locale: preferredLanguage(req),
        plan: 'FREE',
        client: clientKind(req),
      });
      const created = await inTransaction(deps.db, async (tx) => {
        if (!(await insertUser(tx, { userId, email: body.email, passwordHash }))) return false;
        await appendEvents(tx, deps.producer, [{ name: 'UserRegistered', event }], req);
        return true;
      });
      if (!created) throw conflict('an account with this e-mail address exists', 'body.email');
      return { status: 201, body: { user_id: userId } };
    },
  });

  add({
    method: 'post',
    path: '/v1/auth/login',
    summary: 'Start a session (UserLoggedIn)',
    tag: TAG,
    access: 'none',
    body: loginBody,
    responses: {
      200: { description: 'A new session', schema: loggedIn },
      401: { description: 'Wrong e-mail or password (the same answer for both)' },
    },
    before: (_principal, req) => limits.loginFromIp(req),
    handle: async ({ body, req }) => {
      await limits.loginForEmail(req, body.email);
      const account = await findCredentials(deps.db, body.email);
      if (!(await verifyPassword(account?.passwordHash, body.password)) || !account) throw wrongCredentials();
      const session = await deps.sessions.create(account.userId);
      try {
        const event = newEvent('UserLoggedIn', {
          user_id: account.userId,
          session_id: session.sessionId,
          method: 'PASSWORD',
          client: clientKind(req),
          ip_hash: await ips.hashOf(req),
          user_agent: userAgent(req),
        });
        await inTransaction(deps.db, (tx) =>
          appendEvents(tx, deps.producer, [{ name: 'UserLoggedIn', event }], req),
        );
      } catch (error) {
        // No session without its event: the token was never shown, so it dies unused.
        await deps.sessions.revoke(session.token).catch(() => undefined);
        throw error;
      }
      return {
        status: 200,
        body: {
          token: session.token,
          user_id: account.userId,
          expires_at: new Date(session.expiresAt).toISOString(),
        },
      };
    },
  });

  add({
    method: 'post',
    path: '/v1/auth/logout',
    summary: 'End this session at once (UserLoggedOut); API keys are revoked instead',
    tag: TAG,
    access: 'user',
    responses: { 204: { description: 'The token no longer works' } },
    before: perCaller(deps),
    handle: async ({ principal, req }) => {
      if (principal.via !== 'session')
        throw badRequest('logout ends a session; revoke an API key with DELETE /v1/api-keys/{key_id}');
      const event = newEvent('UserLoggedOut', {
        user_id: principal.userId,
        session_id: principal.credentialId,
        reason: 'USER',
      });
      // The event is appended first and committed only if this request ended the session (a
      // concurrent logout of the same token leaves one event, not two).
      await inTransaction(deps.db, async (tx) => {
        await appendEvents(tx, deps.producer, [{ name: 'UserLoggedOut', event }], req);
        if (!(await deps.sessions.revoke(bearerToken(req)!))) throw new SessionGone();
      }).catch((error: unknown) => {
        if (!(error instanceof SessionGone)) throw error;
      });
      return { status: 204 };
    },
  });
}
