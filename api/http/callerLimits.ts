// Rate limits per caller credential (a session or an API key; fixed one-minute windows in Redis,
// api/http/rateLimit.ts; 429 with Retry-After): every request counts against
// config.api.rateLimitPerMinute; prompts, regenerations and completions (each costs a model call)
// also against config.api.promptRateLimitPerMinute.
import type { ApiDeps } from '../apiDeps.ts';
import type { Principal } from '../auth/principal.ts';

export type BeforeHook = (principal: Principal | undefined) => Promise<void>;

export const perCaller =
  (deps: ApiDeps): BeforeHook =>
  async (principal) => {
    if (principal)
      await deps.rateLimiter.take(`user:${principal.credentialId}`, deps.config.api.rateLimitPerMinute);
  };

export const perPrompt =
  (deps: ApiDeps): BeforeHook =>
  async (principal) => {
    if (!principal) return;
    await perCaller(deps)(principal);
    await deps.rateLimiter.take(`prompt:${principal.credentialId}`, deps.config.api.promptRateLimitPerMinute);
  };
