// A circuit breaker per model server: after `failureThreshold` failures in a row it opens, and the
// server gets no requests for `openMs`; then one trial request (half-open) closes it on success or
// opens it again on failure. A GPU server that is down then costs one failed request per period,
// not one per prompt.

export interface BreakerSettings {
  failureThreshold: number;
  openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.settings.openMs ? 'half-open' : 'open';
  }

  /** Whether a request may go to the server now (half-open: one trial at a time). */
  canTry(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.trialInFlight);
  }

  /** A request starts; in half-open it is the trial. */
  started(): void {
    if (this.state === 'half-open') this.trialInFlight = true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
  }

  failed(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.settings.failureThreshold)
      this.openedAt = this.now();
  }
}
