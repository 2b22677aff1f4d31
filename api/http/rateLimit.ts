// Fixed-window rate limits in Redis, per caller (user or API key): INCR a counter per window;
// over the limit → 429 with Retry-After (seconds to the window's end). Shared by every API process.
import type { Redis } from 'ioredis';
import { ApiError } from './errors.ts';

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one request of `subject` against `limit` per window; throws 429 past it. */
  async take(subject: string, limit: number, now = Date.now()): Promise<void> {
    const window = Math.floor(now / 1000 / this.windowSeconds);
    const key = `parley:rate:${subject}:${window}`;
    const [[, count]] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, this.windowSeconds * 2)
      .exec()) as [[Error | null, number], [Error | null, number]];
    if (count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window + 1) * this.windowSeconds - now / 1000));
      throw new ApiError(
        429,
        'rate_limited',
        `more than ${limit} requests in ${this.windowSeconds} s`,
        undefined,
        {
          'retry-after': String(retryAfter),
        },
      );
    }
  }
}
