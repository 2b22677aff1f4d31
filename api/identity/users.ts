// The users table (api/migrations/001_identity.sql): one row per account, e-mail lower-cased and
// trimmed by the caller (normalizeEmail), the password as an argon2id PHC string, settings as jsonb.
// Writes take the caller's transaction, so the row and its outbox event commit together.
import type pg from 'pg';
import type { Settings } from './settings.ts';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface UserRecord {
  userId: string;
  email: string;
  createdAt: Date;
  settings: Partial<Settings>;
}

/** One account per address: `Ada@Example.com ` and `ada@example.com` are the same. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Inserts the user; false (and nothing written) if the e-mail is taken. */
export async function insertUser(
  tx: Queryable,
  user: { userId: string; email: string; passwordHash: string },
): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO users (user_id, email, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO NOTHING`,
    [user.userId, user.email, user.passwordHash],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function findCredentials(
  db: Queryable,
  email: string,
): Promise<{ userId: string; passwordHash: string } | undefined> {
  const { rows } = await db.query<{ user_id: string; password_hash: string }>(
    'SELECT user_id, password_hash FROM users WHERE email = $1',
    [email],
  );
  const row = rows[0];
  return row && { userId: row.user_id, passwordHash: row.password_hash };
}

export async function getUser(db: Queryable, userId: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<{
    user_id: string;
    email: string;
    created_at: Date;
    settings: Partial<Settings>;
  }>('SELECT user_id, email, created_at, settings FROM users WHERE user_id = $1', [userId]);
  const row = rows[0];
  return row && { userId: row.user_id, email: row.email, createdAt: row.created_at, settings: row.settings };
}

/** Merges `patch` into the user's settings in one statement; the merged settings, or undefined if no such user. */
export async function mergeSettings(
  tx: Queryable,
  userId: string,
  patch: Partial<Settings>,
): Promise<Partial<Settings> | undefined> {
  const { rows } = await tx.query<{ settings: Partial<Settings> }>(
    'UPDATE users SET settings = settings || $2::jsonb WHERE user_id = $1 RETURNING settings',
    [userId, JSON.stringify(patch)],
  );
  return rows[0]?.settings;
}
