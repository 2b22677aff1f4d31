// API keys: `pk_<key id>_<secret>`, shown once. PostgreSQL keeps the SHA-256 of the secret; a
// lookup finds the row by its id and compares digests in constant time. Revocation is one UPDATE,
// seen by the very next request of every API process.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';

export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

const PREFIX = 'pk_';
const shape = /^pk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const sha256 = (secret: string) => createHash('sha256').update(secret).digest();

export const isApiKey = (token: string) => token.startsWith(PREFIX);

export class ApiKeyStore {
  constructor(private readonly db: pg.Pool) {}

  /** Inserts a key inside the caller's transaction; the key itself exists only in the result. */
  async issue(tx: pg.ClientBase, userId: string, name: string): Promise<{ apiKey: string; keyId: string }> {
    const keyId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await tx.query('INSERT INTO api_keys (key_id, user_id, name, secret_sha256) VALUES ($1, $2, $3, $4)', [
      keyId,
      userId,
      name,
      sha256(secret),
    ]);
    return { apiKey: `${PREFIX}${keyId.replaceAll('-', '')}_${secret}`, keyId };
  }

  async resolve(apiKey: string): Promise<{ keyId: string; userId: string } | undefined> {
    const match = shape.exec(apiKey);
    if (!match) return undefined;
    const hex = match[1]!;
    const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const { rows } = await this.db.query<{ user_id: string; secret_sha256: Buffer; revoked_at: Date | null }>(
      'SELECT user_id, secret_sha256, revoked_at FROM api_keys WHERE key_id = $1',
      [keyId],
    );
    const row = rows[0];
    // Compare even when there is no row, so timing does not tell which key ids exist.
    const stored = row?.secret_sha256 ?? Buffer.alloc(32);
    const same = timingSafeEqual(stored, sha256(match[2]!));
    return row && same && !row.revoked_at ? { keyId, userId: row.user_id } : undefined;
  }

  async list(userId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.db.query<{
      key_id: string;
      user_id: string;
      name: string;
      created_at: Date;
      revoked_at: Date | null;
    }>(
      'SELECT key_id, user_id, name, created_at, revoked_at FROM api_keys WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      userId: r.user_id,
      name: r.name,
      createdAt: r.created_at.toISOString(),
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  /** Revokes the user's key (inside `tx`, if given); false if the user has no such live key. */
  async revoke(userId: string, keyId: string, tx: pg.ClientBase | pg.Pool = this.db): Promise<boolean> {
    const result = await tx.query(
      'UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [keyId, userId],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
