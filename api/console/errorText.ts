// An error as one line for the snapshot's `errors`: its message, and its cause's where the message
// alone says nothing (undici's "fetch failed" hides ECONNREFUSED in its cause).
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
}
