// Rate limits of the identity routes (fixed one-minute windows in Redis, api/http/rateLimit.ts; 429
// with Retry-After):
// - authenticated routes: per credential (api/http/callerLimits.ts);
// - register: per client IP, a tenth of that (accounts are cheap to ask for, costly to hold);
// - login: per client IP (the general limit: many users may share one NAT), per IP and e-mail
//   (LOGIN_PER_IP_EMAIL: guessing one account's password from one place) and per e-mail from
//   anywhere (LOGIN_PER_EMAIL: the same, spread over many addresses).
// Keys hold hashes, never an address or an e-mail in clear.
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { ApiDeps } from '../apiDeps.ts';
import type { IpHasher } from './ipHash.ts';

export const LOGIN_PER_IP_EMAIL = 10;
export const LOGIN_PER_EMAIL = 30;

const emailKey = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 32);

export class AuthLimits {
  constructor(
    private readonly deps: ApiDeps,
    private readonly ips: IpHasher,
  ) {}

  /** Before the body is read: registrations per client IP. */
  async register(req: Request): Promise<void> {
    const ip = await this.ips.hashOf(req);
    const limit = Math.max(1, Math.ceil(this.deps.config.api.rateLimitPerMinute / 10));
    await this.deps.rateLimiter.take(`register:ip:${ip}`, limit);
  }

  /** Before the body is read: login attempts per client IP. */
  async loginFromIp(req: Request): Promise<void> {
    const ip = await this.ips.hashOf(req);
    await this.deps.rateLimiter.take(`login:ip:${ip}`, this.deps.config.api.rateLimitPerMinute);
  }

  /** Once the (normalised) e-mail is known: attempts on that account, from this IP and from anywhere. */
  async loginForEmail(req: Request, email: string): Promise<void> {
    const ip = await this.ips.hashOf(req);
    const account = emailKey(email);
    await this.deps.rateLimiter.take(`login:ip-email:${ip}:${account}`, LOGIN_PER_IP_EMAIL);
    await this.deps.rateLimiter.take(`login:email:${account}`, LOGIN_PER_EMAIL);
  }
}
