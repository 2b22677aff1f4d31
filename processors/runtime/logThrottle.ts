// Failures repeat for as long as a sink is down, for every record retrying against it: log one
// line per failure kind every few seconds, not one per record per retry.
export class LogThrottle {
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly intervalMs = 5_000) {}

  /** True if no line of this kind was let through in the last `intervalMs`. */
  shouldLog(kind: string): boolean {
    const now = Date.now();
    if (now - (this.lastLogged.get(kind) ?? 0) < this.intervalMs) return false;
    this.lastLogged.set(kind, now);
    return true;
  }
}
