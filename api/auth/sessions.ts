// Login sessions in Redis: the token is a random secret shown once; Redis keeps only its SHA-256,
// so a lookup compares digests of fixed length, and a dump of Redis holds no usable token.
// Logout deletes the key: the token is dead at once, in every API process.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Session {
  sessionId: string;
  userId: string;
  expiresAt: number;
}

const PREFIX = 'parley:session:';
const TOKEN_PREFIX = 'pst_';
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export const isSessionToken = (token: string) => token.startsWith(TOKEN_PREFIX);

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async create(userId: string, now = Date.now()): Promise<Session & { token: string }> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const session: Session = { sessionId: randomUUID(), userId, expiresAt: now + this.ttlSeconds * 1000 };
    await this.redis.set(`${PREFIX}${digest(token)}`, JSON.stringify(session), 'EX', this.ttlSeconds);
    return { ...session, token };
  }

  async resolve(token: string): Promise<Session | undefined> {
    if (!isSessionToken(token) || token.length > 100) return undefined;
    const raw = await this.redis.get(`${PREFIX}${digest(token)}`);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() ? session : undefined;
  }

  /** Ends the session; true if it was live. */
  async revoke(token: string): Promise<boolean> {
    return (await this.redis.del(`${PREFIX}${digest(token)}`)) > 0;
  }
}
