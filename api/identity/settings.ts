// A user's settings: how the API shows and accepts them, how users.settings (jsonb) keeps them (the
// API's shape, only the fields ever set) and the UserSettingsChanged a change becomes (only the
// changed fields set; null = unchanged, as the contract says).
import { z } from 'zod';
import type { Theme, UserSettingsChanged } from '../../schemas/generated/events.ts';
import { LANGUAGE_TAG } from './clientInfo.ts';

const themes = ['light', 'dark', 'system'] as const;
type ApiTheme = (typeof themes)[number];
const SYSTEM_PROMPT_MAX_CHARS = 8_000;

/** For text PostgreSQL stores (text, jsonb): it cannot hold U+0000, so that is a 400, not a 500. */
export const withoutNul = <T extends z.ZodString>(schema: T) =>
  // eslint-disable-next-line no-control-regex -- NUL is exactly what it rejects
  schema.regex(/^[^\u0000]*$/, 'must not contain NUL (U+0000)');

/** PATCH /v1/me/settings: every field optional, at least one, no others (a typo is a 400, not a no-op). */
export const settingsPatchSchema = z
  .strictObject({
    default_model: withoutNul(z.string().trim().min(1).max(128))
      .optional()
      .openapi({ description: 'Model for new chats' }),
    temperature: z.number().min(0).max(2).optional().openapi({ description: 'Sampling temperature, 0–2' }),
    system_prompt: withoutNul(z.string().max(SYSTEM_PROMPT_MAX_CHARS))
      .optional()
      .openapi({ description: 'Custom system prompt; an empty string clears it' }),
    language: z
      .string()
      .max(35)
      .regex(LANGUAGE_TAG, 'expected a BCP 47 language tag, e.g. en-GB')
      .optional()
      .openapi({ description: 'UI and answer language (BCP 47)', example: 'en-GB' }),
    theme: z.enum(themes).optional(),
    training_opt_in: z
      .boolean()
      .optional()
      .openapi({ description: "Whether the user's chats may be used to train future models" }),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), {
    message: 'at least one setting is required',
  })
  .openapi('SettingsPatch', { minProperties: 1 });

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const settingsSchema = z
  .object({
    default_model: z.string().nullable(),
    temperature: z.number().nullable(),
    system_prompt: z.string().nullable(),
    language: z.string().nullable(),
    theme: z.enum(themes).nullable(),
    training_opt_in: z.boolean().nullable(),
  })
  .openapi('Settings', { description: 'null: never set (the defaults apply)' });

export type Settings = z.infer<typeof settingsSchema>;

/** Every setting, null where the stored document has none. */
export function settingsView(stored: Partial<Settings> | null | undefined): Settings {
  const s = stored ?? {};
  return {
    default_model: s.default_model ?? null,
    temperature: s.temperature ?? null,
    system_prompt: s.system_prompt ?? null,
    language: s.language ?? null,
    theme: s.theme ?? null,
    training_opt_in: s.training_opt_in ?? null,
  };
}

/** The patch as the stored document's fields (undefined ones left out). */
export const storedPatch = (patch: SettingsPatch): Partial<Settings> =>
  Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));

const eventTheme = (theme: ApiTheme | undefined): Theme | null =>
  theme === undefined ? null : (theme.toUpperCase() as Theme);

/** UserSettingsChanged's fields for the patch: given fields set, the rest null (= unchanged). */
export function settingsChangedBody(
  userId: string,
  patch: SettingsPatch,
): Omit<UserSettingsChanged, 'event_id' | 'occurred_at' | 'correlation_id' | 'causation_id'> {
  return {
    user_id: userId,
    default_model: patch.default_model ?? null,
    temperature: patch.temperature ?? null,
    system_prompt: patch.system_prompt ?? null,
    language: patch.language ?? null,
    theme: eventTheme(patch.theme),
    training_opt_in: patch.training_opt_in ?? null,
  };
}
