// The caller's own account: who they are and their settings. A settings change is one UPDATE (a
// jsonb merge) and its UserSettingsChanged, in one transaction.
import { newEvent } from '../../producers/newEvent.ts';
import { unauthorized } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { inTransaction } from '../../connectors/postgres/transaction.ts';
import { appendEvents } from './identityEvents.ts';
import { perCaller } from '../http/callerLimits.ts';
import { me } from './schemas.ts';
import {
  settingsChangedBody,
  settingsPatchSchema,
  settingsSchema,
  settingsView,
  storedPatch,
} from './settings.ts';
import { getUser, mergeSettings } from './users.ts';

const TAG = 'me';

/** A credential whose user is gone is no credential. */
const noSuchUser = () => unauthorized('the account of this token no longer exists');

export function meRoutes({ add, deps }: RouteContext): void {
  add({
    method: 'get',
    path: '/v1/me',
    summary: 'The caller: id, e-mail, creation time and settings',
    tag: TAG,
    access: 'user',
    responses: { 200: { description: 'The caller', schema: me } },
    before: perCaller(deps),
    handle: async ({ principal }) => {
      const user = await getUser(deps.db, principal.userId);
      if (!user) throw noSuchUser();
      return {
        status: 200,
        body: {
          user_id: user.userId,
          email: user.email,
          created_at: user.createdAt.toISOString(),
          settings: settingsView(user.settings),
        },
      };
    },
  });

  add({
    method: 'patch',
    path: '/v1/me/settings',
    summary: 'Change some settings (UserSettingsChanged with only those set)',
    tag: TAG,
    access: 'user',
    body: settingsPatchSchema,
    responses: { 200: { description: 'All settings after the change', schema: settingsSchema } },
    before: perCaller(deps),
    handle: async ({ principal, body, req }) => {
      const event = newEvent('UserSettingsChanged', settingsChangedBody(principal.userId, body));
      const settings = await inTransaction(deps.db, async (tx) => {
        const merged = await mergeSettings(tx, principal.userId, storedPatch(body));
        if (!merged) throw noSuchUser();
        await appendEvents(tx, deps.producer, [{ name: 'UserSettingsChanged', event }], req);
        return merged;
      });
      return { status: 200, body: settingsView(settings) };
    },
  });
}
