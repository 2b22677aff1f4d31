// The identity routes' request and response shapes: they validate requests (400 naming the field)
// and are the OpenAPI document's schemas.
import { z } from 'zod';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from './passwords.ts';
import { normalizeEmail } from './users.ts';
import { settingsSchema, withoutNul } from './settings.ts';

const EMAIL_MAX = 254;

/** Trimmed and lower-cased before it is checked, so the stored form is the only form. */
export const emailSchema = z
  .string()
  .max(EMAIL_MAX + 64) // room for surrounding blanks; the address itself is checked below
  .transform(normalizeEmail)
  .pipe(z.email({ message: 'expected an e-mail address' }).max(EMAIL_MAX))
  .openapi({ type: 'string', format: 'email', maxLength: EMAIL_MAX, example: 'ada@example.com' });

const withinBytes = (s: string) => Buffer.byteLength(s, 'utf8') <= PASSWORD_MAX_BYTES;
const tooLong = `at most ${PASSWORD_MAX_BYTES} bytes`;

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_CHARS, `at least ${PASSWORD_MIN_CHARS} characters`)
  .max(PASSWORD_MAX_BYTES, tooLong)
  .refine(withinBytes, tooLong)
  .openapi({ description: `${PASSWORD_MIN_CHARS} characters to ${PASSWORD_MAX_BYTES} bytes (UTF-8)` });

/** At login the current rules on length do not apply (a short password just fails), the bound does. */
const passwordSchema = z.string().min(1).max(PASSWORD_MAX_BYTES, tooLong).refine(withinBytes, tooLong);

export const registerBody = z
  .strictObject({ email: emailSchema, password: newPasswordSchema })
  .openapi('Register');
export const loginBody = z.strictObject({ email: emailSchema, password: passwordSchema }).openapi('Login');

const uuid = z.uuid();
const timestamp = z.iso.datetime();

export const registered = z.object({ user_id: uuid }).openapi('Registered');
export const loggedIn = z
  .object({
    token: z.string().openapi({ description: 'Session token: send it as `Authorization: Bearer <token>`' }),
    user_id: uuid,
    expires_at: timestamp,
  })
  .openapi('Session');

export const me = z
  .object({ user_id: uuid, email: z.string(), created_at: timestamp, settings: settingsSchema })
  .openapi('Me');

const keyName = withoutNul(z.string().trim().min(1).max(100));
export const apiKeyBody = z.strictObject({ name: keyName }).openapi('NewApiKey');
export const apiKeyIssued = z
  .object({
    api_key: z.string().openapi({ description: 'The key: shown this once, never again' }),
    key_id: uuid,
    name: z.string(),
    created_at: timestamp,
  })
  .openapi('IssuedApiKey');
export const apiKeyListItem = z
  .object({
    key_id: uuid,
    name: z.string(),
    key_prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it' }),
    created_at: timestamp,
    revoked_at: timestamp.nullable(),
  })
  .openapi('ApiKey');
export const apiKeyList = z.object({ items: z.array(apiKeyListItem) }).openapi('ApiKeys');
export const apiKeyParams = z.object({ key_id: uuid });
